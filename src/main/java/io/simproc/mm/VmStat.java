package io.simproc.mm;

/**
 * The global counters of mm/vmstat.c and their views: the vm event counters (count_vm_events(), the event half of
 * /proc/vmstat), the sums of the per-zone and per-node counters (global_zone_page_state(),
 * global_node_page_state()), the NUMA events, totalram_pages(), the allocated pages of each owner kind, and the
 * vmstat worker that runs once a second (vmstat_update(), which decays the per-cpu lists' high marks).
 */
public final class VmStat {
    private final MemoryManager mm;
    /** vm_event_states, summed over CPUs; indexed by {@link VmEvent#ordinal()}. */
    final long[] events = new long[VmEvent.values().length];
    private final long[] ownerPages = new long[PageOwner.values().length];
    private long memmapBootPages;

    VmStat(MemoryManager mm) {
        this.mm = mm;
    }

    /** vmstat_update(): once a second the per-cpu caches decay toward their minimum. */
    void scheduleVmstatUpdate() {
        mm.services().schedule(KernelServices.HZ, () -> {
            mm.pageAlloc().decayPcpHigh();
            scheduleVmstatUpdate();
        });
    }

    public long event(VmEvent e) {
        return events[e.ordinal()];
    }

    /** count_vm_events() for subsystems outside mm. */
    public void countEvent(VmEvent e, long delta) {
        mm.assertWriter();
        events[e.ordinal()] += delta;
    }

    /** totalram_pages(): Σ managed pages. */
    public long totalramPages() {
        long n = 0;
        for (Zone z : mm.zones()) {
            n += z.managedPages;
        }
        return n;
    }

    /** global_zone_page_state(). */
    public long globalZoneState(ZoneStatItem item) {
        long n = 0;
        for (Zone z : mm.zones()) {
            n += z.vmStat[item.ordinal()];
        }
        return n;
    }

    /** global_node_page_state() (stored units). */
    public long globalNodeState(NodeStatItem item) {
        long n = 0;
        for (PgData p : mm.nodes()) {
            n += p.vmStat[item.ordinal()];
        }
        return n;
    }

    /** The NUMA event summed over zones (sum_zone_numa_event_state()). */
    public long globalNumaEvent(NumaStatItem item) {
        long n = 0;
        for (Zone z : mm.zones()) {
            n += z.numaEvents[item.ordinal()];
        }
        return n;
    }

    /**
     * mod_node_page_state(page_pgdat(page), item, delta) for the kernel's own allocators (slab, vmalloc, kernel
     * stacks): {@code delta} in the item's stored unit, on the node of {@code pfn}.
     */
    public void modNodePageState(int pfn, NodeStatItem item, long delta) {
        mm.assertWriter();
        mm.zoneOf(pfn).node().modState(item, delta);
    }

    /** Allocated pages per owner kind, kept at allocation and free. */
    public long ownerPages(PageOwner owner) {
        return ownerPages[owner.ordinal()];
    }

    void accountOwner(PageOwner owner, long delta) {
        ownerPages[owner.ordinal()] += delta;
    }

    /** Pages of the mem_map itself allocated from memblock at boot (nr_memmap_boot_pages). */
    public long nrMemmapBootPages() {
        return memmapBootPages;
    }

    public void setMemmapBootPages(long pages) {
        this.memmapBootPages = pages;
    }
}
