package io.simproc.kernel;

import io.simproc.mm.MemCgroup;
import io.simproc.mm.MemcgEvent;
import io.simproc.mm.MemcgStat;
import io.simproc.mm.MemcgWrite;
import io.simproc.mm.NodeStatItem;
import io.simproc.mm.PageCounter;
import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;

import java.util.ArrayList;
import java.util.List;

/**
 * The cgroup v2 memory controller's files (mm/memcontrol.c: memory_files[], swap_files[], zswap_files[]), formats
 * and parsing as Documentation/admin-guide/cgroup-v2.rst gives them: amounts in bytes, a limit at its default
 * shows "max", writes take "max" or a memparse() size (K, M, G, T, P, E suffixes) rounded down to whole pages.
 * The root has only memory.stat, memory.numa_stat and memory.reclaim. The machine has no zswap: memory.zswap.current
 * is 0 and the zswap settings are kept but change nothing. memory.peak is the group's own peak (the kernel's
 * per-open-file reset by writing to it is not modelled: the file is read-only here).
 */
public final class MemcgFiles {
    private static final int NOT_ON_ROOT = Cftype.CFTYPE_NOT_ON_ROOT;

    private MemcgFiles() {
    }

    static List<Cftype<MemCgroup>> cftypes(Kernel kernel) {
        MemcgWrite w = kernel.mm().memcontrol().write();
        List<Cftype<MemCgroup>> f = new ArrayList<>();
        f.add(ro("current", m -> bytes(m.memory().usage())));
        f.add(rw("min", m -> tunable(m.memory().min()), (m, pages) -> w.setMin(m, pages)));
        f.add(rw("low", m -> tunable(m.memory().low()), (m, pages) -> w.setLow(m, pages)));
        f.add(rw("high", m -> tunable(m.memory().high()), (m, pages) -> w.setHigh(m, pages)));
        f.add(rw("max", m -> tunable(m.memory().max()), (m, pages) -> w.setMax(m, pages)));
        f.add(ro("peak", m -> bytes(m.memory().watermark())));
        f.add(ro("events", m -> events(m, false)));
        f.add(ro("events.local", m -> events(m, true)));
        f.add(new Cftype<>("stat", 0, m -> String.join("\n", MemcgStat.format(m)) + "\n", null));
        f.add(new Cftype<>("numa_stat", 0, m -> numaStat(kernel, m), null));
        f.add(new Cftype<>("oom.group", NOT_ON_ROOT, m -> (m.oomGroup() ? 1 : 0) + "\n",
                (m, buf, who, current) -> oomGroupWrite(w, m, buf)));
        f.add(new Cftype<>("reclaim", 0, null, (m, buf, who, current) -> reclaimWrite(w, m, buf)));
        f.add(ro("swap.current", m -> bytes(m.swap().usage())));
        f.add(rw("swap.high", m -> tunable(m.swapHigh()), (m, pages) -> w.setSwapHigh(m, pages)));
        f.add(rw("swap.max", m -> tunable(m.swap().max()), (m, pages) -> w.setSwapMax(m, pages)));
        f.add(ro("swap.peak", m -> bytes(m.swap().watermark())));
        f.add(ro("swap.events", m -> "high " + m.event(MemcgEvent.SWAP_HIGH) + "\nmax " + m.event(MemcgEvent.SWAP_MAX)
                + "\nfail " + m.event(MemcgEvent.SWAP_FAIL) + "\n"));
        f.add(ro("zswap.current", m -> "0\n"));
        f.add(rw("zswap.max", m -> tunable(m.zswapMax()), (m, pages) -> w.setZswapMax(m, pages)));
        f.add(new Cftype<>("zswap.writeback", NOT_ON_ROOT, m -> (m.zswapWriteback() ? 1 : 0) + "\n",
                (m, buf, who, current) -> zswapWritebackWrite(w, m, buf)));
        return f;
    }

    /** A limit's setter, in pages. */
    @FunctionalInterface
    private interface PagesWrite {
        void set(MemCgroup m, long pages);
    }

    private static Cftype<MemCgroup> ro(String name, Cftype.Show<MemCgroup> show) {
        return new Cftype<>(name, NOT_ON_ROOT, show, null);
    }

    private static Cftype<MemCgroup> rw(String name, Cftype.Show<MemCgroup> show, PagesWrite write) {
        return new Cftype<>(name, NOT_ON_ROOT, show, (m, buf, who, current) -> {
            long pages = pageCounterMemparse(buf);
            if (pages < 0) {
                return (int) pages;
            }
            write.set(m, pages);
            return 0;
        });
    }

    private static String bytes(long pages) {
        return pages * Page.PAGE_SIZE + "\n";
    }

    /** seq_puts_memcg_tunable(): "max" for PAGE_COUNTER_MAX, else the bytes. */
    static String tunable(long pages) {
        return pages == PageCounter.PAGE_COUNTER_MAX ? "max\n" : bytes(pages);
    }

