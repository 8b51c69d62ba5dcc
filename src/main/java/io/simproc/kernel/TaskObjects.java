package io.simproc.kernel;

import io.simproc.mm.Gfp;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.slab.KernelCaches;
import io.simproc.mm.slab.KmemCache;
import io.simproc.mm.slab.Slab;

/**
 * The kernel objects copy_process() allocates for a task and release_task()/free_task() give back: every task has
 * a task_struct and a struct pid; a new process (not a CLONE_THREAD thread) also gets its own cred, signal_struct
 * and sighand_struct, and its own files_struct and fs_struct unless it is a kernel thread sharing kthreadd's
 * (CLONE_FILES | CLONE_FS). Threads share their process's. Every task has its kernel stack until it dies; the other
 * objects live until the task is reaped.
 */
final class TaskObjects {
    private final Kernel kernel;
    private final MemoryManager mm;

    TaskObjects(Kernel kernel) {
        this.kernel = kernel;
        this.mm = kernel.mm();
    }

    /**
     * copy_process(): allocate the task's objects on its CPU, charged to the memory cgroup of the task forking it
     * (current: the parent process, or the thread group's leader for a thread) — task_struct, pid, cred, signal,
     * sighand, files and fs are SLAB_ACCOUNT caches, and the kernel stack is charged page by page.
     */
    void alloc(Task t) {
        Task forker = kernel.tasks().get(t.isLeader() ? t.ppid() : t.tgid());
        if (forker == null || forker == t) {
            allocObjects(t);
        } else {
            kernel.chargingTo(forker, () -> {
                allocObjects(t);
                return null;
            });
        }
    }

    private void allocObjects(Task t) {
        Slab slab = mm.slab();
        KernelCaches kc = slab.kernelCaches();
        boolean process = t.isLeader();
        boolean sharesFiles = t.isKthread() && t.ppid() == KernelThreads.KTHREADD_PID;
        KmemCache[] wanted = process
                ? (sharesFiles ? new KmemCache[] {kc.taskStruct, kc.pid, kc.credJar, kc.signalCache, kc.sighandCache}
                        : new KmemCache[] {kc.taskStruct, kc.pid, kc.credJar, kc.signalCache, kc.sighandCache,
                            kc.filesCache, kc.fsCache})
                : new KmemCache[] {kc.taskStruct, kc.pid};
        long[] objs = new long[wanted.length];
        for (int i = 0; i < wanted.length; i++) {
            objs[i] = slab.kmemCacheAlloc(wanted[i], Gfp.GFP_KERNEL, t.cpu());
        }
        t.kobjs = objs;
        t.stack = mm.threadStacks().alloc(t.cpu());
    }

    /** release_task() + free_task(): the task's objects go back to their caches. */
    void free(Task t) {
        Slab slab = mm.slab();
        for (long addr : t.kobjs) {
            slab.kfree(addr, t.cpu());
        }
        t.kobjs = new long[0];
        freeStack(t);
    }

    /** The stack goes when the task dies (finish_task_switch of a dead task), before a zombie is reaped. */
    void freeStack(Task t) {
        if (t.stack != 0) {
            mm.threadStacks().free(t.stack, t.cpu());
            t.stack = 0;
        }
    }
}
