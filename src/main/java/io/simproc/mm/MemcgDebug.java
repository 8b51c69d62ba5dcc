package io.simproc.mm;

import io.simproc.uapi.Page;

import java.util.List;

/**
 * The memory controller's invariants, checked with the rest of {@link MmDebug}: a free page is charged to no group;
 * each group's memory counter is the pages charged to it, plus its pages in the per-CPU charge stocks, plus its
 * children's counters; a stock holds only online groups other than the root ({@link MemcgStock#check}); its swap
 * counter is the slots recorded for it plus its children's; on the v1 hierarchy its memsw counter is memory plus
 * swap (0 on v2) and its memory limit at most its memsw limit; for every node counter a page moves, the groups'
 * shares add up to the node's; a group's lruvec lists and counters agree (checked with the LRU lists); an offline
 * group is kept only while something is still charged to it. Kernel memory ({@link MemcgKmem}): a group's memory counter also holds
 * its MEMCG_KMEM pages; each objcg's pages are its live objects' bytes plus its pre-charged bytes; MEMCG_KMEM is
 * the pages of the objcgs that charge the group; the group's slab, kernel stack, page table and percpu counters
 * are what a walk of the charged objects and pages finds, each one at least 0.
 */
final class MemcgDebug {
    /** The node counters every user page moves in its group's share too ({@link Memcontrol#modLruvecPageState}). */
    private static final NodeStatItem[] SHARED = {NodeStatItem.NR_INACTIVE_ANON, NodeStatItem.NR_ACTIVE_ANON,
        NodeStatItem.NR_INACTIVE_FILE, NodeStatItem.NR_ACTIVE_FILE, NodeStatItem.NR_UNEVICTABLE,
        NodeStatItem.NR_ANON_MAPPED, NodeStatItem.NR_FILE_MAPPED, NodeStatItem.NR_FILE_PAGES,
        NodeStatItem.NR_FILE_DIRTY, NodeStatItem.NR_WRITEBACK, NodeStatItem.NR_SHMEM, NodeStatItem.NR_ANON_THPS,
        NodeStatItem.NR_SWAPCACHE};

    private MemcgDebug() {
    }

    static void check(MemoryManager mm, List<String> errors) {
        Memcontrol memcontrol = mm.memcontrol();
        MemMap map = mm.memMap();
        long[] charged = new long[Memcontrol.MEM_CGROUP_ID_MAX + 1];
        for (int pfn = 0; pfn < map.nrPfns(); pfn++) {
            int id = map.memcgId(pfn);
            if (id == 0) {
                continue;
            }
            if ((map.flags(pfn) & PageFlags.OWNER_MASK) == 0) {
                errors.add("pfn " + pfn + " is free but charged to memcg " + id);
            } else if (memcontrol.fromId(id) == null) {
                errors.add("pfn " + pfn + " is charged to memcg " + id + ", which does not exist");
            }
            charged[id]++;
        }
        long[] swapCharged = new long[charged.length];
        for (Swapfile.SwapInfo si : mm.swap().areas()) {
            for (char id : si.swapCgroup) {
                swapCharged[id]++;
            }
        }
        List<MemCgroup> all = memcontrol.all();
        for (MemCgroup memcg : all) {
            MmDebug.expect(errors, memcg + " swap slots of its own", memcg.nrSwapLocal, swapCharged[memcg.id]);
            if (memcg.isRoot()) {
                continue;
            }
            long memory = charged[memcg.id] + memcg.memcgState[MemcgStatItem.MEMCG_KMEM.ordinal()]
                    + memcontrol.charging().stock().stocked(memcg);
            long swap = swapCharged[memcg.id];
            for (MemCgroup child : memcg.children) {
                memory += child.memory.usage;
                swap += child.swap.usage;
            }
            MmDebug.expect(errors, memcg + " memory.current (pages)", memcg.memory.usage, memory);
            MmDebug.expect(errors, memcg + " memory.swap.current (pages)", memcg.swap.usage, swap);
            MmDebug.expect(errors, memcg + " memsw usage (pages)", memcg.memsw.usage,
                    memcontrol.memswAccount() ? memcg.memory.usage + memcg.swap.usage : 0);
            if (memcontrol.memswAccount() && memcg.memory.max > memcg.memsw.max) {
                errors.add(memcg + " memory limit " + memcg.memory.max + " above its memsw limit " + memcg.memsw.max);
            }
            if (memcg.memory.watermark < memcg.memory.usage) {
                errors.add(memcg + " peak " + memcg.memory.watermark + " below usage " + memcg.memory.usage);
            }
            if (!memcg.online && memory == 0 && swap == 0 && memcg.children.isEmpty()) {
                errors.add(memcg + " is offline with nothing charged but was not freed");
            }
        }
        memcontrol.charging().stock().check(errors);
        checkKmem(mm, all, errors);
        for (PgData pgdat : mm.nodes()) {
            for (NodeStatItem item : SHARED) {
                long sum = 0;
                for (MemCgroup memcg : all) {
                    sum += memcg.lruvec(pgdat.nodeId()).state(item);
                }
                MmDebug.expect(errors, "node " + pgdat.nodeId() + " " + item + " over memory cgroups",
                        sum, pgdat.state(item));
            }
        }
    }

