package io.simproc.kernel;

import io.simproc.mm.Memcg1Stat;
import io.simproc.mm.MemCgroup;
import io.simproc.mm.MemcgWrite;
import io.simproc.mm.Memcontrol;
import io.simproc.mm.PageCounter;
import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The v1 memory controller's files (mm/memcontrol-v1.c: mem_cgroup_legacy_files[], then memsw_files[]), in every
 * cgroup of the v1 memory hierarchy, the root included. The counters' files read their page counter in bytes
 * (mem_cgroup_read_u64(): usage, limit, max_usage, failcnt; the root's usage is mem_cgroup_usage()'s approximation
 * from the machine's state); a write to a max_usage or failcnt file, whatever it says, resets that counter
 * (mem_cgroup_reset()); limits take a memparse() size or "-1" for none (page_counter_memparse(buf, "-1")) and are
 * refused on the root. What the machine does not model is refused with the kernel's own errno rather than taken
 * and ignored: oom_kill_disable 1 (a task waiting in the group's OOM instead of being killed) and the
 * cgroup.event_control registrations (no eventfd exists to name) — EINVAL and EBADF. memory.kmem.* read memcg1's
 * kmem counter, which nothing charges yet; memory.kmem.tcp.* its socket counter, which the machine, without
 * sockets, never charges either.
 */
final class Memcg1Files {
    private static final int NO_PREFIX = Cftype.CFTYPE_NO_PREFIX;

    private Memcg1Files() {
    }

    static List<Cftype<MemCgroup>> cftypes(Kernel kernel) {
        Memcontrol memcontrol = kernel.mm().memcontrol();
        MemcgWrite w = memcontrol.write();
        int nodes = kernel.mm().nrNodes();
        List<Cftype<MemCgroup>> f = new ArrayList<>();
        f.add(ro("usage_in_bytes", m -> bytes(memcontrol.usage(m, false))));
        f.add(reset("max_usage_in_bytes", MemCgroup::memory, true, w));
        f.add(limit("limit_in_bytes", m -> m.memory().max(), (m, pages) -> w.resizeMax(m, pages, false)));
        f.add(new Cftype<>("soft_limit_in_bytes", 0, m -> bytes(m.softLimit()), (m, buf, who, current) -> {
            long pages = pageCounterMemparse(buf);
            if (pages < 0) {
                return (int) pages;
            }
            w.setSoftLimit(m, pages);
            return 0;
        }));
        f.add(reset("failcnt", MemCgroup::memory, false, w));
        f.add(ro("stat", m -> String.join("\n", Memcg1Stat.format(m)) + "\n"));
        f.add(new Cftype<>("force_empty", 0, null, (m, buf, who, current) -> {
            if (m.isRoot()) {
                return -Errno.EINVAL;
            }
            w.forceEmpty(m);
            return 0;
        }));
        f.add(u64("use_hierarchy", m -> 1L, (m, v) -> v == 1 ? 0 : -Errno.EINVAL));
        f.add(new Cftype<>("cgroup.event_control", NO_PREFIX | Cftype.CFTYPE_WORLD_WRITABLE, null,
                (m, buf, who, current) -> eventControlWrite(buf)));
        f.add(u64("swappiness", m -> (long) memcontrol.swappiness(m), (m, v) -> w.setSwappiness(m, v)));
        f.add(u64("move_charge_at_immigrate", m -> 0L, (m, v) -> -Errno.EINVAL));
        f.add(new Cftype<>("oom_control", 0, m -> "oom_kill_disable " + (m.oomKillDisable() ? 1 : 0)
                + "\nunder_oom 0\noom_kill " + m.event(io.simproc.mm.MemcgEvent.OOM_KILL) + "\n",
                (m, buf, who, current) -> {
                    long v = kstrtoull(buf);
                    if (v < 0) {
                        return (int) v;
                    }
                    return m.isRoot() || v != 0 ? -Errno.EINVAL : 0;
                }));
        f.add(ro("pressure_level", m -> null));
        f.add(ro("numa_stat", m -> Memcg1Stat.numaStat(m, nodes)));
        f.add(limit("kmem.limit_in_bytes", m -> m.kmem().max(), (m, pages) -> 0));
        f.add(ro("kmem.usage_in_bytes", m -> bytes(m.kmem().usage())));
        f.add(reset("kmem.failcnt", MemCgroup::kmem, false, w));
        f.add(reset("kmem.max_usage_in_bytes", MemCgroup::kmem, true, w));
        f.add(ro("kmem.slabinfo", m -> ""));
        f.add(limit("kmem.tcp.limit_in_bytes", m -> m.tcpmem().max(), (m, pages) -> {
            w.setTcpMax(m, pages);
            return 0;
        }));
        f.add(ro("kmem.tcp.usage_in_bytes", m -> bytes(m.tcpmem().usage())));
        f.add(reset("kmem.tcp.failcnt", MemCgroup::tcpmem, false, w));
        f.add(reset("kmem.tcp.max_usage_in_bytes", MemCgroup::tcpmem, true, w));
        f.add(ro("memsw.usage_in_bytes", m -> bytes(memcontrol.usage(m, true))));
        f.add(reset("memsw.max_usage_in_bytes", MemCgroup::memsw, true, w));
        f.add(limit("memsw.limit_in_bytes", m -> m.memsw().max(), (m, pages) -> w.resizeMax(m, pages, true)));
        f.add(reset("memsw.failcnt", MemCgroup::memsw, false, w));
        return f;
    }

    /** A limit's setter, in pages: 0 or -errno. */
    @FunctionalInterface
    private interface LimitWrite {
        int set(MemCgroup m, long pages);
    }

    /** A write_u64 handler: 0 or -errno. */
    @FunctionalInterface
    private interface U64Write {
        int set(MemCgroup m, long value);
    }

    private static Cftype<MemCgroup> ro(String name, Cftype.Show<MemCgroup> show) {
        return new Cftype<>(name, 0, show, null);
    }

    private static String bytes(long pages) {
        return pages * Page.PAGE_SIZE + "\n";
    }

    /** A RES_LIMIT file: mem_cgroup_write() — the root's limits cannot be set. */
    private static Cftype<MemCgroup> limit(String name, Function<MemCgroup, Long> max, LimitWrite write) {
        return new Cftype<>(name, 0, m -> bytes(max.apply(m)), (m, buf, who, current) -> {
            long pages = pageCounterMemparse(buf);
            if (pages < 0) {
                return (int) pages;
            }
            return m.isRoot() ? -Errno.EINVAL : write.set(m, pages);
        });
    }

    /** A RES_MAX_USAGE ({@code watermark}) or RES_FAILCNT file: read_u64, and any write resets it. */
    private static Cftype<MemCgroup> reset(String name, Function<MemCgroup, PageCounter> counter, boolean watermark,
                                           MemcgWrite w) {
        return new Cftype<>(name, 0, m -> watermark ? bytes(counter.apply(m).watermark())
                : counter.apply(m).failcnt() + "\n", (m, buf, who, current) -> {
                    if (watermark) {
                        w.resetWatermark(counter.apply(m));
                    } else {
                        w.resetFailcnt(counter.apply(m));
                    }
                    return 0;
                });
    }

    /** A read_u64/write_u64 file: cgroup_file_write() parses with kstrtoull(buf, 0). */
    private static Cftype<MemCgroup> u64(String name, Function<MemCgroup, Long> read, U64Write write) {
        return new Cftype<>(name, 0, m -> read.apply(m) + "\n", (m, buf, who, current) -> {
            long v = kstrtoull(buf);
            return v < 0 ? (int) v : write.set(m, v);
        });
    }

    /** page_counter_memparse(strstrip(buf), "-1"): "-1" is no limit; -EINVAL for what memparse() leaves over. */
    static long pageCounterMemparse(String buf) {
        String s = buf.strip();
        if (s.equals("-1")) {
            return PageCounter.PAGE_COUNTER_MAX;
        }
        long bytes = MemcgFiles.memparse(s);
        if (bytes < 0) {
            return -Errno.EINVAL;
        }
        return Math.min(bytes / Page.PAGE_SIZE, PageCounter.PAGE_COUNTER_MAX);
    }

    /**
     * kstrtoull(buf, 0): a number in C notation (0x hex, 0 octal) with at most one trailing newline; -EINVAL for
     * anything else, -ERANGE past what fits (a value past Long.MAX_VALUE counts as that here: no setting reads one).
     */
    static long kstrtoull(String buf) {
        String s = buf.endsWith("\n") ? buf.substring(0, buf.length() - 1) : buf;
        s = s.startsWith("+") ? s.substring(1) : s;
        int radix = 10;
        if (s.length() > 2 && (s.startsWith("0x") || s.startsWith("0X"))) {
            radix = 16;
            s = s.substring(2);
        } else if (s.length() > 1 && s.charAt(0) == '0') {
            radix = 8;
            s = s.substring(1);
        }
        if (s.isEmpty()) {
            return -Errno.EINVAL;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), radix) < 0) {
                return -Errno.EINVAL;
            }
        }
        try {
            return Long.parseLong(s, radix);
        } catch (NumberFormatException e) {
            return -Errno.ERANGE;
        }
    }

    /**
     * memcg_write_event_control(): "EVENT_FD CONTROL_FD [ARGS]" registers an eventfd for a notification. Malformed
     * text is EINVAL; a well-formed one names an eventfd the simulated machine cannot have: EBADF.
     */
    private static int eventControlWrite(String buf) {
        return buf.strip().matches("[0-9]+ [0-9]+( .*)?") ? -Errno.EBADF : -Errno.EINVAL;
    }
}
