package io.simproc.mm;

/**
 * __alloc_pages_slowpath() of mm/page_alloc.c and what it calls when the first pass over the zonelist failed: waking
 * kswapd, the retry against the min watermark with the reserves the request may use, direct compaction, direct
 * reclaim (draining the per-cpu lists once), should_reclaim_retry(), the OOM killer and warn_alloc().
 */
final class AllocSlowpath {
    private final MemoryManager mm;
    private final PageAlloc pageAlloc;
    private final Ratelimit nopageRatelimit = new Ratelimit(Ratelimit.DEFAULT_INTERVAL_SECONDS * KernelServices.HZ,
            Ratelimit.DEFAULT_BURST);

    AllocSlowpath(PageAlloc pageAlloc, MemoryManager mm) {
        this.pageAlloc = pageAlloc;
        this.mm = mm;
    }

    /** gfp_to_alloc_flags(): the slow path's flags. */
    private int gfpToAllocFlags(int gfp, int order) {
        int allocFlags = PageAlloc.ALLOC_WMARK_MIN | PageAlloc.ALLOC_CPUSET;
        allocFlags |= gfp & (Gfp.__GFP_HIGH | Gfp.__GFP_KSWAPD_RECLAIM);
        if ((gfp & Gfp.__GFP_DIRECT_RECLAIM) == 0) {
            if ((gfp & Gfp.__GFP_NOMEMALLOC) == 0) {
                allocFlags |= PageAlloc.ALLOC_NON_BLOCK;
                if (order > 0 && (allocFlags & PageAlloc.ALLOC_MIN_RESERVE) != 0) {
                    allocFlags |= PageAlloc.ALLOC_HIGHATOMIC;
                }
            }
            if ((allocFlags & PageAlloc.ALLOC_MIN_RESERVE) != 0) {
                allocFlags &= ~PageAlloc.ALLOC_CPUSET;
            }
        }
        return allocFlags | pageAlloc.allocFlagsCma(gfp);
    }

    /**
     * __alloc_pages_slowpath(): wake kswapd, retry against the min watermark (with the reserves GFP allows, and
     * PageAlloc.ALLOC_OOM for an OOM victim); for requests that may block, direct reclaim (draining the per-cpu lists once
     * when it was not enough) and a retry, repeated while {@link #shouldReclaimRetry} sees a chance; then
     * {@link #allocPagesMayOom}, retried as long as the OOM killer makes progress; a failure is reported the way
     * warn_alloc() does.
     */
    int allocPagesSlowpath(int gfp, int order, PageAlloc.AllocContext ac) {
        int allocFlags = gfpToAllocFlags(gfp, order);
        boolean costlyOrder = order > PageAlloc.PAGE_ALLOC_COSTLY_ORDER;
        int[] noProgressLoops = {0};
        int futileOomLoops = 0;
        boolean drained = false;
        while (true) {
            if ((allocFlags & PageAlloc.ALLOC_KSWAPD) != 0) {
                wakeAllKswapds(order, gfp, ac);
            }
            boolean oomVictim = mm.services().currentIsOomVictim() && (gfp & Gfp.__GFP_NOMEMALLOC) == 0;
            int flags = oomVictim ? PageAlloc.ALLOC_OOM | pageAlloc.allocFlagsCma(gfp) | (allocFlags & PageAlloc.ALLOC_KSWAPD) : allocFlags;
            int pfn = pageAlloc.getPageFromFreelist(gfp, order, flags, ac);
            if (pfn >= 0) {
                return pfn;
            }
            if ((gfp & Gfp.__GFP_DIRECT_RECLAIM) == 0) {
                break;
            }
            if (order > 0 && (costlyOrder || ac.migratetype != PageAlloc.MT_MOVABLE)) {
                pfn = allocPagesDirectCompact(gfp, order, flags, ac);
                if (pfn >= 0) {
                    return pfn;
                }
            }
            long progress = allocPagesDirectReclaim(gfp, order, ac);
            pfn = pageAlloc.getPageFromFreelist(gfp, order, flags, ac);
            if (pfn < 0 && !drained) {
                pageAlloc.drainAllPages(null);
                drained = true;
                pfn = pageAlloc.getPageFromFreelist(gfp, order, flags, ac);
            }
            if (pfn >= 0) {
                return pfn;
            }
            if ((gfp & Gfp.__GFP_NORETRY) != 0 || costlyOrder && (gfp & Gfp.__GFP_RETRY_MAYFAIL) == 0) {
                break;
            }
            if (shouldReclaimRetry(order, ac, flags, progress > 0, noProgressLoops)) {
                continue;
            }
            boolean[] oomProgress = new boolean[1];
            long freeBefore = mm.vmstat().globalZoneState(ZoneStatItem.NR_FREE_PAGES);
            pfn = allocPagesMayOom(gfp, order, ac, oomProgress);
            if (pfn >= 0) {
                return pfn;
            }
            if (oomVictim || !oomProgress[0]) {
                break;
            }
            // Progress that freed nothing (an OOM killer that may not act for this request) may not loop forever:
            // at most PageAlloc.MAX_RECLAIM_RETRIES such rounds in a row.
            futileOomLoops = mm.vmstat().globalZoneState(ZoneStatItem.NR_FREE_PAGES) > freeBefore ? 0 : futileOomLoops + 1;
            if (futileOomLoops > PageAlloc.MAX_RECLAIM_RETRIES) {
                break;
            }
            noProgressLoops[0] = 0;
        }
        if ((gfp & Gfp.__GFP_NOWARN) == 0) {
            warnAlloc(gfp, order);
        }
        return -1;
    }

