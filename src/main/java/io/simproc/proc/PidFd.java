package io.simproc.proc;

import io.simproc.kernel.Files;
import io.simproc.kernel.Task;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * /proc/PID/fd (fs/proc/fd.c): a directory (mode 0500) with a symlink per open descriptor, named by its number,
 * pointing at the file's path, with the file's access mode as its permission bits (read: 0500, write: 0300, both:
 * 0700, as proc_fd_instantiate sets them). Listing and reading the links need the ptrace-read check; a task
 * without a descriptor table (a kernel thread, a zombie) has an empty directory.
 */
final class PidFd {
    private PidFd() {
    }

    static ProcDir dir(Task t) {
        return new ProcDir("fd", 0500, t.uid(), t.gid(), ctx -> links(ctx, t), (name, ctx) -> {
            int fd = ProcBase.nameToInt(name);
            for (ProcEntry e : links(ctx, t)) {
                if (fd >= 0 && e.name().equals(name)) {
                    return e;
                }
            }
            return null;
        });
    }

    private static List<ProcEntry> links(ProcContext ctx, Task t) {
        Task live = ProcBase.live(ctx, t, false);
        List<ProcEntry> out = new ArrayList<>();
        if (live == null || live.files() == null || !ProcBase.ptraceMayRead(ctx.who(), live)) {
            return out;
        }
        for (Map.Entry<Integer, Files.OpenFile> e : live.files().fds().entrySet()) {
            Files.OpenFile f = e.getValue();
            int fd = e.getKey();
            int mode = 0100 | (f.readable() ? 0400 : 0) | (f.writable() ? 0200 : 0);
            out.add(new ProcLink(Integer.toString(fd), mode, t.uid(), t.gid(), c -> target(c, t, fd)));
        }
        return out;
    }

    /** proc_fd_link(): the path of what the descriptor names now, or null when it is closed or the task gone. */
    private static String target(ProcContext ctx, Task t, int fd) {
        Task live = ProcBase.live(ctx, t, false);
        if (live == null || live.files() == null || !ProcBase.ptraceMayRead(ctx.who(), live)) {
            return null;
        }
        Files.OpenFile f = live.files().fds().get(fd);
        return f == null ? null : f.path();
    }
}