    /** What a walk of the charged kernel memory finds for one group: its node counters and its percpu bytes. */
    private static final class KmemWalk {
        final long[][] node;
        long percpu;
        long pages;

        KmemWalk(int nrNodes) {
            node = new long[nrNodes][NodeStatItem.values().length];
        }
    }

    private static void checkKmem(MemoryManager mm, List<MemCgroup> all, List<String> errors) {
        java.util.Map<ObjCgroup, long[]> used = new java.util.IdentityHashMap<>();
        java.util.Map<MemCgroup, KmemWalk> walk = new java.util.IdentityHashMap<>();
        for (MemCgroup memcg : all) {
            walk.put(memcg, new KmemWalk(mm.nrNodes()));
            if (memcg.objcg != null) {
                used.put(memcg.objcg, new long[1]);
                if (memcg.objcg.memcg != memcg || memcg.objcg.killed) {
                    errors.add(memcg + "'s live objcg is " + memcg.objcg);
                }
            }
            for (ObjCgroup o : memcg.objcgList) {
                used.put(o, new long[1]);
                if (o.memcg != memcg || !o.killed) {
                    errors.add(memcg + "'s reparented objcg list holds " + o);
                }
            }
        }
        if (mm.slab() != null) {
            mm.slab().forEachChargedObject((objcg, nid, bytes, reclaimable) -> {
                addUsed(used, objcg, bytes, errors);
                walk.get(objcg.memcg).node[nid][(reclaimable ? NodeStatItem.NR_SLAB_RECLAIMABLE_B
                        : NodeStatItem.NR_SLAB_UNRECLAIMABLE_B).ordinal()] += bytes;
            });
        }
        MemMap map = mm.memMap();
        for (java.util.Map.Entry<Integer, ObjCgroup> e : mm.memcontrol().kmem().kmemPages().entrySet()) {
            int pfn = e.getKey();
            ObjCgroup objcg = e.getValue();
            int nid = mm.zoneOf(pfn).node().nodeId();
            long[] node = walk.get(objcg.memcg).node[nid];
            switch (map.owner(pfn)) {
                case PAGETABLE -> {
                    addUsed(used, objcg, Page.PAGE_SIZE, errors);
                    node[NodeStatItem.NR_PAGETABLE.ordinal()]++;
                }
                case SLAB -> {
                    long bytes = (long) Page.PAGE_SIZE << map.index(pfn);
                    addUsed(used, objcg, bytes, errors);
                    node[NodeStatItem.NR_SLAB_UNRECLAIMABLE_B.ordinal()] += bytes;
                }
                case VMALLOC -> {
                    addUsed(used, objcg, Page.PAGE_SIZE, errors);
                    node[NodeStatItem.NR_KERNEL_STACK_KB.ordinal()] += Page.PAGE_SIZE / 1024;
                }
                default -> errors.add("pfn " + pfn + " owned by " + map.owner(pfn) + " is charged as kernel memory");
            }
        }
        for (MmStruct m : mm.mmStructs().all()) {
            if (m.percpuObjcg != null) {
                long bytes = mm.mmStructs().pcpuObjFullSize(MmStructs.MM_RSS_STAT_BYTES);
                addUsed(used, m.percpuObjcg, bytes, errors);
                walk.get(m.percpuObjcg.memcg).percpu += bytes;
            }
        }
        for (java.util.Map.Entry<ObjCgroup, long[]> e : used.entrySet()) {
            ObjCgroup o = e.getKey();
            MmDebug.expect(errors, o + " bytes in use", o.usedBytes, e.getValue()[0]);
            if (o.nrBytes < 0 || o.nrPages << Page.PAGE_SHIFT != o.usedBytes + o.nrBytes) {
                errors.add(o + ": " + o.nrPages + " pages charged for " + o.usedBytes + " bytes used and "
                        + o.nrBytes + " pre-charged");
            }
            walk.get(o.memcg).pages += o.nrPages;
        }
        for (MemCgroup memcg : all) {
            KmemWalk w = walk.get(memcg);
            MmDebug.expect(errors, memcg + " MEMCG_KMEM (pages)", memcg.memcgStateLocal(MemcgStatItem.MEMCG_KMEM),
                    w.pages);
            MmDebug.expect(errors, memcg + " MEMCG_PERCPU_B", memcg.memcgStateLocal(MemcgStatItem.MEMCG_PERCPU_B),
                    w.percpu);
            for (int nid = 0; nid < mm.nrNodes(); nid++) {
                for (NodeStatItem item : MemcgKmem.KMEM_NODE_ITEMS) {
                    long v = memcg.lruvec(nid).state(item);
                    MmDebug.expect(errors, memcg + " node " + nid + " " + item, v, w.node[nid][item.ordinal()]);
                    if (v < 0) {
                        errors.add(memcg + " node " + nid + " " + item + " is negative: " + v);
                    }
                }
            }
        }
    }

    private static void addUsed(java.util.Map<ObjCgroup, long[]> used, ObjCgroup objcg, long bytes,
                                List<String> errors) {
        long[] u = used.get(objcg);
        if (u == null) {
            errors.add(objcg + " charged for " + bytes + " bytes is on no group's list");
            return;
        }
        u[0] += bytes;
    }
}
