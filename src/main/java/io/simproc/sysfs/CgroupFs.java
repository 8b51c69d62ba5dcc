package io.simproc.sysfs;

import io.simproc.kernel.Cftype;
import io.simproc.kernel.Cgroup;
import io.simproc.kernel.CgroupSubsys;
import io.simproc.kernel.CgroupSubsysState;
import io.simproc.kernel.Cgroups;
import io.simproc.kernel.Kernel;
import io.simproc.proc.ProcContext;
import io.simproc.proc.ProcDir;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.ProcException;
import io.simproc.proc.ProcFile;
import io.simproc.uapi.Errno;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * /sys/fs/cgroup: the mount point cgroup_init() makes in sysfs, with the cgroup2 hierarchy mounted on it (as the
 * machine's mount table says) — or, on a machine with the legacy layout, systemd's read-only tmpfs holding the v1
 * memory hierarchy at memory/ (v1's files: {@link Cgroup1BaseFiles} and the controller's legacy cftypes). The
 * hierarchy has a directory per live cgroup (the root's 0555, kernfs_create_root(); the others with
 * the mode mkdir(2) gave), in each the core's files ({@link CgroupBaseFiles}, cgroup_psi_files) and every visible
 * controller's ({@link CgroupSubsys#dflCftypes()}, prefixed with its name; visible where the parent enables it, and in
 * the root), then the child cgroups. Files are kernfs ones (cgroup_add_file()): size 0, the mode of their cftype,
 * owned by the cgroup's owner. mkdir and rmdir in these directories make and remove cgroups (cgroup_mkdir(),
 * cgroup_rmdir()); a write goes to the file's cftype as the machine's writer, the whole write consumed on success
 * (cgroup_file_write()); each handler answers for a cgroup removed since the file was opened, as the kernel's do.
 */
final class CgroupFs {
    private CgroupFs() {
    }

    /** The "cgroup" entry of /sys/fs. */
    static ProcDir dir(Kernel kernel) {
        Cgroups cgroups = kernel.cgroups();
        if (!cgroups.onDfl()) {
            Core core = new Core(kernel, cgroups, Cgroup1BaseFiles.files(cgroups), List.of());
            ProcDir memory = cgroupDir("memory", core, cgroups.root());
            ProcDir.DirOps readOnly = new ProcDir.DirOps() {
                @Override
                public int mkdir(String child, int mode, ProcContext ctx) {
                    return -Errno.EROFS;
                }

                @Override
                public int rmdir(String child, ProcContext ctx) {
                    return -Errno.EROFS;
                }
            };
            return new ProcDir("cgroup", 0755, 0, 0, ctx -> List.of(memory),
                    (n, ctx) -> n.equals("memory") ? memory : null, readOnly);
        }
        Core core = new Core(kernel, cgroups, CgroupBaseFiles.files(cgroups), CgroupBaseFiles.psiFiles(kernel));
        return cgroupDir("cgroup", core, cgroups.root());
    }

    /** The core's files: cgroup_base_files[] and cgroup_psi_files[] (v1: cgroup1_base_files[], no psi files). */
    private record Core(Kernel kernel, Cgroups cgroups, List<Cftype<Cgroup>> base, List<Cftype<Cgroup>> psi) {
    }

    private static ProcDir cgroupDir(String name, Core core, Cgroup c) {
        Cgroups cgroups = core.cgroups();
        ProcDir.DirOps ops = new ProcDir.DirOps() {
            @Override
            public int mkdir(String child, int mode, ProcContext ctx) {
                return cgroups.mkdir(c, child, mode, ctx.who());
            }

            @Override
            public int rmdir(String child, ProcContext ctx) {
                Cgroup victim = c.child(child);
                return victim == null ? -Errno.ENOENT : cgroups.rmdir(victim);
            }
        };
        return new ProcDir(name, c.mode(), c.uid(), c.gid(), ctx -> entries(core, c), (n, ctx) -> {
            for (ProcEntry e : files(core, c)) {
                if (e.name().equals(n)) {
                    return e;
                }
            }
            Cgroup child = c.isOnline() ? c.child(n) : null;
            return child == null ? null : cgroupDir(n, core, child);
        }, ops);
    }

    private static List<ProcEntry> entries(Core core, Cgroup c) {
        List<ProcEntry> out = files(core, c);
        if (c.isOnline()) {
            for (Cgroup child : c.children()) {
                out.add(cgroupDir(child.name(), core, child));
            }
        }
        return out;
    }

    /**
     * css_populate_dir() of the cgroup's self css — its base files and psi files, the {io,memory,cpu}.pressure ones
     * hidden while cgroup.pressure is 0 (cgroup_file_show()) — then of each visible controller css.
     */
    private static List<ProcEntry> files(Core core, Cgroup c) {
        Cgroups cgroups = core.cgroups();
        List<ProcEntry> out = new ArrayList<>();
        if (!c.isOnline()) {
            return out;
        }
        for (Cftype<Cgroup> cft : core.base()) {
            if (cft.existsIn(c)) {
                out.add(file(c, cft.name(), cft, () -> c));
            }
        }
        boolean psi = cgroups.onDfl() && core.kernel().sched().cgroupPsi().psiEnabled(c);
        for (Cftype<Cgroup> cft : core.psi()) {
            if (psi || cft.name().equals("cgroup.pressure")) {
                out.add(file(c, cft.name(), cft, () -> c));
            }
        }
        int visible = cgroups.control().cgroupControl(c);
        List<CgroupSubsys<?>> subsys = cgroups.subsystems();
        for (int id = 0; id < subsys.size(); id++) {
            if (subsys.get(id) != null && (visible & (1 << id)) != 0 && c.css(id) != null) {
                addControllerFiles(out, c, subsys.get(id), cgroups.onDfl());
            }
        }
        return out;
    }

    private static <S> void addControllerFiles(List<ProcEntry> out, Cgroup c, CgroupSubsys<S> ss, boolean onDfl) {
        for (Cftype<S> cft : onDfl ? ss.dflCftypes() : ss.legacyCftypes()) {
            if (cft.existsIn(c)) {
                String name = (cft.flags() & Cftype.CFTYPE_NO_PREFIX) != 0 ? cft.name() : ss.name() + "." + cft.name();
                out.add(file(c, name, cft, () -> {
                    CgroupSubsysState<S> css = c.css(ss);
                    if (css == null) {
                        throw new ProcException(Errno.ENODEV);
                    }
                    return css.data();
                }));
            }
        }
    }

    /** The kernfs file of a cftype; {@code target} gives what its functions act on (the cgroup, or a css's state). */
    private static <S> ProcFile file(Cgroup c, String name, Cftype<S> cft, java.util.function.Supplier<S> target) {
        ProcFile.Renderer show = ctx -> {
            if (cft.show() == null) {
                throw new ProcException(Errno.EINVAL);
            }
            String text = cft.show().show(target.get());
            if (text == null) {
                throw new ProcException(Errno.EINVAL);
            }
            return text.getBytes(StandardCharsets.US_ASCII);
        };
        ProcFile.Writer write = cft.write() == null ? null : (ctx, data, offset) -> {
            if (data.length == 0) {
                return 0;
            }
            int n = 0;
            while (n < data.length && data[n] != 0) {
                n++;
            }
            String buf = new String(data, 0, n, StandardCharsets.ISO_8859_1);
            int r = cft.write().write(target.get(), buf, ctx.who(), ctx.current());
            return r < 0 ? r : data.length;
        };
        return new ProcFile(name, cft.mode(), c.uid(), c.gid(), show, write, ProcFile.Kind.PROC);
    }
}
