package io.simproc.mm;

import java.util.List;

/**
 * The memory controller's invariants, checked with the rest of {@link MmDebug}: a free page is charged to no group;
 * each group's memory counter is the pages charged to it plus its children's counters, and its swap counter the
 * slots recorded for it plus its children's; on the v1 hierarchy its memsw counter is memory plus swap (0 on v2) and
 * its memory limit at most its memsw limit; for every node counter a page moves, the groups' shares add up to the
 * node's; a group's lruvec lists and counters agree (checked with the LRU lists); an offline group is kept only
 * while something is still charged to it.
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
            long memory = charged[memcg.id];
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
}
