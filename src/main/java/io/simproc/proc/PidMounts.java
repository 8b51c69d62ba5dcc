package io.simproc.proc;

import io.simproc.kernel.Mounts;
import io.simproc.kernel.Task;

/**
 * /proc/PID/mounts and /proc/PID/mountinfo (fs/proc_namespace.c show_vfsmnt(), show_mountinfo()) of the task's
 * mount namespace. mounts: source, mount point, type, then "rw" or "ro", the per-mount flags and the super
 * block's own options, and "0 0". mountinfo: mount id, parent id, major:minor, the root of the mount within its
 * file system, the mount point, the per-mount options, the optional fields ("shared:N"), "-", the type, the source
 * and the super block's options. Paths are escaped as seq_path() escapes them (space, tab, newline, backslash).
 */
public final class PidMounts implements ProcFile.Renderer {
    private final Task task;
    private final boolean info;

    PidMounts(Task task, boolean info) {
        this.task = task;
        this.info = info;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        ProcBase.live(ctx, task);
        Seq s = new Seq(1024);
        for (Mounts.Mount m : ctx.kernel().mounts().all()) {
            if (info) {
                s.put(m.id()).put(' ').put(m.parentId()).put(' ').put(m.major()).put(':').put(m.minor())
                        .put(" / ").put(Swaps.escape(m.mountPoint())).put(' ').put(m.mountOptions());
                if (m.peerGroup() != 0) {
                    s.put(" shared:").put(m.peerGroup());
                }
                s.put(" - ").put(m.fstype()).put(' ').put(Swaps.escape(m.source())).put(' ').put(m.superOptions())
                        .nl();
            } else {
                s.put(Swaps.escape(m.source())).put(' ').put(Swaps.escape(m.mountPoint())).put(' ').put(m.fstype())
                        .put(' ').put(m.mountOptions()).put(m.superOptions().substring(2)).put(" 0 0").nl();
            }
        }
        return s.bytes();
    }
}
