package io.simproc.kernel;

import io.simproc.mm.MmStruct;
import io.simproc.uapi.Errno;

import java.util.List;

/**
 * Process lifecycle of kernel/fork.c and kernel/exit.c: fork (copy_process with a copy-on-write copy of the address
 * space, or a new thread sharing it), exit (the address space goes with its last user, children are reparented to
 * init, the task stays a zombie until its parent reaps it — at once when the parent is init or ignores SIGCHLD),
 * and signals that kill. Also the per-address-space user count threads share, and the OOM adjustment a process
 * is given through /proc/PID/oom_score_adj and oom_adj (__set_oom_adj of fs/proc/base.c).
 *
 * <p>A user process forked from a kernel thread (kthreadd, as user_mode_thread does) is no kernel thread: the
 * child loses PF_KTHREAD and the other per-thread flags copy_process clears, and starts with default signal
 * handling.
 */
public final class Processes {
    public static final int INIT_PID = 1;
    public static final int SIGBUS = 7;
    public static final int SIGKILL = 9;
    public static final int SIGSEGV = 11;
    public static final int SIGTERM = 15;
    public static final int SIGCHLD = 17;

    /** OOM_SCORE_ADJ_MIN / OOM_SCORE_ADJ_MAX of include/uapi/linux/oom.h. */
    public static final int OOM_SCORE_ADJ_MIN = io.simproc.mm.OomKill.OOM_SCORE_ADJ_MIN;
    public static final int OOM_SCORE_ADJ_MAX = io.simproc.mm.OomKill.OOM_SCORE_ADJ_MAX;

    private final Kernel kernel;
    private final java.util.Map<MmStruct, Integer> mmUsers = new java.util.HashMap<>();
    /** pr_warn_once of the oom_adj deprecation notice: printed once per boot. */
    private boolean oomAdjDeprecationLogged;
    /** The errno copy_process() returned for the last fork or clone that failed. */
    private int forkErrno;

    Processes(Kernel kernel) {
        this.kernel = kernel;
    }

    /**
     * fork(): a new process running the same program with a copy-on-write copy of the parent's memory; returns the
     * child, or null when the fork failed ({@link #forkErrno()} says why).
     */
    public Task fork(Task parent) {
        assert kernel.isWriter();
        Task leader = leaderOf(parent);
        int pid = kernel.tasks().allocPid();
        if (pid < 0) {
            forkErrno = -Errno.EAGAIN;
            return null;
        }
        int cpu = pickCpu(pid);
        MmStruct mm = null;
        if (leader.mm() != null) {
            MmStruct parentMm = leader.mm();
            mm = kernel.asCurrent(leader.comm(), leader.pid(), () -> kernel.mm().mmStructs().dupMmap(parentMm, cpu));
            if (mm == null) {
                forkErrno = -Errno.ENOMEM;
                return null;
            }
            mmUsers.put(mm, 1);
        }
        int flags = (leader.flags() & ~(Task.PF_SUPERPRIV | Task.PF_WQ_WORKER | Task.PF_IDLE
                | Task.PF_NO_SETAFFINITY | Task.PF_KTHREAD)) | Task.PF_FORKNOEXEC;
        Task child = new Task(pid, pid, leader.pid(), leader.comm(), Task.State.SLEEPING, flags, leader.nice(),
                kernel.jiffies(), cpu, leader.uid(), leader.gid());
        child.setMm(mm);
        child.setArgv(leader.argv());
        child.setExe(leader.exe());
        child.setSession(leader.pgrp(), leader.session());
        child.setOomScoreAdj(leader.oomScoreAdj());
        child.setOomScoreAdjMin(leader.oomScoreAdjMin());
        // A kernel thread's files are init_files, which holds nothing: its user-mode child starts with none open.
        child.setFiles(leader.files() != null ? kernel.files().dupFd(leader.files()) : new Files.FdTable());
        if (leader.isKthread()) {
            child.setSignals(0, 0);
        } else {
            child.setSignals(leader.sigIgnore(), leader.sigCatch());
        }
        // copy_process(): the controllers may refuse the child (cgroup_can_fork(): the pids controller's -EAGAIN);
        // a fatal signal that came while the child was copied (the OOM killer chose the parent to free what the
        // copy asked for) fails the fork before the child is on the task list (-EINTR).
        int err = kernel.cgroups().tasks().canFork(leader);
        if (err == 0 && (leader.flags() & Task.PF_EXITING) != 0) {
            kernel.cgroups().tasks().cancelFork(leader);
            err = -Errno.EINTR;
        }
        if (err != 0) {
            kernel.files().closeAll(child.files(), cpu);
            if (mm != null) {
                dropMm(mm);
            }
            forkErrno = err;
            return null;
        }
        kernel.tasks().add(child);
        kernel.cgroups().tasks().postFork(child, leader);
        leader.addChild(pid);
        kernel.cpuStat().charge(cpu, CpuStat.Usage.SYSTEM, 60_000 + (mm == null ? 0 : mm.mapCount() * 2_000L));
        return child;
    }

