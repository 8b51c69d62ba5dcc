package io.simproc.mm;

import io.simproc.uapi.Page;

import java.util.ArrayList;
import java.util.List;

/**
 * memory_stat_format() of mm/memcontrol.c: cgroup v2's memory.stat, which the memcg OOM report prints too. The
 * memory_stats[] items in bytes (memcg_page_state_output(): pages × PAGE_SIZE, KiB × 1024, bytes as they are),
 * "slab" after slab_unreclaimable, the pgscan and pgsteal totals, then the memcg_vm_event_stat[] events; every
 * value counts the group and its descendants. Kernel memory is not charged to groups here (no slab cache, kernel
 * stack, page table or percpu chunk is accounted), so kernel, kernel_stack, pagetables, percpu, vmalloc and the
 * slab lines are 0, as are the subsystems the machine does not have (sock, zswap, secondary page tables, NUMA
 * balancing, khugepaged).
 */
public final class MemcgStat {
    /** A memory.stat line: its key and what it counts. */
    private record Item(String key, NodeStatItem node) {
    }

    /** memory_stats[]: null where the item is a memcg-only counter this machine never charges. */
    private static final List<Item> MEMORY_STATS = List.of(
            new Item("anon", NodeStatItem.NR_ANON_MAPPED),
            new Item("file", NodeStatItem.NR_FILE_PAGES),
            new Item("kernel", null),
            new Item("kernel_stack", null),
            new Item("pagetables", null),
            new Item("sec_pagetables", null),
            new Item("percpu", null),
            new Item("sock", null),
            new Item("vmalloc", null),
            new Item("shmem", NodeStatItem.NR_SHMEM),
            new Item("zswap", null),
            new Item("zswapped", null),
            new Item("file_mapped", NodeStatItem.NR_FILE_MAPPED),
            new Item("file_dirty", NodeStatItem.NR_FILE_DIRTY),
            new Item("file_writeback", NodeStatItem.NR_WRITEBACK),
            new Item("swapcached", NodeStatItem.NR_SWAPCACHE),
            new Item("anon_thp", NodeStatItem.NR_ANON_THPS),
            new Item("file_thp", NodeStatItem.NR_FILE_THPS),
            new Item("shmem_thp", NodeStatItem.NR_SHMEM_THPS),
            new Item("inactive_anon", NodeStatItem.NR_INACTIVE_ANON),
            new Item("active_anon", NodeStatItem.NR_ACTIVE_ANON),
            new Item("inactive_file", NodeStatItem.NR_INACTIVE_FILE),
            new Item("active_file", NodeStatItem.NR_ACTIVE_FILE),
            new Item("unevictable", NodeStatItem.NR_UNEVICTABLE),
            new Item("slab_reclaimable", null),
            new Item("slab_unreclaimable", null));

    /** The memory events that follow (counts, not bytes). */
    private static final List<NodeStatItem> MEMORY_EVENTS = List.of(NodeStatItem.WORKINGSET_REFAULT_ANON,
            NodeStatItem.WORKINGSET_REFAULT_FILE, NodeStatItem.WORKINGSET_ACTIVATE_ANON,
            NodeStatItem.WORKINGSET_ACTIVATE_FILE, NodeStatItem.WORKINGSET_RESTORE_ANON,
            NodeStatItem.WORKINGSET_RESTORE_FILE, NodeStatItem.WORKINGSET_NODERECLAIM,
            NodeStatItem.PGDEMOTE_KSWAPD, NodeStatItem.PGDEMOTE_DIRECT, NodeStatItem.PGDEMOTE_KHUGEPAGED,
            NodeStatItem.PGDEMOTE_PROACTIVE);

    /** memcg_vm_event_stat[] without v1's pgpgin and pgpgout. */
    private static final List<VmEvent> VM_EVENTS = List.of(VmEvent.PSWPIN, VmEvent.PSWPOUT,
            VmEvent.PGSCAN_KSWAPD, VmEvent.PGSCAN_DIRECT, VmEvent.PGSCAN_KHUGEPAGED, VmEvent.PGSCAN_PROACTIVE,
            VmEvent.PGSTEAL_KSWAPD, VmEvent.PGSTEAL_DIRECT, VmEvent.PGSTEAL_KHUGEPAGED, VmEvent.PGSTEAL_PROACTIVE,
            VmEvent.PGFAULT, VmEvent.PGMAJFAULT, VmEvent.PGREFILL, VmEvent.PGACTIVATE, VmEvent.PGDEACTIVATE,
            VmEvent.PGLAZYFREE, VmEvent.PGLAZYFREED, VmEvent.SWPIN_ZERO, VmEvent.SWPOUT_ZERO, VmEvent.ZSWPIN,
            VmEvent.ZSWPOUT, VmEvent.ZSWPWB, VmEvent.THP_FAULT_ALLOC, VmEvent.THP_COLLAPSE_ALLOC,
            VmEvent.THP_SWPOUT, VmEvent.THP_SWPOUT_FALLBACK, VmEvent.NUMA_PAGES_MIGRATED,
            VmEvent.NUMA_PTE_UPDATES, VmEvent.NUMA_HINT_FAULTS);

    private MemcgStat() {
    }

    /** The lines of memory.stat for {@code memcg}, each "key value" without the newline. */
    public static List<String> format(MemCgroup memcg) {
        List<String> out = new ArrayList<>(MEMORY_STATS.size() + MEMORY_EVENTS.size() + VM_EVENTS.size() + 3);
        for (Item item : MEMORY_STATS) {
            out.add(item.key() + " " + bytes(memcg, item.node()));
            if (item.key().equals("slab_unreclaimable")) {
                out.add("slab 0");
            }
        }
        for (NodeStatItem item : MEMORY_EVENTS) {
            out.add(item.procName() + " " + memcg.state(item));
        }
        out.add("pgscan " + (memcg.vmEvents(VmEvent.PGSCAN_KSWAPD) + memcg.vmEvents(VmEvent.PGSCAN_DIRECT)
                + memcg.vmEvents(VmEvent.PGSCAN_KHUGEPAGED) + memcg.vmEvents(VmEvent.PGSCAN_PROACTIVE)));
        out.add("pgsteal " + (memcg.vmEvents(VmEvent.PGSTEAL_KSWAPD) + memcg.vmEvents(VmEvent.PGSTEAL_DIRECT)
                + memcg.vmEvents(VmEvent.PGSTEAL_KHUGEPAGED) + memcg.vmEvents(VmEvent.PGSTEAL_PROACTIVE)));
        for (VmEvent e : VM_EVENTS) {
            out.add(e.procName() + " " + memcg.vmEvents(e));
        }
        return out;
    }

    private static long bytes(MemCgroup memcg, NodeStatItem item) {
        return item == null ? 0 : memcg.state(item) * Page.PAGE_SIZE;
    }
}
