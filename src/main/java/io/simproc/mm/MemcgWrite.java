package io.simproc.mm;

import io.simproc.uapi.Errno;

/**
 * What writing a memory cgroup's control files does (the *_write handlers of mm/memcontrol.c), in pages; parsing
 * the text ("max", memparse suffixes) is the file system's. Lowering memory.max below the usage reclaims down to it
 * and, when reclaim cannot, invokes the group's OOM killer, as memory_max_write() does; memory.high reclaims the
 * excess once; memory.reclaim reclaims the amount asked for (proactive reclaim, EAGAIN when it falls short).
 */
public final class MemcgWrite {
    private final MemoryManager mm;

    MemcgWrite(MemoryManager mm) {
        this.mm = mm;
    }

    /**
     * memory_max_write(): the new hard limit; while the usage is above it, drain the per-CPU charge stocks once,
     * reclaim (MAX_RECLAIM_RETRIES attempts that make no progress), then OOM-kill inside the group until it fits or
     * nothing is left to kill.
     */
    public void setMax(MemCgroup memcg, long pages) {
        mm.assertWriter();
        memcg.memory.max = pages;
        int reclaims = Memcontrol.MAX_RECLAIM_RETRIES;
        boolean drained = false;
        while (memcg.memory.usage > pages) {
            if (!drained) {
                mm.memcontrol().charging().drainAllStock(memcg);
                drained = true;
                continue;
            }
            if (reclaims > 0) {
                long freed = mm.memcgReclaim().tryToFreeMemCgroupPages(memcg, memcg.memory.usage - pages,
                        Gfp.GFP_KERNEL, true);
                if (freed == 0) {
                    reclaims--;
                }
                continue;
            }
            mm.memcontrol().memoryEvent(memcg, MemcgEvent.OOM);
            long before = memcg.memory.usage;
            if (!mm.oomKill().memcgOutOfMemory(memcg, Gfp.GFP_KERNEL, 0) || memcg.memory.usage == before) {
                // Nothing to kill, or the victim frees its memory only when it leaves the kernel (the writer
                // itself, signal_pending(current) in the kernel's loop): the limit stands, the usage stays above.
                break;
            }
        }
    }

    /**
     * memory_high_write(): the new throttling limit; the per-CPU charge stocks are drained once, then the usage
     * above it is reclaimed until it is gone or MAX_RECLAIM_RETRIES rounds freed nothing.
     */
    public void setHigh(MemCgroup memcg, long pages) {
        mm.assertWriter();
        memcg.memory.high = pages;
        int retries = Memcontrol.MAX_RECLAIM_RETRIES;
        boolean drained = false;
        while (memcg.memory.usage > pages) {
            if (!drained) {
                mm.memcontrol().charging().drainAllStock(memcg);
                drained = true;
                continue;
            }
            long reclaimed = mm.memcgReclaim().tryToFreeMemCgroupPages(memcg, memcg.memory.usage - pages,
                    Gfp.GFP_KERNEL, true);
            if (reclaimed == 0 && retries-- == 0) {
                break;
            }
        }
    }

    /** memory_low_write(). */
    public void setLow(MemCgroup memcg, long pages) {
        mm.assertWriter();
        memcg.memory.low = pages;
    }

    /** memory_min_write(). */
    public void setMin(MemCgroup memcg, long pages) {
        mm.assertWriter();
        memcg.memory.min = pages;
    }

    /** swap_max_write(): slots already charged stay; new ones are refused above it. */
    public void setSwapMax(MemCgroup memcg, long pages) {
        mm.assertWriter();
        memcg.swap.max = pages;
    }

    /** swap_high_write(). */
    public void setSwapHigh(MemCgroup memcg, long pages) {
        mm.assertWriter();
        memcg.swapHigh = pages;
    }

    /** zswap_max_write(): kept for the file; the machine has no zswap. */
    public void setZswapMax(MemCgroup memcg, long pages) {
        mm.assertWriter();
        memcg.zswapMax = pages;
    }

    /** zswap_writeback_write(). */
    public void setZswapWriteback(MemCgroup memcg, boolean on) {
        mm.assertWriter();
        memcg.zswapWriteback = on;
    }

    /** memory_oom_group_write(). */
    public void setOomGroup(MemCgroup memcg, boolean on) {
        mm.assertWriter();
        memcg.oomGroup = on;
    }

    /** memory_peak_write(): the peak starts again from the current usage. */
    public void resetPeak(MemCgroup memcg) {
        mm.assertWriter();
        memcg.memory.resetWatermark();
    }

    /** swap_peak_write(). */
    public void resetSwapPeak(MemCgroup memcg) {
        mm.assertWriter();
        memcg.swap.resetWatermark();
    }

