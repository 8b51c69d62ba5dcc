package io.simproc.kernel;

import io.simproc.mm.MmStruct;

import java.util.List;

/**
 * Process lifecycle of kernel/fork.c and kernel/exit.c: fork (copy_process with a copy-on-write copy of the address
 * space, or a new thread sharing it), exit (the address space goes with its last user, children are reparented to
 * init, the task stays a zombie until its parent reaps it — at once when the parent is init or ignores SIGCHLD),
 * and signals that kill. Also the per-address-space user count threads share.
 */
public final class Processes {
    public static final int INIT_PID = 1;
    public static final int SIGKILL = 9;
    public static final int SIGSEGV = 11;
    public static final int SIGTERM = 15;
    public static final int SIGCHLD = 17;

    private final Kernel kernel;
    private final java.util.Map<MmStruct, Integer> mmUsers = new java.util.HashMap<>();

    Processes(Kernel kernel) {
        this.kernel = kernel;
    }

    /**
     * fork(): a new process running the same program with a copy-on-write copy of the parent's memory; returns the
     * child, or null when there is no pid or memory for it.
     */
    public Task fork(Task parent) {
        assert kernel.isWriter();
        Task leader = leaderOf(parent);
        int pid = kernel.tasks().allocPid();
        if (pid < 0) {
            return null;
        }
        int cpu = pickCpu(pid);
        MmStruct mm = null;
        if (leader.mm() != null) {
            mm = kernel.mm().mmap().dupMmap(leader.mm(), cpu);
            if (mm == null) {
                return null;
            }
            mmUsers.put(mm, 1);
        }
        Task child = new Task(pid, pid, leader.pid(), leader.comm(), Task.State.SLEEPING,
                (leader.flags() | Task.PF_FORKNOEXEC) & ~Task.PF_SUPERPRIV, leader.nice(), kernel.jiffies(), cpu,
                leader.uid(), leader.gid());
        child.setMm(mm);
        child.setArgv(leader.argv());
        child.setExe(leader.exe());
        child.setSession(leader.pgrp(), leader.session());
        child.setOomScoreAdj(leader.oomScoreAdj());
        child.setOomScoreAdjMin(leader.oomScoreAdjMin());
        child.setSignals(leader.sigIgnore(), leader.sigCatch());
        kernel.tasks().add(child);
        leader.addChild(pid);
        kernel.cpuStat().charge(cpu, CpuStat.Usage.SYSTEM, 60_000 + (mm == null ? 0 : mm.mapCount() * 2_000L));
        return child;
    }

    /** clone(CLONE_VM | CLONE_THREAD): one more thread in the process; null without a pid. */
    public Task newThread(Task process) {
        assert kernel.isWriter();
        Task leader = leaderOf(process);
        int tid = kernel.tasks().allocPid();
        if (tid < 0) {
            return null;
        }
        Task t = new Task(tid, leader.pid(), leader.ppid(), leader.comm(), Task.State.SLEEPING, leader.flags(),
                leader.nice(), kernel.jiffies(), pickCpu(tid), leader.uid(), leader.gid());
        t.setMm(leader.mm());
        t.setArgv(leader.argv());
        t.setExe(leader.exe());
        t.setSession(leader.pgrp(), leader.session());
        if (leader.mm() != null) {
            mmUsers.merge(leader.mm(), 1, Integer::sum);
        }
        kernel.tasks().add(t);
        leader.addThread(tid);
        return t;
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
                kernel.tasks().remove(tid);
                leader.removeThread(tid);
            }
        }
        if (leader.mm() != null) {
            dropMm(leader.mm());
            leader.setMm(null);
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
        leader.setState(Task.State.ZOMBIE);
        leader.setFlags(leader.flags() | Task.PF_EXITING);
        Task parent = kernel.tasks().get(leader.ppid());
        if (parent == null || parent.pid() == INIT_PID || leader.ppid() == 0) {
            reap(leader);
        }
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
    public void setIdentity(Task t, String comm, int uid, int nice, int oomScoreAdj) {
        assert kernel.isWriter();
        Task leader = leaderOf(t);
        if (comm != null) {
            leader.setComm(comm);
        }
        leader.setCreds(uid, uid);
        leader.setNice(nice);
        leader.setOomScoreAdj(oomScoreAdj);
        leader.setOomScoreAdjMin(oomScoreAdj);
    }

    /** CPU time a task spent in user mode. */
    public void chargeUser(Task t, long nanos) {
        assert kernel.isWriter();
        t.utimeNanos += nanos;
        kernel.cpuStat().charge(t.cpu(), CpuStat.Usage.USER, nanos);
    }

    /** A fatal signal: the process exits with it as its status. */
    public void kill(Task process, int signal) {
        exit(process, signal);
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