    /** __memory_events_show(). */
    private static String events(MemCgroup m, boolean local) {
        StringBuilder sb = new StringBuilder();
        for (MemcgEvent e : new MemcgEvent[] {MemcgEvent.LOW, MemcgEvent.HIGH, MemcgEvent.MAX, MemcgEvent.OOM,
            MemcgEvent.OOM_KILL, MemcgEvent.OOM_GROUP_KILL}) {
            sb.append(e.key()).append(' ').append(local ? m.eventLocal(e) : m.event(e)).append('\n');
        }
        return sb.toString();
    }

    /** memory_numa_stat_show(): the node-counter items of memory.stat, per node ("N0=..."). */
    private static String numaStat(Kernel kernel, MemCgroup m) {
        StringBuilder sb = new StringBuilder();
        int nodes = kernel.mm().nrNodes();
        for (MemcgStat.NumaItem item : MemcgStat.numaItems()) {
            sb.append(item.key());
            for (int nid = 0; nid < nodes; nid++) {
                sb.append(" N").append(nid).append('=').append(item.nodeOutput(m, nid));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * page_counter_memparse(): "max", or memparse() of the text (strstrip()ped) in whole pages; -EINVAL for anything
     * else.
     */
    static long pageCounterMemparse(String buf) {
        String s = buf.strip();
        if (s.equals("max")) {
            return PageCounter.PAGE_COUNTER_MAX;
        }
        long bytes = memparse(s);
        if (bytes < 0) {
            return -Errno.EINVAL;
        }
        return Math.min(bytes / Page.PAGE_SIZE, PageCounter.PAGE_COUNTER_MAX);
    }

    /**
     * memparse() (lib/cmdline.c) of a whole string: an unsigned number in C notation (0x hex, 0 octal) and an
     * optional K, M, G, T, P or E suffix, either case. -1 when it is not one, or overflows.
     */
    public static long memparse(String s) {
        int i = 0;
        int radix = 10;
        if (s.startsWith("0x") || s.startsWith("0X")) {
            radix = 16;
            i = 2;
        } else if (s.length() > 1 && s.charAt(0) == '0') {
            radix = 8;
            i = 1;
        }
        int start = i;
        while (i < s.length() && Character.digit(s.charAt(i), radix) >= 0) {
            i++;
        }
        if (i == start && radix != 8) {
            return -1;
        }
        long value;
        try {
            value = i == start ? 0 : Long.parseUnsignedLong(s.substring(start, i), radix);
        } catch (NumberFormatException e) {
            return -1;
        }
        int shift = 0;
        if (i < s.length()) {
            shift = switch (Character.toUpperCase(s.charAt(i))) {
                case 'K' -> 10;
                case 'M' -> 20;
                case 'G' -> 30;
                case 'T' -> 40;
                case 'P' -> 50;
                case 'E' -> 60;
                default -> -1;
            };
            i++;
        }
        if (shift < 0 || i != s.length() || value < 0 || shift > 0 && value > (Long.MAX_VALUE >>> shift)) {
            return -1;
        }
        return value << shift;
    }

    /** memory_oom_group_write(): kstrtoint, 0 or 1. */
    private static int oomGroupWrite(MemcgWrite w, MemCgroup m, String buf) {
        int v = kstrtoint(buf);
        if (v != 0 && v != 1) {
            return -Errno.EINVAL;
        }
        w.setOomGroup(m, v == 1);
        return 0;
    }

    private static int zswapWritebackWrite(MemcgWrite w, MemCgroup m, String buf) {
        int v = kstrtoint(buf);
        if (v != 0 && v != 1) {
            return -Errno.EINVAL;
        }
        w.setZswapWriteback(m, v == 1);
        return 0;
    }

    /** kstrtoint() of the stripped text; a value outside 0..1 stands for "invalid" here (-1). */
    private static int kstrtoint(String buf) {
        String s = buf.strip();
        return s.equals("0") ? 0 : s.equals("1") ? 1 : -1;
    }

    /**
     * memory_reclaim(): "SIZE" (page_counter_memparse(), whole pages) with an optional " swappiness=N" (0..200; 0
     * reclaims no anonymous pages, any other value reclaims with vm.swappiness's balance); -EINVAL for bad input,
     * -EAGAIN when less than SIZE could be reclaimed.
     */
    private static int reclaimWrite(MemcgWrite w, MemCgroup m, String buf) {
        String[] words = buf.strip().split("\\s+");
        if (words[0].isEmpty() || words.length > 2) {
            return -Errno.EINVAL;
        }
        long bytes = memparse(words[0]);
        if (bytes < 0) {
            return -Errno.EINVAL;
        }
        boolean maySwap = true;
        if (words.length == 2) {
            if (!words[1].startsWith("swappiness=")) {
                return -Errno.EINVAL;
            }
            try {
                int swappiness = Integer.parseInt(words[1].substring("swappiness=".length()));
                if (swappiness < 0 || swappiness > 200) {
                    return -Errno.EINVAL;
                }
                maySwap = swappiness != 0;
            } catch (NumberFormatException e) {
                return -Errno.EINVAL;
            }
        }
        return w.reclaim(m, bytes / Page.PAGE_SIZE, maySwap) ? 0 : -Errno.EAGAIN;
    }
}