    /** clone(CLONE_VM | CLONE_THREAD): one more thread in the process; null when it failed ({@link #forkErrno()}). */
    public Task newThread(Task process) {
        assert kernel.isWriter();
        Task leader = leaderOf(process);
        int tid = kernel.tasks().allocPid();
        if (tid < 0) {
            forkErrno = -Errno.EAGAIN;
            return null;
        }
        int err = kernel.cgroups().tasks().canFork(leader);
        if (err != 0) {
            forkErrno = err;
            return null;
        }
        Task t = new Task(tid, leader.pid(), leader.ppid(), leader.comm(), Task.State.SLEEPING, leader.flags(),
                leader.nice(), kernel.jiffies(), pickCpu(tid), leader.uid(), leader.gid());
        t.setMm(leader.mm());
        t.setArgv(leader.argv());
        t.setExe(leader.exe());
        t.setSession(leader.pgrp(), leader.session());
        t.setFiles(leader.files());
        if (leader.mm() != null) {
            mmUsers.merge(leader.mm(), 1, Integer::sum);
        }
        kernel.tasks().add(t);
        kernel.cgroups().tasks().postFork(t, leader);
        leader.addThread(tid);
        return t;
    }

    /**
     * The negative errno of the last fork or clone that failed: -EAGAIN without a free pid or when the pids
     * controller refused it, -ENOMEM without memory for the copy, -EINTR when the parent was killed meanwhile.
     */
    public int forkErrno() {
        return forkErrno;
    }

    /** Register the address space a task got from exec as used by one task. */
    void adoptMm(MmStruct mm) {
        mmUsers.put(mm, 1);
    }

    /** mmput(): one user less; the last one tears the address space down. */
    void dropMm(MmStruct mm) {
        int users = mmUsers.getOrDefault(mm, 1) - 1;
        if (users > 0) {
            mmUsers.put(mm, users);
            return;
        }
        mmUsers.remove(mm);
        kernel.mm().mmap().exitMmap(mm);
    }

    /** Tasks sharing this address space (mm_users). */
    public int mmUsers(MmStruct mm) {
        return mmUsers.getOrDefault(mm, 0);
    }