    /**
     * memory_reclaim() (user_proactive_reclaim()): reclaim {@code pages} from the group in batches, at most
     * MAX_RECLAIM_RETRIES rounds that free nothing. Returns whether the whole amount was reclaimed (else the write
     * fails with EAGAIN).
     */
    public boolean reclaim(MemCgroup memcg, long pages, boolean maySwap) {
        mm.assertWriter();
        long reclaimed = 0;
        int retries = Memcontrol.MAX_RECLAIM_RETRIES;
        while (reclaimed < pages) {
            long batch = Math.max(Vmscan.SWAP_CLUSTER_MAX, (pages - reclaimed) / 4);
            long freed = mm.memcgReclaim().tryToFreeMemCgroupPages(memcg, Math.min(batch, pages - reclaimed),
                    Gfp.GFP_KERNEL, maySwap);
            if (freed == 0 && --retries == 0) {
                return false;
            }
            reclaimed += freed;
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------------------
    // v1 (mm/memcontrol-v1.c)

    /**
     * mem_cgroup_resize_max(): a new memory.limit_in_bytes ({@code memsw} false) or memory.memsw.limit_in_bytes.
     * The memory limit may not exceed the memsw one (-EINVAL either way). Lowering it below the usage reclaims, a
     * SWAP_CLUSTER_MAX batch at a time (without swapping for memsw, which swapping cannot lower), until the usage
     * fits, after one drain of the per-CPU charge stocks; a batch that frees nothing leaves the old limit and returns
     * -EBUSY (page_counter_set_max() refusing).
     */
    public int resizeMax(MemCgroup memcg, long pages, boolean memsw) {
        mm.assertWriter();
        PageCounter counter = memsw ? memcg.memsw : memcg.memory;
        boolean drained = false;
        while (true) {
            boolean invariant = memsw ? pages >= memcg.memory.max : pages <= memcg.memsw.max;
            if (!invariant) {
                return -Errno.EINVAL;
            }
            if (counter.usage <= pages) {
                counter.max = pages;
                return 0;
            }
            if (!drained) {
                mm.memcontrol().charging().drainAllStock(memcg);
                drained = true;
                continue;
            }
            if (mm.memcgReclaim().tryToFreeMemCgroupPages(memcg, 1, Gfp.GFP_KERNEL, !memsw) == 0) {
                return -Errno.EBUSY;
            }
        }
    }

    /** mem_cgroup_write(RES_SOFT_LIMIT): memory.soft_limit_in_bytes (kept; soft-limit reclaim is not modelled). */
    public void setSoftLimit(MemCgroup memcg, long pages) {
        mm.assertWriter();
        memcg.softLimit = pages;
    }

    /** memcg_update_tcp_max(): memory.kmem.tcp.limit_in_bytes; nothing is ever charged to it here. */
    public void setTcpMax(MemCgroup memcg, long pages) {
        mm.assertWriter();
        memcg.tcpmem.max = pages;
    }

    /** mem_cgroup_reset(RES_MAX_USAGE): a *max_usage_in_bytes write restarts the counter's peak at its usage. */
    public void resetWatermark(PageCounter counter) {
        mm.assertWriter();
        counter.resetWatermark();
    }

    /** mem_cgroup_reset(RES_FAILCNT): a *failcnt write zeroes the count. */
    public void resetFailcnt(PageCounter counter) {
        mm.assertWriter();
        counter.failcnt = 0;
    }

    /**
     * mem_cgroup_swappiness_write(): 0..MAX_SWAPPINESS (else -EINVAL); the root's is vm.swappiness itself. A new
     * group starts with its parent's.
     */
    public int setSwappiness(MemCgroup memcg, long value) {
        mm.assertWriter();
        if (value < 0 || value > Vmscan.MAX_SWAPPINESS) {
            return -Errno.EINVAL;
        }
        if (memcg.isRoot()) {
            mm.tunables().setSwappiness((int) value);
        } else {
            memcg.swappiness = (int) value;
        }
        return 0;
    }

    /**
     * mem_cgroup_force_empty(): drain the per-CPU charge stocks, then reclaim everything charged to the group
     * (swapping as needed), giving up after MAX_RECLAIM_RETRIES passes that free nothing; what cannot be reclaimed
     * stays charged.
     */
    public void forceEmpty(MemCgroup memcg) {
        mm.assertWriter();
        mm.memcontrol().charging().drainAllStock(memcg);
        int retries = Memcontrol.MAX_RECLAIM_RETRIES;
        while (retries > 0 && memcg.memory.usage > 0) {
            if (mm.memcgReclaim().tryToFreeMemCgroupPages(memcg, 1, Gfp.GFP_KERNEL, true) == 0) {
                retries--;
            }
        }
    }
}
