package io.simproc.proc;

import io.simproc.kernel.Task;
import io.simproc.uapi.Errno;

import java.util.ArrayList;
import java.util.List;

/**
 * /proc/PID/ns (fs/proc/namespaces.c): a directory (mode 0511) with a link per namespace type, in ns_entries[]
 * order, pointing at {@code "TYPE:[INUM]"} (ns_get_name()). The simulation has one namespace of each type, the
 * initial one, and every task — kernel threads too (init_nsproxy) — is in it. The initial namespaces' inode
 * numbers are fixed: enum init_ns_ino of include/uapi/linux/nsfs.h, the PROC_*_INIT_INO of include/linux/proc_ns.h
 * (mnt and net included: older kernels allocated those two at boot). The directory's mode lets only its owner
 * (and root) list it, anyone pass through; reading a link needs ptrace read access (proc_ns_readlink(): EACCES
 * without it, or once the task is gone).
 */
final class PidNs {
    /** A namespace type as /proc/PID/ns shows it: the link's name, the type in its target, the inode number. */
    record Ns(String name, String type, long inum) {
    }

    /** PROC_*_INIT_INO of include/linux/proc_ns.h (IPC_NS_INIT_INO... of include/uapi/linux/nsfs.h). */
    static final long PROC_IPC_INIT_INO = 0xEFFFFFFFL;
    static final long PROC_UTS_INIT_INO = 0xEFFFFFFEL;
    static final long PROC_USER_INIT_INO = 0xEFFFFFFDL;
    static final long PROC_PID_INIT_INO = 0xEFFFFFFCL;
    static final long PROC_CGROUP_INIT_INO = 0xEFFFFFFBL;
    static final long PROC_TIME_INIT_INO = 0xEFFFFFFAL;
    static final long PROC_NET_INIT_INO = 0xEFFFFFF9L;
    static final long PROC_MNT_INIT_INO = 0xEFFFFFF8L;

    /** ns_entries[] of a kernel with every namespace type configured, in readdir order. */
    static final List<Ns> ENTRIES = List.of(
            new Ns("net", "net", PROC_NET_INIT_INO),
            new Ns("uts", "uts", PROC_UTS_INIT_INO),
            new Ns("ipc", "ipc", PROC_IPC_INIT_INO),
            new Ns("pid", "pid", PROC_PID_INIT_INO),
            new Ns("pid_for_children", "pid", PROC_PID_INIT_INO),
            new Ns("user", "user", PROC_USER_INIT_INO),
            new Ns("mnt", "mnt", PROC_MNT_INIT_INO),
            new Ns("cgroup", "cgroup", PROC_CGROUP_INIT_INO),
            new Ns("time", "time", PROC_TIME_INIT_INO),
            new Ns("time_for_children", "time", PROC_TIME_INIT_INO));

    private PidNs() {
    }

    static ProcDir dir(Task t) {
        List<ProcEntry> links = new ArrayList<>(ENTRIES.size());
        for (Ns ns : ENTRIES) {
            links.add(new ProcLink(ns.name(), t.uid(), t.gid(), ctx -> target(ctx, t, ns)));
        }
        List<ProcEntry> fixed = List.copyOf(links);
        return new ProcDir("ns", 0511, t.uid(), t.gid(), ctx -> fixed);
    }

    /** proc_ns_readlink(): the name, or EACCES when the task is gone or the reader may not trace it. */
    private static String target(ProcContext ctx, Task t, Ns ns) {
        Task live = ProcBase.live(ctx, t, false);
        if (live == null || !ProcBase.ptraceMayRead(ctx.who(), live)) {
            throw new ProcException(Errno.EACCES);
        }
        return ns.type() + ":[" + ns.inum() + "]";
    }
}