    /**
     * do_exit() for a whole process: every thread ends, the address space is released, children go to init, and
     * the process becomes a zombie holding its exit status — reaped at once if its parent is init (which reaps
     * promptly) or the parent is gone.
     */
    public void exit(Task process, int status) {
        assert kernel.isWriter();
        Task leader = leaderOf(process);
        if (leader.state() == Task.State.ZOMBIE || leader.state() == Task.State.DEAD) {
            return;
        }
        for (int tid : List.copyOf(leader.threads())) {
            if (tid == leader.pid()) {
                continue;
            }
            Task t = kernel.tasks().get(tid);
            if (t != null) {
                if (t.mm() != null) {
                    dropMm(t.mm());
                }
                t.setMm(null);
                kernel.sched().exit(t);
                kernel.cgroups().tasks().release(t);
                kernel.tasks().remove(tid);
                leader.removeThread(tid);
            }
        }
        if (leader.mm() != null) {
            dropMm(leader.mm());
            leader.setMm(null);
        }
        if (leader.files() != null) {
            kernel.files().closeAll(leader.files(), leader.cpu());
            leader.setFiles(null);
        }
        for (int c : List.copyOf(leader.children())) {
            Task child = kernel.tasks().get(c);
            if (child != null) {
                child.reparent(INIT_PID);
                Task init = kernel.tasks().get(INIT_PID);
                if (init != null && init != leader) {
                    init.addChild(c);
                }
                if (child.state() == Task.State.ZOMBIE) {
                    reap(child);
                }
            }
            leader.removeChild(c);
        }
        leader.setExitCode(status);
        kernel.sched().exit(leader);
        leader.setState(Task.State.ZOMBIE);
        leader.setFlags(leader.flags() | Task.PF_EXITING);
        kernel.cgroups().tasks().exit(leader);
        kernel.tasks().taskDead(leader);
        Task parent = kernel.tasks().get(leader.ppid());
        if (parent == null || parent.pid() == INIT_PID || leader.ppid() == 0 || ignoresSigchld(parent)) {
            reap(leader);
        }
    }

    /** A parent that ignores SIGCHLD (as kthreadd ignores every signal) has its children reaped automatically. */
    private static boolean ignoresSigchld(Task parent) {
        return (parent.sigIgnore() & (1L << (SIGCHLD - 1))) != 0;
    }

    /** release_task() after wait(): the zombie disappears and its parent collects its times and faults. */
    public void reap(Task zombie) {
        assert kernel.isWriter();
        if (zombie.state() != Task.State.ZOMBIE) {
            throw new IllegalStateException("pid " + zombie.pid() + " is not a zombie");
        }
        Task parent = kernel.tasks().get(zombie.ppid());
        if (parent != null) {
            parent.cminflt += zombie.minflt + zombie.cminflt;
            parent.cmajflt += zombie.majflt + zombie.cmajflt;
            parent.cutimeNanos += zombie.utimeNanos + zombie.cutimeNanos;
            parent.cstimeNanos += zombie.stimeNanos + zombie.cstimeNanos;
            parent.removeChild(zombie.pid());
        }
        zombie.setState(Task.State.DEAD);
        kernel.cgroups().tasks().release(zombie);
        kernel.tasks().remove(zombie.pid());
    }

    /** setproctitle(): what /proc/PID/cmdline shows for a process that rewrote its arguments. */
    public void setArgv(Task t, List<String> argv) {
        assert kernel.isWriter();
        leaderOf(t).setArgv(argv);
    }

    /**
     * What a service manager sets when it starts a program: its name (comm, prctl(PR_SET_NAME)), user, nice value
     * and oom_score_adj (which also becomes its oom_score_adj_min, as a privileged write does).
     */
    public void setIdentity(Task t, String comm, Integer uid, Integer nice, Integer oomScoreAdj) {
        assert kernel.isWriter();
        Task leader = leaderOf(t);
        if (comm != null) {
            leader.setComm(comm);
        }
        if (uid != null) {
            leader.setCreds(uid, uid);
        }
        if (nice != null) {
            leader.setNice(nice);
        }
        if (oomScoreAdj != null) {
            leader.setOomScoreAdj(oomScoreAdj);
            leader.setOomScoreAdjMin(oomScoreAdj);
        }
    }

    /**
     * Place a process in a cgroup, with its threads (cgroup_attach_task(): a service manager moving what it started
     * into its unit's cgroup); its children inherit it. 0 or a controller's refusal.
     */
    public int setCgroup(Task t, Cgroup cgroup) {
        assert kernel.isWriter();
        return kernel.cgroups().migrate().attachTask(cgroup, leaderOf(t), true);
    }

