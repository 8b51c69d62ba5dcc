package io.simproc.proc;

import io.simproc.sysctl.Sysctl;
import io.simproc.sysctl.SysctlTable;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The layout of the simulated /proc: a table of entries like fs/proc/root.c and fs/proc/base.c, with modes as on
 * a 6.18 kernel, /proc/sys built from the {@link SysctlTable}, and the per-process directories, self and
 * thread-self of {@link ProcBase}.
 */
public final class ProcTree {
    private final ProcDir root;

    private ProcTree(ProcDir root) {
        this.root = root;
    }

    public static ProcTree create(SysctlTable sysctls) {
        List<ProcEntry> top = new ArrayList<>();
        top.add(ProcFile.readOnly("buddyinfo", 0444, new Buddyinfo()));
        top.add(ProcFile.readOnly("cgroups", 0444, new ProcCgroups()));
        top.add(ProcFile.readOnly("cpuinfo", 0444, new Cpuinfo()));
        top.add(ProcFile.readOnly("diskstats", 0444, new Diskstats()));
        top.add(ProcFile.readOnly("filesystems", 0444, new Filesystems()));
        top.add(ProcFile.readOnly("interrupts", 0444, new InterruptsFile()));
        top.add(ProcFile.readOnly("iomem", 0444, new Iomem()));
        top.add(ProcFile.readOnly("loadavg", 0444, new Loadavg()));
        top.add(ProcFile.readOnly("meminfo", 0444, new Meminfo()));
        top.add(new ProcLink("mounts", 0, 0, ctx -> "self/mounts"));
        top.add(ProcNet.link());
        top.add(ProcFile.readOnly("pagetypeinfo", 0400, new Pagetypeinfo()));
        top.add(ProcFile.readOnly("partitions", 0444, new Partitions()));
        top.add(Pressure.dir());
        top.add(ProcFile.readOnly("slabinfo", 0400, new Slabinfo()));
        top.add(ProcFile.readOnly("stat", 0444, new Stat()));
        top.add(sysDir(sysctls));
        top.add(ProcTty.dir());
        top.add(ProcFile.readOnly("uptime", 0444, new Uptime()));
        top.add(ProcFile.readOnly("version", 0444, new Version()));
        top.add(ProcFile.readOnly("vmallocinfo", 0400, new Vmallocinfo()));
        top.add(ProcFile.readOnly("vmstat", 0444, new Vmstat()));
        top.add(ProcFile.readOnly("swaps", 0444, new Swaps()));
        top.add(ProcFile.readOnly("zoneinfo", 0444, new Zoneinfo()));
        top.add(ProcFile.readOnly("softirqs", 0444, new Softirqs()));
        return new ProcTree(root(top));
    }

    /**
     * The root: the fixed entries in the order of procfs's name tree (shorter names first, then byte order, as
     * proc_readdir walks it), then what proc_pid_readdir adds — self, thread-self and a directory per process.
     * Lookups also find the directory of any thread id (proc_pid_lookup).
     */
    private static ProcDir root(List<ProcEntry> fixed) {
        List<ProcEntry> sorted = new ArrayList<>(fixed);
        sorted.sort(Comparator.comparingInt((ProcEntry e) -> e.name().length()).thenComparing(ProcEntry::name));
        List<ProcEntry> head = new ArrayList<>(sorted);
        head.add(ProcBase.selfLink());
        head.add(ProcBase.threadSelfLink());
        List<ProcEntry> fixedPart = List.copyOf(head);
        Map<String, ProcEntry> byName = new HashMap<>();
        for (ProcEntry e : fixedPart) {
            byName.put(e.name(), e);
        }
        return new ProcDir("", 0555, 0, 0, ctx -> {
            List<ProcEntry> all = new ArrayList<>(fixedPart);
            all.addAll(ProcBase.pidDirs(ctx.kernel()));
            return all;
        }, (name, ctx) -> {
            ProcEntry e = byName.get(name);
            return e != null ? e : ProcBase.lookupPid(name, ctx.kernel());
        });
    }

    /** /proc/sys: one directory per path component of the sysctl table, files for the knobs. */
    /** Run a sysctl write as the simulated task the writer is (current, for handlers that log it). */
    private static int asWriter(ProcContext ctx, java.util.function.IntSupplier write) {
        io.simproc.kernel.Task t = ProcBase.selfTask(ctx);
        if (t == null) {
            return write.getAsInt();
        }
        return ctx.kernel().asCurrent(t.comm(), t.pid(), write::getAsInt);
    }

    private static ProcDir sysDir(SysctlTable sysctls) {
        Map<String, List<ProcEntry>> dirs = new LinkedHashMap<>();
        dirs.put("", new ArrayList<>());
        for (Sysctl s : sysctls.entries()) {
            int slash = s.path().lastIndexOf('/');
            String dir = s.path().substring(0, slash);
            String name = s.path().substring(slash + 1);
            ProcFile.Writer writer = (s.mode() & 0222) == 0 ? null
                    : (ctx, data, offset) -> asWriter(ctx, () -> s.write(ctx.kernel(), data, offset, ctx.who()));
            ProcFile.Renderer renderer = (s.mode() & 0444) == 0 ? ctx -> new byte[0] : ctx -> s.read(ctx.kernel());
            for (int at = dir.indexOf('/'); at >= 0; at = dir.indexOf('/', at + 1)) {
                dirs.computeIfAbsent(dir.substring(0, at), d -> new ArrayList<>());
            }
            dirs.computeIfAbsent(dir, d -> new ArrayList<>())
                    .add(new ProcFile(name, s.mode(), 0, 0, renderer, writer, true));
        }
        return nest("sys", "", dirs);
    }

    /** The directory at {@code path} of the sysctl table: its files, then its subdirectories (kernel/random...). */
    private static ProcDir nest(String name, String path, Map<String, List<ProcEntry>> dirs) {
        List<ProcEntry> entries = new ArrayList<>(dirs.get(path));
        for (String d : dirs.keySet()) {
            String parent = d.contains("/") ? d.substring(0, d.lastIndexOf('/')) : "";
            if (!d.isEmpty() && parent.equals(path)) {
                entries.add(nest(d.substring(d.lastIndexOf('/') + 1), d, dirs));
            }
        }
        return ProcDir.of(name, entries);
    }

    /** A tree with a given root, for composing trees from other entries. */
    public static ProcTree of(ProcDir root) {
        return new ProcTree(root);
    }

    public ProcDir root() {
        return root;
    }
}
