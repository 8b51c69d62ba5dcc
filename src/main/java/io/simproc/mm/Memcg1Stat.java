package io.simproc.mm;

import io.simproc.uapi.Page;

import java.util.ArrayList;
import java.util.List;

/**
 * The v1 memory controller's statistics (mm/memcontrol-v1.c): memory.stat as memcg1_stat_format() writes it — the
 * memcg1_stats[] counters of the group alone (sizes in bytes, the refault counts as counts), its pgpgin, pgpgout,
 * pgfault and pgmajfault (pgpgin and pgpgout count pages charged and uncharged), its LRU lists in bytes, the lowest
 * memory and memsw limits from the group up, then every counter again for the group with its descendants
 * ("total_" lines) — which the v1 memcg OOM report prints too; and memory.numa_stat as memcg_numa_stat_show() does,
 * in pages per node. "swap" is MEMCG_SWAP: the swap slots charged to the group.
 */
public final class Memcg1Stat {
    /** memcg1_stat_names[] with memcg1_stats[]: the node counter each reads, null for MEMCG_SWAP. */
    private record Item(String name, NodeStatItem node, boolean inBytes) {
    }

    private static final List<Item> STATS = List.of(
            new Item("cache", NodeStatItem.NR_FILE_PAGES, true),
            new Item("rss", NodeStatItem.NR_ANON_MAPPED, true),
            new Item("rss_huge", NodeStatItem.NR_ANON_THPS, true),
            new Item("shmem", NodeStatItem.NR_SHMEM, true),
            new Item("mapped_file", NodeStatItem.NR_FILE_MAPPED, true),
            new Item("dirty", NodeStatItem.NR_FILE_DIRTY, true),
            new Item("writeback", NodeStatItem.NR_WRITEBACK, true),
            new Item("workingset_refault_anon", NodeStatItem.WORKINGSET_REFAULT_ANON, false),
            new Item("workingset_refault_file", NodeStatItem.WORKINGSET_REFAULT_FILE, false),
            new Item("swap", null, true),
            new Item("swapcached", NodeStatItem.NR_SWAPCACHE, true));

    /** memcg1_events[]. */
    private static final List<VmEvent> EVENTS = List.of(VmEvent.PGPGIN, VmEvent.PGPGOUT, VmEvent.PGFAULT,
            VmEvent.PGMAJFAULT);

    /** lru_list_name() of each LRU list, with its node counter. */
    private static final String[] LRU_NAMES = {"inactive_anon", "active_anon", "inactive_file", "active_file",
        "unevictable"};
    private static final NodeStatItem[] LRU_ITEMS = {NodeStatItem.NR_INACTIVE_ANON, NodeStatItem.NR_ACTIVE_ANON,
        NodeStatItem.NR_INACTIVE_FILE, NodeStatItem.NR_ACTIVE_FILE, NodeStatItem.NR_UNEVICTABLE};

    private Memcg1Stat() {
    }

    /** memcg1_stat_format(): the lines of memory.stat, each "key value" without the newline. */
    public static List<String> format(MemCgroup memcg) {
        List<String> out = new ArrayList<>(2 * (STATS.size() + EVENTS.size() + LRU_NAMES.length) + 2);
        for (Item item : STATS) {
            out.add(item.name() + " " + value(memcg, item, false));
        }
        for (VmEvent e : EVENTS) {
            out.add(e.procName() + " " + memcg.vmEventsLocal(e));
        }
        for (int lru = 0; lru < LRU_ITEMS.length; lru++) {
            out.add(LRU_NAMES[lru] + " " + memcg.stateLocal(LRU_ITEMS[lru]) * Page.PAGE_SIZE);
        }
        long memory = PageCounter.PAGE_COUNTER_MAX;
        long memsw = PageCounter.PAGE_COUNTER_MAX;
        for (MemCgroup m = memcg; m != null; m = m.parent) {
            memory = Math.min(memory, m.memory.max);
            memsw = Math.min(memsw, m.memsw.max);
        }
        out.add("hierarchical_memory_limit " + memory * Page.PAGE_SIZE);
        out.add("hierarchical_memsw_limit " + memsw * Page.PAGE_SIZE);
        for (Item item : STATS) {
            out.add("total_" + item.name() + " " + value(memcg, item, true));
        }
        for (VmEvent e : EVENTS) {
            out.add("total_" + e.procName() + " " + memcg.vmEvents(e));
        }
        for (int lru = 0; lru < LRU_ITEMS.length; lru++) {
            out.add("total_" + LRU_NAMES[lru] + " " + memcg.state(LRU_ITEMS[lru]) * Page.PAGE_SIZE);
        }
        return out;
    }

    /** memcg_page_state_local_output() or memcg_page_state_output() of one item. */
    private static long value(MemCgroup memcg, Item item, boolean tree) {
        long v;
        if (item.node() == null) {
            v = tree ? swapTree(memcg) : memcg.nrSwapLocal;
        } else {
            v = tree ? memcg.state(item.node()) : memcg.stateLocal(item.node());
        }
        return item.inBytes() ? v * Page.PAGE_SIZE : v;
    }

    private static long swapTree(MemCgroup memcg) {
        long n = memcg.nrSwapLocal;
        for (MemCgroup c : memcg.children) {
            n += swapTree(c);
        }
        return n;
    }

    /**
     * memcg_numa_stat_show(): total, file, anon and unevictable LRU pages of the group alone, over all nodes and per
     * node, then the same with its descendants (hierarchical_*).
     */
    public static String numaStat(MemCgroup memcg, int nrNodes) {
        StringBuilder sb = new StringBuilder();
        for (boolean tree : new boolean[] {false, true}) {
            numaLine(sb, memcg, nrNodes, tree, "total", 0, 1, 2, 3, 4);
            numaLine(sb, memcg, nrNodes, tree, "file", 2, 3);
            numaLine(sb, memcg, nrNodes, tree, "anon", 0, 1);
            numaLine(sb, memcg, nrNodes, tree, "unevictable", 4);
        }
        return sb.toString();
    }

    private static void numaLine(StringBuilder sb, MemCgroup memcg, int nrNodes, boolean tree, String name,
                                 int... lrus) {
        long[] perNode = new long[nrNodes];
        long sum = 0;
        for (int nid = 0; nid < nrNodes; nid++) {
            for (int lru : lrus) {
                perNode[nid] += tree ? memcg.nodeState(nid, LRU_ITEMS[lru]) : memcg.lruvec(nid).state(LRU_ITEMS[lru]);
            }
            sum += perNode[nid];
        }
        sb.append(tree ? "hierarchical_" : "").append(name).append('=').append(sum);
        for (int nid = 0; nid < nrNodes; nid++) {
            sb.append(" N").append(nid).append('=').append(perNode[nid]);
        }
        sb.append('\n');
    }
}