    /** CPU time a task spent in user mode. */
    public void chargeUser(Task t, long nanos) {
        assert kernel.isWriter();
        kernel.sched().work(t, () -> {
            t.utimeNanos += nanos;
            kernel.cpuStat().charge(t.cpu(), CpuStat.Usage.USER, nanos);
            return null;
        });
    }

    /** A fatal signal: the process exits with it as its status. */
    public void kill(Task process, int signal) {
        exit(process, signal);
    }

    /**
     * __set_oom_adj(): give {@code task}'s process the OOM adjustment {@code adj} (already in oom_score_adj units,
     * -1000..1000) on behalf of a writer; returns 0 or -errno. Lowering needs CAP_SYS_RESOURCE
     * ({@code capSysResource}): below oom_score_adj_min for the oom_score_adj interface, below the current value for
     * the {@code legacy} oom_adj one, else -EACCES. A privileged writer of oom_score_adj also moves
     * oom_score_adj_min. The legacy interface logs its deprecation once per boot, naming the writer. The value is
     * per process (on the leader) and goes to every other process sharing the address space, except kernel threads
     * and init. -ESRCH when the task is gone.
     */
    public int setOomScoreAdj(Task task, int adj, boolean legacy, boolean capSysResource, String writerComm,
                              int writerPid) {
        assert kernel.isWriter();
        if (adj < OOM_SCORE_ADJ_MIN || adj > OOM_SCORE_ADJ_MAX) {
            throw new IllegalArgumentException("oom_score_adj " + adj + " outside -1000..1000");
        }
        if (kernel.tasks().get(task.pid()) != task) {
            return -Errno.ESRCH;
        }
        Task leader = leaderOf(task);
        if (legacy) {
            if (adj < leader.oomScoreAdj() && !capSysResource) {
                return -Errno.EACCES;
            }
            if (!oomAdjDeprecationLogged) {
                oomAdjDeprecationLogged = true;
                kernel.printk(4, String.format("%s (%d): /proc/%d/oom_adj is deprecated, please use /proc/%d/"
                        + "oom_score_adj instead.", writerComm, writerPid, task.pid(), task.pid()));
            }
        } else if (adj < leader.oomScoreAdjMin() && !capSysResource) {
            return -Errno.EACCES;
        }
        boolean moveMin = !legacy && capSysResource;
        leader.setOomScoreAdj(adj);
        if (moveMin) {
            leader.setOomScoreAdjMin(adj);
        }
        MmStruct mm = mmOfProcess(leader);
        if (mm == null) {
            return 0;
        }
        for (Task p : kernel.tasks().all()) {
            if (!p.isLeader() || p.tgid() == leader.tgid() || p.isKthread() || p.pid() == INIT_PID
                    || mmOfProcess(p) != mm) {
                continue;
            }
            p.setOomScoreAdj(adj);
            if (moveMin) {
                p.setOomScoreAdjMin(adj);
            }
        }
        return 0;
    }

    /** find_lock_task_mm(): the address space of a process, from whichever of its threads still has one. */
    private MmStruct mmOfProcess(Task leader) {
        if (leader.mm() != null) {
            return leader.mm();
        }
        for (int tid : leader.threads()) {
            Task t = kernel.tasks().get(tid);
            if (t != null && t.mm() != null) {
                return t.mm();
            }
        }
        return null;
    }

    /** The thread group leader of a task. */
    public Task leaderOf(Task t) {
        if (t.isLeader()) {
            return t;
        }
        Task leader = kernel.tasks().get(t.tgid());
        return leader == null ? t : leader;
    }

    /** Where a new task starts running: spread over the CPUs by pid, deterministically. */
    private int pickCpu(int pid) {
        return Math.floorMod(pid * 7, kernel.profile().nrCpus());
    }
}
