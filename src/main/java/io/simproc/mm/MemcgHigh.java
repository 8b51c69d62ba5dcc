package io.simproc.mm;

/**
 * memory.high and memory.swap.high (mm/memcontrol.c): a charge that leaves a group above its high is not refused;
 * the charging task owes the pages ({@code current->memcg_nr_pages_over_high}) and pays on its way back to user
 * space (mem_cgroup_handle_over_high(), from resume_user_mode_work()) — or at once, inside the kernel, once it owes
 * more than a charge batch. Paying is reclaiming the owed batch from each group above its high (reclaim_high(),
 * counting a "high" event there), and, while a group stays above, sleeping a penalty that grows with the square of
 * the overage (calculate_high_delay()), up to two seconds per return, in a memory stall (psi_memstall_enter() around
 * schedule_timeout_killable(): the task is in D state).
 *
 * <p>The simulation runs one task at a time, so the owed pages of the task being simulated are one counter here;
 * the kernel side calls {@link #handleOverHigh} when a piece of a task's work returns to user space.
 */
public final class MemcgHigh {
    /** MEMCG_MAX_HIGH_DELAY_JIFFIES: the longest penalty per return to user space, 2 s. */
    static final long MEMCG_MAX_HIGH_DELAY_JIFFIES = 2L * KernelServices.HZ;
    /** MEMCG_DELAY_PRECISION_SHIFT and MEMCG_DELAY_SCALING_SHIFT of calculate_overage()/calculate_high_delay(). */
    private static final int MEMCG_DELAY_PRECISION_SHIFT = 20;
    private static final int MEMCG_DELAY_SCALING_SHIFT = 14;

    private final MemoryManager mm;
    /** current->memcg_nr_pages_over_high of the task being simulated. */
    private long nrPagesOverHigh;

    MemcgHigh(MemoryManager mm) {
        this.mm = mm;
    }

    /**
     * The end of try_charge_memcg() (done_restock), after the page counters were charged {@code batch} pages: when
     * the group or an ancestor is above its memory.high or memory.swap.high, the charging task owes the batch; past
     * a batch owed, it pays now, if it may block. A charge served from the per-CPU stock does not come here.
     */
    void charged(MemCgroup memcg, int batch, int gfp) {
        for (MemCgroup m = memcg; m != null; m = m.parent) {
            if (m.memory.usage > m.memory.high || m.swap.usage > m.swapHigh) {
                nrPagesOverHigh += batch;
                break;
            }
        }
        if (nrPagesOverHigh > MemcgStock.MEMCG_CHARGE_BATCH && (gfp & Gfp.__GFP_DIRECT_RECLAIM) != 0) {
            handleOverHigh(gfp);
        }
    }

    /** Whether the task being simulated owes pages over a memory.high (it must call {@link #handleOverHigh}). */
    public boolean pending() {
        return nrPagesOverHigh != 0;
    }

    /**
     * mem_cgroup_handle_over_high() for the current task: reclaim the owed pages from every group above its high in
     * its address space's group's ancestry; while reclaim makes progress (or has retries left) and the penalty is
     * worth sleeping (more than HZ/100), reclaim again, SWAP_CLUSTER_MAX at a time; then sleep the penalty in a
     * memory stall. A dying task (an OOM victim) does not pay.
     */
    public void handleOverHigh(int gfp) {
        long nrPages = nrPagesOverHigh;
        if (nrPages == 0) {
            return;
        }
        nrPagesOverHigh = 0;
        MmStruct current = mm.services().currentMm();
        if (current == null) {
            return;
        }
        MemCgroup memcg = mm.memcontrol().mmMemcg(current);
        int retries = Memcontrol.MAX_RECLAIM_RETRIES;
        boolean inRetry = false;
        while (!mm.services().currentIsOomVictim()) {
            long reclaimed = reclaimHigh(memcg, inRetry ? Vmscan.SWAP_CLUSTER_MAX : nrPages, gfp);
            long penalty = calculateHighDelay(nrPages, memFindMaxOverage(memcg))
                    + calculateHighDelay(nrPages, swapFindMaxOverage(memcg));
            if (Long.compareUnsigned(penalty, MEMCG_MAX_HIGH_DELAY_JIFFIES) > 0) {
                penalty = MEMCG_MAX_HIGH_DELAY_JIFFIES;
            }
            if (penalty <= KernelServices.HZ / 100) {
                return;
            }
            if (reclaimed != 0 || retries-- != 0) {
                inRetry = true;
                continue;
            }
            mm.services().memstallSleep(penalty);
            return;
        }
    }

    /**
     * reclaim_high(): from the group up to (not including) the root, each group above its memory.high counts a
     * "high" event and has {@code nrPages} reclaimed from it, in a memory stall. Returns the pages freed.
     */
    long reclaimHigh(MemCgroup memcg, long nrPages, int gfp) {
        long reclaimed = 0;
        for (MemCgroup m = memcg; m != null && !m.isRoot(); m = m.parent) {
            if (m.memory.usage <= m.memory.high) {
                continue;
            }
            mm.memcontrol().memoryEvent(m, MemcgEvent.HIGH);
            reclaimed += mm.memcgReclaim().tryToFreeMemCgroupPages(m, nrPages, gfp, true);
        }
        return reclaimed;
    }

    /** calculate_overage(): how far usage is above high, as a fraction of high in 1/2^20 units. */
    static long calculateOverage(long usage, long high) {
        if (usage <= high) {
            return 0;
        }
        long h = Math.max(high, 1);
        return ((usage - h) << MEMCG_DELAY_PRECISION_SHIFT) / h;
    }

    /** mem_find_max_overage(): the largest memory overage from the group up to the root's child. */
    static long memFindMaxOverage(MemCgroup memcg) {
        long max = 0;
        for (MemCgroup m = memcg; m != null && !m.isRoot(); m = m.parent) {
            max = Math.max(max, calculateOverage(m.memory.usage, m.memory.high));
        }
        return max;
    }

    /** swap_find_max_overage(): the same for swap; each group above its swap.high counts a "high" swap event. */
    long swapFindMaxOverage(MemCgroup memcg) {
        long max = 0;
        for (MemCgroup m = memcg; m != null && !m.isRoot(); m = m.parent) {
            long overage = calculateOverage(m.swap.usage, m.swapHigh);
            if (overage != 0) {
                mm.memcontrol().memoryEvent(m, MemcgEvent.SWAP_HIGH);
            }
            max = Math.max(max, overage);
        }
        return max;
    }

    /**
     * calculate_high_delay(): jiffies of penalty, quadratic in the overage (overage² × HZ, scaled down by 2^20 and
     * 2^14), in proportion to the task's share of the charging (its owed pages against a nominal batch). The
     * arithmetic is the kernel's unsigned 64-bit one, wrapping alike for absurd overages (a high of a few pages).
     */
    static long calculateHighDelay(long nrPages, long maxOverage) {
        if (maxOverage == 0) {
            return 0;
        }
        long penalty = maxOverage * maxOverage * KernelServices.HZ;
        penalty >>>= MEMCG_DELAY_PRECISION_SHIFT;
        penalty >>>= MEMCG_DELAY_SCALING_SHIFT;
        return Long.divideUnsigned(penalty * nrPages, MemcgStock.MEMCG_CHARGE_BATCH);
    }
}
