package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.Task;
import io.simproc.kernel.TaskList;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;

import java.util.ArrayList;
import java.util.List;

/**
 * The per-process part of /proc (fs/proc/base.c): the pid directories the root lists (every thread-group leader,
 * proc_pid_readdir) and resolves (any task id, threads too, proc_pid_lookup), their entries as in
 * {@code tgid_base_stuff} and {@code tid_base_stuff} (a subset, in the kernel's order and modes), the
 * {@code task/} directory, and the {@code self} and {@code thread-self} links.
 *
 * <p>A directory is made for the task a lookup found and owned by its uid and gid (task_dump_owner). Its files
 * check at every rendering that this very task still exists (a pid that died, or was reused, reads as ESRCH),
 * so a handle opened before the death keeps the bytes rendered at open and only a new rendering fails.
 */
final class ProcBase {
    /** The readers' view of "current" when the caller is not a simulated task: the log names it so. */
    static final String HOST_WRITER_COMM = "bash";

    private ProcBase() {
    }

    // ---------------------------------------------------------------------------------------------------------
    // The root's pid entries

    /** proc_pid_readdir(): the pid directories, thread-group leaders in pid order (zombies included). */
    static List<ProcEntry> pidDirs(Kernel k) {
        List<ProcEntry> out = new ArrayList<>();
        for (Task t : k.tasks().all()) {
            if (t.isLeader()) {
                out.add(tgidDir(t));
            }
        }
        return out;
    }

    /** proc_pid_lookup(): the directory of any task id (a thread's too, though the root lists only leaders). */
    static ProcEntry lookupPid(String name, Kernel k) {
        int pid = nameToInt(name);
        if (pid <= 0) {
            return null;
        }
        Task t = k.tasks().get(pid);
        return t == null ? null : tgidDir(t);
    }

    /** name_to_int(): a decimal without sign or leading zero that fits an int, else -1. */
    static int nameToInt(String name) {
        int n = name.length();
        if (n == 0 || n > 10 || (n > 1 && name.charAt(0) == '0')) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v > Integer.MAX_VALUE ? -1 : (int) v;
    }

    /** /proc/self: the reader's process, as the simulated machine shows it. */
    static ProcLink selfLink() {
        return new ProcLink("self", 0, 0, ctx -> {
            Task t = selfTask(ctx);
            return t == null ? null : Integer.toString(t.tgid());
        });
    }

    /** /proc/thread-self: "TGID/task/TID" of the reader's thread. */
    static ProcLink threadSelfLink() {
        return new ProcLink("thread-self", 0, 0, ctx -> {
            Task t = selfTask(ctx);
            return t == null ? null : t.tgid() + "/task/" + t.pid();
        });
    }

