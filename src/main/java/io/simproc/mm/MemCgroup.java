package io.simproc.mm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * struct mem_cgroup (include/linux/memcontrol.h): the memory controller's state of one cgroup. Its page counters
 * ({@code memory}, {@code swap}; on the v1 hierarchy {@code memsw} counts memory and swap together, and {@code kmem}
 * and {@code tcpmem} are memcg1's kernel-memory and socket-buffer counters), its per-node {@link Lruvec}s
 * (mem_cgroup_per_node: the LRU lists of the pages charged to it and their counters), the memory.events counts
 * (hierarchical, and local to this group), the vm events of its pages and tasks, and the settings of its files.
 *
 * <p>The id is the css id the kernel records in swap_cgroup for each swapped-out page and in struct page's
 * memcg_data (here {@link MemMap#memcgId}); 16 bits wide as in the kernel (MEM_CGROUP_ID_MAX). The root has id 1.
 * Groups are created and removed by {@link Memcontrol}; the cgroup core names them.
 */
public final class MemCgroup {
    final int id;
    final MemCgroup parent;
    /** The cgroup's path in the hierarchy ("/" for the root), as the OOM report prints it (pr_cont_cgroup_path). */
    final String path;
    final List<MemCgroup> children = new ArrayList<>();
    final PageCounter memory;
    final PageCounter swap;
    final PageCounter memsw;
    /** memcg1's kmem counter (memory.kmem.*): the kernel memory charged to the group, counted, never limited. */
    final PageCounter kmem;
    /** memcg1's tcpmem counter (memory.kmem.tcp.*): socket buffers; the machine has no sockets to charge. */
    final PageCounter tcpmem;
    /** MEMCG_SWAP of this group alone: the swap slots recorded for it (swap_cgroup), the root's included. */
    long nrSwapLocal;
    final Lruvec[] lruvec;
    final long[] events = new long[MemcgEvent.values().length];
    final long[] eventsLocal = new long[MemcgEvent.values().length];
    /** The memcg_stat_item counters of this group alone (memcg->vmstats local part). */
    final long[] memcgState = new long[MemcgStatItem.values().length];
    /** memcg->objcg: what new kernel objects charged to this group point to; null for the root and once removed. */
    ObjCgroup objcg;
    /** memcg->objcg_list: objcgs of removed descendants that now charge this group. */
    final List<ObjCgroup> objcgList = new ArrayList<>();
    /** count_memcg_events(): vm events of this group's pages and tasks, not its descendants'. */
    final long[] vmEvents = new long[VmEvent.values().length];
    boolean online = true;
    /** Freed: out of the tree, its id free for reuse (a reclaim iterator that stopped here starts over). */
    boolean freed;
    /** mem_cgroup_per_node's reclaim iterator: per node, the group a shared reclaim walk of this subtree reached. */
    final MemCgroup[] iterPosition;
    /** memory.oom.group: an OOM kill in this group kills every task of it (and its descendants). */
    boolean oomGroup;
    /** memory.swap.high in pages. */
    long swapHigh = PageCounter.PAGE_COUNTER_MAX;
    /** memory.zswap.max in pages and memory.zswap.writeback (kept; the machine has no zswap). */
    long zswapMax = PageCounter.PAGE_COUNTER_MAX;
    boolean zswapWriteback = true;
    /** v1 memory.swappiness (v2 reclaims every group with vm.swappiness). */
    int swappiness;
    /** v1 memory.soft_limit_in_bytes in pages. */
    long softLimit = PageCounter.PAGE_COUNTER_MAX;
    /** v1 memory.oom_control's oom_kill_disable. */
    boolean oomKillDisable;

    MemCgroup(int id, MemCgroup parent, String path, MemoryManager mm) {
        this.id = id;
        this.parent = parent;
        this.path = path;
        this.memory = new PageCounter(parent == null ? null : parent.memory);
        this.swap = new PageCounter(parent == null ? null : parent.swap);
        this.memsw = new PageCounter(parent == null ? null : parent.memsw);
        this.kmem = new PageCounter(parent == null ? null : parent.kmem);
        this.tcpmem = new PageCounter(parent == null ? null : parent.tcpmem);
        this.swappiness = parent == null ? mm.tunables().swappiness : parent.swappiness;
        this.lruvec = new Lruvec[mm.nrNodes()];
        this.iterPosition = new MemCgroup[mm.nrNodes()];
        for (int nid = 0; nid < lruvec.length; nid++) {
            lruvec[nid] = new Lruvec(mm, mm.node(nid), this);
        }
        this.objcg = parent == null ? null : new ObjCgroup(this);
    }

    public int id() {
        return id;
    }

    public MemCgroup parent() {
        return parent;
    }

    public String path() {
        return path;
    }

    public List<MemCgroup> children() {
        return Collections.unmodifiableList(children);
    }

    public boolean isRoot() {
        return parent == null;
    }

    /** mem_cgroup_online(): not yet removed (an offline group lives on while pages are still charged to it). */
    public boolean isOnline() {
        return online;
    }

    public PageCounter memory() {
        return memory;
    }

    public PageCounter swap() {
        return swap;
    }

    public PageCounter memsw() {
        return memsw;
    }

    public PageCounter kmem() {
        return kmem;
    }

    public PageCounter tcpmem() {
        return tcpmem;
    }

    /** The swap slots charged to this group alone (memcg_page_state_local(MEMCG_SWAP)). */
    public long nrSwapLocal() {
        return nrSwapLocal;
    }

    public Lruvec lruvec(int nid) {
        return lruvec[nid];
    }

    /** memory.events: this group's and its descendants' events. */
    public long event(MemcgEvent e) {
        return events[e.ordinal()];
    }

    /** memory.events.local. */
    public long eventLocal(MemcgEvent e) {
        return eventsLocal[e.ordinal()];
    }

    public boolean oomGroup() {
        return oomGroup;
    }

    public long swapHigh() {
        return swapHigh;
    }

    public long zswapMax() {
        return zswapMax;
    }

    public boolean zswapWriteback() {
        return zswapWriteback;
    }

    public int swappiness() {
        return swappiness;
    }

    public long softLimit() {
        return softLimit;
    }

    public boolean oomKillDisable() {
        return oomKillDisable;
    }

    /** Whether this group is {@code ancestor} or below it (mem_cgroup_is_descendant()). */
    public boolean isDescendant(MemCgroup ancestor) {
        for (MemCgroup m = this; m != null; m = m.parent) {
            if (m == ancestor) {
                return true;
            }
        }
        return false;
    }

    /** The node counter of the pages charged to this group alone, over all nodes (memcg_page_state_local()). */
    public long stateLocal(NodeStatItem item) {
        long n = 0;
        for (Lruvec l : lruvec) {
            n += l.state(item);
        }
        return n;
    }

    /** memcg_page_state(): this group's and every descendant's. */
    public long state(NodeStatItem item) {
        long n = stateLocal(item);
        for (MemCgroup c : children) {
            n += c.state(item);
        }
        return n;
    }

    /** lruvec_page_state() of this group on one node, descendants included. */
    public long nodeState(int nid, NodeStatItem item) {
        long n = lruvec[nid].state(item);
        for (MemCgroup c : children) {
            n += c.nodeState(nid, item);
        }
        return n;
    }

    /** A memcg_stat_item of this group alone. */
    public long memcgStateLocal(MemcgStatItem item) {
        return memcgState[item.ordinal()];
    }

    /** memcg_page_state() of a memcg_stat_item: this group's and every descendant's. */
    public long memcgState(MemcgStatItem item) {
        long n = memcgState[item.ordinal()];
        for (MemCgroup c : children) {
            n += c.memcgState(item);
        }
        return n;
    }

    /** memcg_events(): this group's and every descendant's. */
    public long vmEvents(VmEvent e) {
        long n = vmEvents[e.ordinal()];
        for (MemCgroup c : children) {
            n += c.vmEvents(e);
        }
        return n;
    }

    public long vmEventsLocal(VmEvent e) {
        return vmEvents[e.ordinal()];
    }

    @Override
    public String toString() {
        return "memcg " + id;
    }
}
