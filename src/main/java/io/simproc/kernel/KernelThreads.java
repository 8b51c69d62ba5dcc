package io.simproc.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * The kernel threads a 6.18 x86_64 kernel starts at boot, in creation order, with their comm, state, PF_ flags and
 * nice value as a real 6.18 machine shows them; per-CPU threads are created for every CPU and kswapd/kcompactd
 * for every node.
 */
final class KernelThreads {
    static final int KTHREADD_PID = 2;

    private static final int KT = 0x208040;
    private static final int KT_PLAIN = 0x200040;
    private static final int KT_PERCPU = 0x4208040;
    private static final int KT_WORKER = 0x4208060;
    private static final int KT_KSWAPD = 0x220840;
    private static final int KT_KCOMPACTD = 0x210040;
    private static final int KT_DEVTMPFS = 0x208140;

    /** One kernel thread to create. */
    record Spec(String comm, Task.State state, int flags, int nice, int cpu) {
    }

    private KernelThreads() {
    }

    static List<Spec> specs(int nrCpus, int nrNodes) {
        List<Spec> s = new ArrayList<>();
        int unboundPool = 2 * nrCpus + 4;
        s.add(new Spec("kthreadd", Task.State.SLEEPING, KT, 0, 0));
        s.add(new Spec("pool_workqueue_release", Task.State.SLEEPING, KT, 0, 0));
        for (String wq : List.of("rcu_gp", "sync_wq", "kvfree_rcu_reclaim", "slub_flushwq", "netns")) {
            s.add(new Spec("kworker/R-" + wq, Task.State.IDLE, KT_WORKER, -20, 0));
        }
        s.add(new Spec("kworker/0:0H-events_highpri", Task.State.IDLE, KT_WORKER, -20, 0));
        s.add(new Spec("kworker/0:1-events", Task.State.IDLE, KT_WORKER, 0, 0));
        s.add(new Spec("kworker/u" + unboundPool + ":0-events_unbound", Task.State.IDLE, KT_WORKER, 0, 0));
        s.add(new Spec("kworker/R-mm_percpu_wq", Task.State.IDLE, KT_WORKER, -20, 0));
        s.add(new Spec("ksoftirqd/0", Task.State.SLEEPING, KT_PERCPU, 0, 0));
        s.add(new Spec("rcu_preempt", Task.State.IDLE, KT, 0, 0));
        s.add(new Spec("rcu_exp_par_gp_kthread_worker/0", Task.State.SLEEPING, KT, 0, 0));
        s.add(new Spec("rcu_exp_gp_kthread_worker", Task.State.SLEEPING, KT, 0, 0));
        s.add(new Spec("migration/0", Task.State.SLEEPING, KT_PERCPU, 0, 0));
        s.add(new Spec("cpuhp/0", Task.State.SLEEPING, KT_PERCPU, 0, 0));
        for (int cpu = 1; cpu < nrCpus; cpu++) {
            s.add(new Spec("cpuhp/" + cpu, Task.State.SLEEPING, KT_PERCPU, 0, cpu));
            s.add(new Spec("migration/" + cpu, Task.State.SLEEPING, KT_PERCPU, 0, cpu));
            s.add(new Spec("ksoftirqd/" + cpu, Task.State.SLEEPING, KT_PERCPU, 0, cpu));
            s.add(new Spec("kworker/" + cpu + ":0-events", Task.State.IDLE, KT_WORKER, 0, cpu));
            s.add(new Spec("kworker/" + cpu + ":0H-events_highpri", Task.State.IDLE, KT_WORKER, -20, cpu));
        }
        s.add(new Spec("kdevtmpfs", Task.State.SLEEPING, KT_DEVTMPFS, 0, 0));
        s.add(new Spec("kworker/R-inet_frag_wq", Task.State.IDLE, KT_WORKER, -20, 0));
        s.add(new Spec("rcu_tasks_kthread", Task.State.IDLE, KT, 0, 0));
        s.add(new Spec("rcu_tasks_rude_kthread", Task.State.IDLE, KT, 0, 0));
        s.add(new Spec("rcu_tasks_trace_kthread", Task.State.IDLE, KT, 0, 0));
        s.add(new Spec("kauditd", Task.State.SLEEPING, KT_PLAIN, 0, 0));
        s.add(new Spec("khungtaskd", Task.State.SLEEPING, KT, 0, 0));
        s.add(new Spec("oom_reaper", Task.State.SLEEPING, KT_PLAIN, 0, 0));
        s.add(new Spec("kworker/u" + unboundPool + ":1-writeback", Task.State.IDLE, KT_WORKER, 0, 0));
        s.add(new Spec("kworker/R-writeback", Task.State.IDLE, KT_WORKER, -20, 0));
        for (int nid = 0; nid < nrNodes; nid++) {
            s.add(new Spec("kcompactd" + nid, Task.State.SLEEPING, KT_KCOMPACTD, 0, 0));
        }
        s.add(new Spec("ksmd", Task.State.SLEEPING, KT_PLAIN, 5, 0));
        s.add(new Spec("khugepaged", Task.State.SLEEPING, KT_PLAIN, 19, 0));
        s.add(new Spec("kworker/R-kblockd", Task.State.IDLE, KT_WORKER, -20, 0));
        s.add(new Spec("kworker/R-blkcg_punt_bio", Task.State.IDLE, KT_WORKER, -20, 0));
        s.add(new Spec("watchdogd", Task.State.SLEEPING, KT, 0, 0));
        s.add(new Spec("kworker/0:1H-kblockd", Task.State.IDLE, KT_WORKER, -20, 0));
        for (int nid = 0; nid < nrNodes; nid++) {
            s.add(new Spec("kswapd" + nid, Task.State.SLEEPING, KT_KSWAPD, 0, 0));
        }
        s.add(new Spec("kworker/R-kthrotld", Task.State.IDLE, KT_WORKER, -20, 0));
        s.add(new Spec("kworker/R-mld", Task.State.IDLE, KT_WORKER, -20, 0));
        s.add(new Spec("kworker/R-ipv6_addrconf", Task.State.IDLE, KT_WORKER, -20, 0));
        s.add(new Spec("kworker/R-ext4-rsv-conversion", Task.State.IDLE, KT_WORKER, -20, 0));
        return s;
    }
}