    /**
     * The simulated task a reader is: its pid in its own pid namespace when a user task has that pid (a tool
     * started by simproc-exec is pid 1 there; a reader is never a kernel thread), else init, else the lowest pid (a
     * machine without init); null on a machine without tasks.
     */
    static Task selfTask(ProcContext ctx) {
        TaskList tasks = ctx.kernel().tasks();
        int ns = ctx.who().nsPid();
        Task same = ns > 0 ? tasks.get(ns) : null;
        if (same != null && !same.isKthread()) {
            return same;
        }
        Task init = tasks.get(1);
        if (init != null) {
            return init;
        }
        for (Task t : tasks.all()) {
            return t;
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Pid directories

    /** /proc/PID: tgid_base_stuff for task t. */
    static ProcDir tgidDir(Task t) {
        return new ProcDir(Integer.toString(t.pid()), 0555, t.uid(), t.gid(), ctx -> entries(t, true, TGID),
                (name, ctx) -> entry(t, true, name));
    }

    /** /proc/PID/task/TID: tid_base_stuff for thread t. */
    static ProcDir tidDir(Task t) {
        return new ProcDir(Integer.toString(t.pid()), 0555, t.uid(), t.gid(), ctx -> entries(t, false, TID),
                (name, ctx) -> entry(t, false, name));
    }

    /** /proc/PID/task: one directory per thread of the process. */
    private static ProcDir taskDir(Task t) {
        return new ProcDir("task", 0555, t.uid(), t.gid(), ctx -> {
            Kernel k = ctx.kernel();
            List<ProcEntry> out = new ArrayList<>();
            for (int tid : k.processes().leaderOf(t).threads()) {
                Task thread = k.tasks().get(tid);
                if (thread != null) {
                    out.add(tidDir(thread));
                }
            }
            return out;
        }, (name, ctx) -> {
            Kernel k = ctx.kernel();
            Task thread = k.tasks().get(nameToInt(name));
            return thread == null || thread.tgid() != t.tgid() ? null : tidDir(thread);
        });
    }

    /** Entries of a process directory, in the kernel's readdir order. */
    private static final List<String> TGID = List.of("task", "fd", "ns", "net", "environ", "status", "limits",
            "comm", "cmdline", "stat", "statm", "maps", "numa_maps", "exe", "mounts", "mountinfo", "smaps",
            "smaps_rollup", "schedstat", "cgroup", "oom_score", "oom_adj", "oom_score_adj", "io",
            "ksm_merging_pages", "ksm_stat");
    /** Entries of a thread directory, in the kernel's readdir order. */
    private static final List<String> TID = List.of("fd", "ns", "net", "environ", "status", "limits", "comm",
            "cmdline", "stat", "statm", "maps", "children", "numa_maps", "exe", "mounts", "mountinfo", "smaps",
            "smaps_rollup", "schedstat", "cgroup", "oom_score", "oom_adj", "oom_score_adj", "io",
            "ksm_merging_pages", "ksm_stat");

    private static List<ProcEntry> entries(Task t, boolean whole, List<String> names) {
        List<ProcEntry> out = new ArrayList<>(names.size());
        for (String name : names) {
            out.add(entry(t, whole, name));
        }
        return out;
    }

    /** One entry of a pid directory ({@code whole}: of /proc/PID rather than /proc/PID/task/TID), or null. */
    private static ProcEntry entry(Task t, boolean whole, String name) {
        return switch (name) {
            case "task" -> whole ? taskDir(t) : null;
            case "fd" -> PidFd.dir(t);
            case "ns" -> PidNs.dir(t);
            case "net" -> ProcNet.dir(t);
            case "limits" -> file(t, name, 0444, new PidLimits(t), null);
            case "numa_maps" -> file(t, name, 0444, new PidNumaMaps(t), null);
            case "schedstat" -> file(t, name, 0444, new PidSchedstat(t), null);
            case "cgroup" -> file(t, name, 0444, new PidCgroup(t), null);
            case "environ" -> file(t, name, 0400, new PidEnviron(t), null);
            case "status" -> file(t, name, 0444, new PidStatus(t), null);
            case "comm" -> {
                PidComm comm = new PidComm(t);
                yield file(t, name, 0644, comm, comm);
            }
            case "cmdline" -> file(t, name, 0444, new PidCmdline(t), null);
            case "stat" -> file(t, name, 0444, new PidStat(t, whole), null);
            case "statm" -> file(t, name, 0444, new PidStatm(t), null);
            case "maps" -> file(t, name, 0444, new PidMaps(t), null);
            case "children" -> whole ? null : file(t, name, 0444, new PidChildren(t), null);
            case "exe" -> new ProcLink("exe", t.uid(), t.gid(), ctx -> {
                Task live = live(ctx, t, false);
                return live == null || live.isKthread() ? null : live.exe();
            });
            case "mounts" -> file(t, name, 0444, new PidMounts(t, false), null);
            case "mountinfo" -> file(t, name, 0444, new PidMounts(t, true), null);
            case "io" -> file(t, name, 0400, new PidIo(t, whole), null);
            case "smaps" -> file(t, name, 0444, new PidSmaps(t), null);
            case "smaps_rollup" -> file(t, name, 0444, new SmapsRollup(t), null);
            case "ksm_merging_pages" -> file(t, name, 0400, new PidKsm(t, false), null);
            case "ksm_stat" -> file(t, name, 0400, new PidKsm(t, true), null);
            case "oom_score" -> file(t, name, 0444, new OomScore(t), null);
            case "oom_adj" -> {
                OomAdj adj = new OomAdj(t);
                yield file(t, name, 0644, adj, adj);
            }
            case "oom_score_adj" -> {
                OomScoreAdj adj = new OomScoreAdj(t);
                yield file(t, name, 0644, adj, adj);
            }
            default -> null;
        };
    }

    private static ProcFile file(Task t, String name, int mode, ProcFile.Renderer r, ProcFile.Writer w) {
        return new ProcFile(name, mode, t.uid(), t.gid(), r, w, false);
    }

    // ---------------------------------------------------------------------------------------------------------
    // What the files share

    /** The task, if it still exists; else ESRCH (when {@code orThrow}) or null. */
    static Task live(ProcContext ctx, Task t, boolean orThrow) {
        if (ctx.kernel().tasks().get(t.pid()) == t) {
            return t;
        }
        if (orThrow) {
            throw new ProcException(Errno.ESRCH);
        }
        return null;
    }

    /** The task, if it still exists, else {@link ProcException} ESRCH. */
    static Task live(ProcContext ctx, Task t) {
        return live(ctx, t, true);
    }

    /**
     * ptrace_may_access(PTRACE_MODE_READ_FSCREDS): root (CAP_SYS_PTRACE) or a reader whose uid and gid are the
     * task's. What maps and smaps need at open, and what /proc/PID/stat needs to show its address fields.
     */
    static boolean ptraceMayRead(Credentials who, Task t) {
        return who.isRoot() || who.uid() == t.uid() && who.gid() == t.gid();
    }

    /** The thread group leader of t (t itself if the leader is gone). */
    static Task leader(Kernel k, Task t) {
        return k.processes().leaderOf(t);
    }
}
