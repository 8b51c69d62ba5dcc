package io.simproc.mm;

import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;

/**
 * The overcommit policy of mm/util.c: {@code __vm_enough_memory} charges a request to vm_committed_as (Committed_AS)
 * and, by {@code overcommit_memory}, lets it through (1, always), refuses only a single request larger than RAM plus
 * swap (0, the heuristic) or holds the total under CommitLimit less the root and per-process reserves (2, strict).
 * Also the writers of the overcommit knobs with their side effects (a write of overcommit_ratio zeroes
 * overcommit_kbytes and the reverse) and the boot defaults of the reserves ({@code init_user_reserve},
 * {@code init_admin_reserve}).
 */
public final class Overcommit {
    public static final int OVERCOMMIT_GUESS = 0;
    public static final int OVERCOMMIT_ALWAYS = 1;
    public static final int OVERCOMMIT_NEVER = 2;
    /** SZ_128K and SZ_8K in kB: the caps of the boot-time user and admin reserves. */
    static final long USER_RESERVE_CAP_KB = 128 * 1024;
    static final long ADMIN_RESERVE_CAP_KB = 8 * 1024;

    private final MemoryManager mm;
    /** pr_warn_ratelimited's per-call-site state. */
    private final Ratelimit warnRatelimit = new Ratelimit(Ratelimit.DEFAULT_INTERVAL_SECONDS * KernelServices.HZ,
            Ratelimit.DEFAULT_BURST);

    /** vm_committed_as: pages charged by accountable mappings (Committed_AS). */
    private long committedAsPages;

    Overcommit(MemoryManager mm) {
        this.mm = mm;
    }

    /** vm_committed_as: pages charged by accountable mappings and shmem objects (Committed_AS). */
    public long committedAsPages() {
        return committedAsPages;
    }

    /** vm_acct_memory() / vm_unacct_memory(). */
    void addCommitted(long pages) {
        committedAsPages += pages;
    }

    /**
     * __vm_enough_memory(): charge {@code pages} to Committed_AS for the address space {@code m} (null when the
     * request is not for a process's mm) and decide. Returns 0 with the charge kept, or -ENOMEM with it undone and
     * the refusal logged (rate limited). CAP_SYS_ADMIN is the current task's.
     */
    public int vmEnoughMemory(MmStruct m, long pages) {
        mm.assertWriter();
        addCommitted(pages);
        VmTunables t = mm.tunables();
        if (t.overcommitMemory == OVERCOMMIT_ALWAYS) {
            return 0;
        }
        if (t.overcommitMemory == OVERCOMMIT_GUESS) {
            if (pages <= mm.vmstat().totalramPages() + mm.swap().totalSwapPages()) {
                return 0;
            }
        } else {
            long allowed = ShowMem.vmCommitLimit(mm);
            if (!mm.services().currentCapSysAdmin()) {
                allowed -= t.adminReserveKbytes >>> (Page.PAGE_SHIFT - 10);
            }
            if (m != null) {
                long reserve = t.userReserveKbytes >>> (Page.PAGE_SHIFT - 10);
                allowed -= Math.min(m.totalVm / 32, reserve);
            }
            if (Math.max(0, committedAsPages) < allowed) {
                return 0;
            }
        }
        warn(pages);
        addCommitted(-pages);
        return -Errno.ENOMEM;
    }

    /** vm_unacct_memory(). */
    void unacct(long pages) {
        addCommitted(-pages);
    }

    private void warn(long pages) {
        int[] suppressed = new int[1];
        boolean allowed = warnRatelimit.allow(mm.services().jiffies(), suppressed);
        if (suppressed[0] > 0) {
            mm.services().printk(KernelServices.KERN_WARNING, "__vm_enough_memory: " + suppressed[0]
                    + " callbacks suppressed");
        }
        if (allowed) {
            mm.services().printk(KernelServices.KERN_WARNING, String.format(
                    "__vm_enough_memory: pid: %d, comm: %s, bytes: %d not enough memory for the allocation",
                    mm.services().currentPid(), mm.services().currentComm(), pages << Page.PAGE_SHIFT));
        }
    }

    /** Whether MAP_NORESERVE is honoured: only when overcommitting is allowed (do_mmap). */
    public boolean honoursNoreserve() {
        return mm.tunables().overcommitMemory != OVERCOMMIT_NEVER;
    }

    /** init_user_reserve() / init_admin_reserve(): 1/32 of free memory, capped at 128 MiB and 8 MiB. */
    void initReserves() {
        long freeKb = mm.vmstat().globalZoneState(ZoneStatItem.NR_FREE_PAGES) << (Page.PAGE_SHIFT - 10);
        mm.tunables().userReserveKbytes = Math.min(freeKb / 32, USER_RESERVE_CAP_KB);
        mm.tunables().adminReserveKbytes = Math.min(freeKb / 32, ADMIN_RESERVE_CAP_KB);
    }

    /** overcommit_policy_handler: 0..2 (the sysctl checked the range). */
    public void setOvercommitMemory(int mode) {
        mm.assertWriter();
        if (mode < OVERCOMMIT_GUESS || mode > OVERCOMMIT_NEVER) {
            throw new IllegalArgumentException("overcommit_memory " + mode);
        }
        mm.tunables().overcommitMemory = mode;
    }

    /** overcommit_ratio_handler: any int; a successful write zeroes overcommit_kbytes. */
    public void setOvercommitRatio(int ratio) {
        mm.assertWriter();
        mm.tunables().overcommitRatio = ratio;
        mm.tunables().overcommitKbytes = 0;
    }

    /** overcommit_kbytes_handler: an unsigned long; a successful write (even of 0) zeroes overcommit_ratio. */
    public void setOvercommitKbytes(long kbytes) {
        mm.assertWriter();
        mm.tunables().overcommitKbytes = kbytes;
        mm.tunables().overcommitRatio = 0;
    }

    public void setUserReserveKbytes(long kbytes) {
        mm.assertWriter();
        mm.tunables().userReserveKbytes = kbytes;
    }

    public void setAdminReserveKbytes(long kbytes) {
        mm.assertWriter();
        mm.tunables().adminReserveKbytes = kbytes;
    }
}