    /**
     * __alloc_pages_direct_reclaim()'s reclaim half: try_to_free_pages() on behalf of the allocating task. Returns
     * the pages reclaimed (did_some_progress).
     */
    private long allocPagesDirectReclaim(int gfp, int order, PageAlloc.AllocContext ac) {
        return mm.vmscan().tryToFreePages(gfp, order, ac.preferredZone.node().nodeId(), ac.highestZoneidx);
    }

    /**
     * should_reclaim_retry(): progress resets the no-progress count (for orders up to costly); after
     * PageAlloc.MAX_RECLAIM_RETRIES fruitless rounds give up; otherwise retry if some zone would pass its min watermark with
     * its free pages plus its reclaimable pages, discounted by the rounds already lost.
     */
    private boolean shouldReclaimRetry(int order, PageAlloc.AllocContext ac, int allocFlags, boolean progress, int[] noProgressLoops) {
        if (progress && order <= PageAlloc.PAGE_ALLOC_COSTLY_ORDER) {
            noProgressLoops[0] = 0;
        } else {
            noProgressLoops[0]++;
        }
        if (noProgressLoops[0] > PageAlloc.MAX_RECLAIM_RETRIES) {
            return false;
        }
        for (Zone z : ac.zonelist) {
            if (!z.isManaged()) {
                continue;
            }
            long available = mm.vmscan().zoneReclaimablePages(z) + z.freePages();
            available -= (noProgressLoops[0] * available + PageAlloc.MAX_RECLAIM_RETRIES - 1) / PageAlloc.MAX_RECLAIM_RETRIES;
            if (pageAlloc.zoneWatermarkOk(z, order, z.minWmarkPages(), ac.highestZoneidx, allocFlags, available)) {
                return true;
            }
        }
        return false;
    }

    /**
     * __alloc_pages_direct_compact(): compact the zonelist for this order (zones whose compaction is deferred are
     * skipped), then try the free lists again; unless every zone was skipped as unsuitable this counts compact_stall
     * and then compact_success (resetting the deferral of the page's zone) or compact_fail.
     */
    private int allocPagesDirectCompact(int gfp, int order, int allocFlags, PageAlloc.AllocContext ac) {
        if (!mm.compaction().tryToCompactPages(ac.zonelist, order, ac.highestZoneidx, ac.migratetype, allocFlags)) {
            return -1;
        }
        int pfn = pageAlloc.getPageFromFreelist(gfp, order, allocFlags, ac);
        mm.compaction().countResult(pfn, order);
        return pfn;
    }

    /**
     * __alloc_pages_may_oom(): one last attempt against the high watermark (memory a concurrent kill freed), then
     * the OOM killer — not for costly orders, __GFP_RETRY_MAYFAIL or __GFP_THISNODE requests, nor for requests
     * limited to zones below Normal. {@code progress[0]} tells the slow path to retry.
     */
    private int allocPagesMayOom(int gfp, int order, PageAlloc.AllocContext ac, boolean[] progress) {
        int pfn = pageAlloc.getPageFromFreelist((gfp | Gfp.__GFP_HARDWALL) & ~Gfp.__GFP_DIRECT_RECLAIM, order,
                PageAlloc.ALLOC_WMARK_HIGH | PageAlloc.ALLOC_CPUSET, ac);
        if (pfn >= 0 || order > PageAlloc.PAGE_ALLOC_COSTLY_ORDER
                || (gfp & (Gfp.__GFP_RETRY_MAYFAIL | Gfp.__GFP_THISNODE)) != 0
                || ac.highestZoneidx < ZoneType.NORMAL.ordinal()) {
            return pfn;
        }
        if (mm.services().outOfMemory(new OomControl(gfp, order)) || (gfp & Gfp.__GFP_NOFAIL) != 0) {
            progress[0] = true;
            if ((gfp & Gfp.__GFP_NOFAIL) != 0) {
                pfn = pageAlloc.getPageFromFreelist(gfp, order, PageAlloc.ALLOC_NO_WATERMARKS, ac);
            }
        }
        return pfn;
    }

    /** warn_alloc(), rate limited to 10 lines per 5 s as the kernel's nopage_rs. */
    private void warnAlloc(int gfp, int order) {
        int[] suppressed = new int[1];
        boolean allowed = nopageRatelimit.allow(mm.services().jiffies(), suppressed);
        if (suppressed[0] > 0) {
            mm.services().printk(KernelServices.KERN_WARNING, "warn_alloc: " + suppressed[0]
                    + " callbacks suppressed");
        }
        if (allowed) {
            mm.services().printk(KernelServices.KERN_WARNING, String.format(
                    "%s: page allocation failure: order:%d, mode:%#x(%s), nodemask=(null)",
                    mm.services().currentComm(), order, gfp, Gfp.describe(gfp)));
        }
    }

    private void wakeAllKswapds(int order, int gfp, PageAlloc.AllocContext ac) {
        PgData last = null;
        for (Zone z : ac.zonelist) {
            if (z.node() != last) {
                last = z.node();
                mm.kswapd().wakeupKswapd(z, gfp, order, ac.highestZoneidx);
            }
        }
    }
}
