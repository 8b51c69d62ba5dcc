package io.simproc.mm;

import io.simproc.uapi.Page;

import java.util.ArrayList;
import java.util.List;

/**
 * memcg_stat_format() of mm/memcontrol.c: cgroup v2's memory.stat, which the memcg OOM report prints too. The
 * memory_stats[] items in their output unit (memcg_page_state_output_unit(): pages × PAGE_SIZE, KiB × 1024, bytes
 * as they are, the workingset, demotion and promotion events as counts), "slab" after slab_unreclaimable, the
 * pgscan and pgsteal totals, then the memcg_vm_event_stat[] events; every value counts the group and its
 * descendants. "hugetlb" is in memory_stats[] (CONFIG_HUGETLB_PAGE) but memory.stat skips it unless cgroup2 is
 * mounted with memory_hugetlb_accounting, which this machine is not; memory.numa_stat shows it (always 0 here,
 * since hugetlb folios are charged only with that option). The kernel lines are real ({@link MemcgKmem}): kernel
 * (MEMCG_KMEM), kernel_stack, pagetables, percpu, the slab lines; sock, vmalloc (no simulated vmalloc passes
 * __GFP_ACCOUNT: kernel stacks are charged without it), zswap, secondary page tables and NUMA balancing are
 * subsystems or paths the machine does not have, so 0. The list and its order are checked against
 * src/test/resources/kernel-6.18/memory.stat-keys.txt.
 */
public final class MemcgStat {
    /**
     * An entry of memory_stats[]: its key; the node counter (node_stat_item) or the memcg counter
     * (memcg_stat_item) it reads, or neither for a counter this machine never charges to a group; its output unit
     * (memcg_page_state_output_unit()). memory.numa_stat shows the node counters (idx < NR_VM_NODE_STAT_ITEMS).
     */
    public record NumaItem(String key, NodeStatItem node, MemcgStatItem memcgItem, boolean nodeItem, long unit) {
        /** memcg_page_state_output(): the group's and its descendants' value in the output unit. */
        public long output(MemCgroup memcg) {
            long v = node != null ? memcg.state(node) : memcgItem != null ? memcg.memcgState(memcgItem) : 0;
            return v * unit;
        }

        /** lruvec_page_state_output() on node {@code nid}. */
        public long nodeOutput(MemCgroup memcg, int nid) {
            return node == null ? 0 : memcg.nodeState(nid, node) * unit;
        }
    }

    private static NumaItem pages(String key, NodeStatItem node) {
        return new NumaItem(key, node, null, true, Page.PAGE_SIZE);
    }

    private static NumaItem bytes(String key, NodeStatItem node) {
        return new NumaItem(key, node, null, true, 1);
    }

    private static NumaItem memcg(String key, MemcgStatItem item, long unit) {
        return new NumaItem(key, null, item, false, unit);
    }

    /** A node counter this machine never charges to a group (secondary page tables: there is no KVM). */
    private static NumaItem nodeZero(String key) {
        return new NumaItem(key, null, null, true, Page.PAGE_SIZE);
    }

    private static NumaItem event(NodeStatItem node) {
        return new NumaItem(node.procName(), node, null, true, 1);
    }

    /** The key memory.stat skips without memory_hugetlb_accounting. */
    static final String HUGETLB = "hugetlb";

    /** memory_stats[] of 6.18 (CONFIG_ZSWAP, CONFIG_SWAP, THP, CONFIG_HUGETLB_PAGE, NUMA balancing), in order. */
    private static final List<NumaItem> MEMORY_STATS = List.of(
            pages("anon", NodeStatItem.NR_ANON_MAPPED),
            pages("file", NodeStatItem.NR_FILE_PAGES),
            memcg("kernel", MemcgStatItem.MEMCG_KMEM, Page.PAGE_SIZE),
            new NumaItem("kernel_stack", NodeStatItem.NR_KERNEL_STACK_KB, null, true, 1024),
            pages("pagetables", NodeStatItem.NR_PAGETABLE),
            nodeZero("sec_pagetables"),
            memcg("percpu", MemcgStatItem.MEMCG_PERCPU_B, 1),
            memcg("sock", MemcgStatItem.MEMCG_SOCK, Page.PAGE_SIZE),
            memcg("vmalloc", MemcgStatItem.MEMCG_VMALLOC, Page.PAGE_SIZE),
            pages("shmem", NodeStatItem.NR_SHMEM),
            memcg("zswap", MemcgStatItem.MEMCG_ZSWAP_B, 1),
            memcg("zswapped", MemcgStatItem.MEMCG_ZSWAPPED, Page.PAGE_SIZE),
            pages("file_mapped", NodeStatItem.NR_FILE_MAPPED),
            pages("file_dirty", NodeStatItem.NR_FILE_DIRTY),
            pages("file_writeback", NodeStatItem.NR_WRITEBACK),
            pages("swapcached", NodeStatItem.NR_SWAPCACHE),
            pages("anon_thp", NodeStatItem.NR_ANON_THPS),
            pages("file_thp", NodeStatItem.NR_FILE_THPS),
            pages("shmem_thp", NodeStatItem.NR_SHMEM_THPS),
            pages("inactive_anon", NodeStatItem.NR_INACTIVE_ANON),
            pages("active_anon", NodeStatItem.NR_ACTIVE_ANON),
            pages("inactive_file", NodeStatItem.NR_INACTIVE_FILE),
            pages("active_file", NodeStatItem.NR_ACTIVE_FILE),
            pages("unevictable", NodeStatItem.NR_UNEVICTABLE),
            bytes("slab_reclaimable", NodeStatItem.NR_SLAB_RECLAIMABLE_B),
            bytes("slab_unreclaimable", NodeStatItem.NR_SLAB_UNRECLAIMABLE_B),
            nodeZero(HUGETLB),
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
            if (item.key().equals(HUGETLB)) {
                continue;
            }
            long v = item.output(memcg);
            out.add(item.key() + " " + v);
            if (item.node() == NodeStatItem.NR_SLAB_UNRECLAIMABLE_B) {
                out.add("slab " + (v + memcg.state(NodeStatItem.NR_SLAB_RECLAIMABLE_B)));
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
