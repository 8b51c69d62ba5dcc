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
    /**
     * An entry of memory_stats[]: its key; the node counter it reads (null for a counter this machine never
     * charges to a group: kernel memory, sockets, zswap, secondary page tables); whether it is a node counter at
     * all (memory.numa_stat shows those); whether it is shown in bytes (sizes) or as a count (the events).
     */
    public record NumaItem(String key, NodeStatItem node, boolean nodeItem, boolean inBytes) {
    }

    private static NumaItem size(String key, NodeStatItem node) {
        return new NumaItem(key, node, true, true);
    }

    private static NumaItem memcgOnly(String key) {
        return new NumaItem(key, null, false, true);
    }

    private static NumaItem event(NodeStatItem node) {
        return new NumaItem(node.procName(), node, true, false);
    }

    /** memory_stats[], in the kernel's order. */
    private static final List<NumaItem> MEMORY_STATS = List.of(
            size("anon", NodeStatItem.NR_ANON_MAPPED),
            size("file", NodeStatItem.NR_FILE_PAGES),
            memcgOnly("kernel"),
            size("kernel_stack", null),
            size("pagetables", null),
            size("sec_pagetables", null),
            memcgOnly("percpu"),
            memcgOnly("sock"),
            memcgOnly("vmalloc"),
            size("shmem", NodeStatItem.NR_SHMEM),
            memcgOnly("zswap"),
            memcgOnly("zswapped"),
            size("file_mapped", NodeStatItem.NR_FILE_MAPPED),
            size("file_dirty", NodeStatItem.NR_FILE_DIRTY),
            size("file_writeback", NodeStatItem.NR_WRITEBACK),
            size("swapcached", NodeStatItem.NR_SWAPCACHE),
            size("anon_thp", NodeStatItem.NR_ANON_THPS),
            size("file_thp", NodeStatItem.NR_FILE_THPS),
            size("shmem_thp", NodeStatItem.NR_SHMEM_THPS),
            size("inactive_anon", NodeStatItem.NR_INACTIVE_ANON),
            size("active_anon", NodeStatItem.NR_ACTIVE_ANON),
            size("inactive_file", NodeStatItem.NR_INACTIVE_FILE),
            size("active_file", NodeStatItem.NR_ACTIVE_FILE),
            size("unevictable", NodeStatItem.NR_UNEVICTABLE),
            size("slab_reclaimable", null),
            size("slab_unreclaimable", null),
            event(NodeStatItem.WORKINGSET_REFAULT_ANON),
            event(NodeStatItem.WORKINGSET_REFAULT_FILE),
            event(NodeStatItem.WORKINGSET_ACTIVATE_ANON),
            event(NodeStatItem.WORKINGSET_ACTIVATE_FILE),
            event(NodeStatItem.WORKINGSET_RESTORE_ANON),
            event(NodeStatItem.WORKINGSET_RESTORE_FILE),
            event(NodeStatItem.WORKINGSET_NODERECLAIM),
            event(NodeStatItem.PGDEMOTE_KSWAPD),
            event(NodeStatItem.PGDEMOTE_DIRECT),
            event(NodeStatItem.PGDEMOTE_KHUGEPAGED),
            event(NodeStatItem.PGDEMOTE_PROACTIVE),
            event(NodeStatItem.PGPROMOTE_SUCCESS));

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
        List<String> out = new ArrayList<>(MEMORY_STATS.size() + VM_EVENTS.size() + 3);
        for (NumaItem item : MEMORY_STATS) {
            long v = item.node() == null ? 0 : memcg.state(item.node());
            out.add(item.key() + " " + (item.inBytes() ? v * Page.PAGE_SIZE : v));
            if (item.key().equals("slab_unreclaimable")) {
                out.add("slab 0");
            }
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

    /** The entries memory.numa_stat shows: memory_stats[]'s node counters. */
    public static List<NumaItem> numaItems() {
        return MEMORY_STATS.stream().filter(NumaItem::nodeItem).toList();
    }
}
