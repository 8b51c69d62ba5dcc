package io.simproc.mm;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The memory cgroup side of mm/vmscan.c: a node's reclaim walks the groups below the reclaim's target
 * (shrink_node_memcgs(), the pre-order mem_cgroup_iter()), each group's lruvec scanned in proportion to what its
 * memory.min and memory.low leave unprotected ({@link #protection}); limit reclaim of one group
 * (try_to_free_mem_cgroup_pages()) when a charge finds it at memory.max or above memory.high ({@link MemcgHigh}).
 *
 * <p>Effective protection follows mm/page_counter.c: page_counter_calculate_protection() and
 * effective_protection(), with recursive protection on (the cgroup2 mount's memory_recursiveprot, which systemd
 * sets): a child's share of its parent's protection is its own claim, or a proportional cut of it when the
 * children claim more than the parent has; unclaimed protection is spread over the children by their unprotected
 * usage.
 */
public final class MemcgReclaim {
    private final MemoryManager mm;
    /**
     * Pages scanned and reclaimed by cgroup reclaim (limit, high and proactive): they count in the groups' pgscan and
     * pgsteal, not in /proc/vmstat's, so the work the reclaiming task did is kept here.
     */
    private long scanned;
    private long reclaimed;

    MemcgReclaim(MemoryManager mm) {
        this.mm = mm;
    }

    /** Pages scanned by cgroup reclaim so far (all groups). */
    public long scanned() {
        return scanned;
    }

    /** Pages reclaimed by cgroup reclaim so far. */
    public long reclaimed() {
        return reclaimed;
    }

    /** shrink_inactive_list() of a cgroup reclaim counts its work. */
    void countWork(long nrScanned, long nrReclaimed) {
        scanned += nrScanned;
        reclaimed += nrReclaimed;
    }

    /**
     * shrink_node_memcgs(): one pass over the node for the groups below the reclaim's target (the root for global
     * reclaim), in pre-order. A group under its effective memory.min is skipped; one under its memory.low is
     * skipped unless this is the retry that reclaims below low, which counts a "low" event. The slab shrinkers run
     * with the root group (none is memcg-aware: no slab cache is charged to a group). Direct and limit reclaim
     * share the walk through the target's per-node iterator and stop once they have their pages, so the next
     * pass starts at the next group (mem_cgroup_iter() with a reclaim cookie); kswapd walks every group.
     */
    void shrinkNodeMemcgs(PgData pgdat, ScanControl sc) {
        MemCgroup target = sc.targetMemcg == null ? mm.memcontrol().root() : sc.targetMemcg;
        boolean partial = !sc.kswapd;
        int nid = pgdat.nodeId();
        MemCgroup memcg = iter(target, null, partial, nid);
        while (memcg != null) {
            calculateProtection(target, memcg);
            boolean skip = false;
            if (belowMin(target, memcg)) {
                skip = true;
            } else if (belowLow(target, memcg)) {
                if (!sc.memcgLowReclaim) {
                    sc.memcgLowSkipped = true;
                    skip = true;
                } else {
                    mm.memcontrol().memoryEvent(memcg, MemcgEvent.LOW);
                }
            }
            if (!skip) {
                mm.vmscan().shrinkLruvec(memcg.lruvec(nid), sc);
                if (memcg.isRoot()) {
                    mm.shrinkers().shrinkSlab(sc.gfp, nid, sc.priority);
                }
            }
            if (partial && sc.nrReclaimed >= sc.nrToReclaim) {
                return;
            }
            memcg = iter(target, memcg, partial, nid);
        }
    }

    /**
     * mem_cgroup_iter(): the group after {@code prev} in a pre-order walk of the target's subtree, or null at the
     * end. A shared walk ({@code cookie}) starts where the last one on this node stopped, and one that starts at
     * the end of the tree wraps to the target.
     */
    private static MemCgroup iter(MemCgroup target, MemCgroup prev, boolean cookie, int nid) {
        if (!cookie) {
            return nextDescendantPre(prev, target);
        }
        MemCgroup pos = target.iterPosition[nid];
        if (pos != null && pos.freed) {
            pos = null;
        }
        MemCgroup next = nextDescendantPre(pos, target);
        target.iterPosition[nid] = next;
        if (next == null && prev == null) {
            next = target;
            target.iterPosition[nid] = target;
        }
        return next;
    }

    /** css_next_descendant_pre(). */
    static MemCgroup nextDescendantPre(MemCgroup pos, MemCgroup root) {
        if (pos == null) {
            return root;
        }
        if (!pos.children.isEmpty()) {
            return pos.children.get(0);
        }
        for (MemCgroup m = pos; m != root; m = m.parent) {
            java.util.List<MemCgroup> siblings = m.parent.children;
            int i = siblings.indexOf(m);
            if (i + 1 < siblings.size()) {
                return siblings.get(i + 1);
            }
        }
        return null;
    }

    /**
     * try_to_free_mem_cgroup_pages(): reclaim at least {@code nrPages} (SWAP_CLUSTER_MAX at least) from the group
     * and its descendants, from every node in node 0's zonelist order (the kernel starts at the charging CPU's
     * node; the simulation does not track which CPU charges), raising the priority until done, as
     * do_try_to_free_pages() does for a cgroup target (no allocstall, no compaction check, no throttling). A pass
     * that skipped groups under memory.low and freed too little is repeated below low. Returns the pages freed.
     */
    long tryToFreeMemCgroupPages(MemCgroup memcg, long nrPages, int gfp, boolean maySwap) {
        ScanControl sc = new ScanControl();
        sc.nrToReclaim = Math.max(nrPages, Vmscan.SWAP_CLUSTER_MAX);
        sc.gfp = (gfp & Gfp.GFP_RECLAIM_MASK) | (Gfp.GFP_HIGHUSER_MOVABLE & ~Gfp.GFP_RECLAIM_MASK);
        sc.reclaimIdx = ZoneType.values().length - 1;
        sc.targetMemcg = memcg;
        sc.maySwap = maySwap;
        Set<PgData> nodes = new LinkedHashSet<>();
        for (Zone z : mm.node(0).zonelist(sc.reclaimIdx)) {
            nodes.add(z.node());
        }
        while (true) {
            do {
                for (PgData pgdat : nodes) {
                    mm.vmscan().shrinkNode(pgdat, sc);
                    if (sc.nrReclaimed >= sc.nrToReclaim) {
                        break;
                    }
                }
            } while (sc.nrReclaimed < sc.nrToReclaim && --sc.priority >= 0);
            if (sc.nrReclaimed >= sc.nrToReclaim) {
                break;
            }
            if (sc.nrReclaimed == 0 && sc.skippedDeactivate) {
                sc.priority = Vmscan.DEF_PRIORITY;
                sc.forceDeactivate = true;
                sc.skippedDeactivate = false;
                continue;
            }
            if (sc.memcgLowSkipped) {
                sc.priority = Vmscan.DEF_PRIORITY;
                sc.forceDeactivate = false;
                sc.memcgLowReclaim = true;
                sc.memcgLowSkipped = false;
                continue;
            }
            break;
        }
        for (PgData pgdat : nodes) {
            mm.vmscan().snapshotRefaults(memcg.lruvec(pgdat.nodeId()));
        }
        return sc.nrReclaimed;
    }

    /** mem_cgroup_below_min(): the group's usage is within its effective memory.min. */
    static boolean belowMin(MemCgroup target, MemCgroup memcg) {
        return target != memcg && !memcg.isRoot() && memcg.memory.usage <= memcg.memory.emin;
    }

    /** mem_cgroup_below_low(). */
    static boolean belowLow(MemCgroup target, MemCgroup memcg) {
        return target != memcg && !memcg.isRoot() && memcg.memory.usage <= memcg.memory.elow;
    }

    /**
     * mem_cgroup_protection(): the pages of a group get_scan_count() spares — its effective min, and low too unless
     * this is the below-low retry; 0 for the reclaim's target itself.
     */
    static long protection(MemCgroup target, MemCgroup memcg, boolean inLowReclaim) {
        if (target == memcg || memcg.isRoot()) {
            return 0;
        }
        return inLowReclaim ? memcg.memory.emin : Math.max(memcg.memory.emin, memcg.memory.elow);
    }

    /**
     * mem_cgroup_calculate_protection() / page_counter_calculate_protection(): the group's effective min and low
     * relative to the reclaim's target. Reclaim walks top-down, so the parent's are fresh.
     */
    static void calculateProtection(MemCgroup target, MemCgroup memcg) {
        if (memcg == target || memcg.isRoot()) {
            return;
        }
        PageCounter c = memcg.memory;
        long usage = c.usage;
        if (usage == 0) {
            return;
        }
        MemCgroup parent = memcg.parent;
        if (parent == target) {
            c.emin = c.min;
            c.elow = c.low;
            return;
        }
        long parentUsage = parent.memory.usage;
        long childrenMin = 0;
        long childrenLow = 0;
        for (MemCgroup sibling : parent.children) {
            childrenMin += Math.min(sibling.memory.usage, sibling.memory.min);
            childrenLow += Math.min(sibling.memory.usage, sibling.memory.low);
        }
        c.emin = effectiveProtection(usage, parentUsage, c.min, parent.memory.emin, childrenMin);
        c.elow = effectiveProtection(usage, parentUsage, c.low, parent.memory.elow, childrenLow);
    }

    /** effective_protection() of mm/page_counter.c with recursive protection. */
    static long effectiveProtection(long usage, long parentUsage, long setting, long parentEffective,
                                    long siblingsProtected) {
        long protectedPages = Math.min(usage, setting);
        if (siblingsProtected > parentEffective) {
            return mulDiv(protectedPages, parentEffective, siblingsProtected);
        }
        long ep = protectedPages;
        if (parentEffective > siblingsProtected && parentUsage > siblingsProtected && usage > protectedPages) {
            ep += mulDiv(parentEffective - siblingsProtected, usage - protectedPages,
                    parentUsage - siblingsProtected);
        }
        return ep;
    }

    /** a × b / c without overflow for page counts (b, c may be PAGE_COUNTER_MAX). */
    private static long mulDiv(long a, long b, long c) {
        return java.math.BigInteger.valueOf(a).multiply(java.math.BigInteger.valueOf(b))
                .divide(java.math.BigInteger.valueOf(c)).longValue();
    }
}
