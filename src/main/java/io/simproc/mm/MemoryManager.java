package io.simproc.mm;

import io.simproc.mm.slab.Slab;
import io.simproc.mm.vmalloc.Percpu;
import io.simproc.mm.vmalloc.ThreadStacks;
import io.simproc.mm.vmalloc.Vmalloc;

import java.util.Arrays;
import java.util.List;

/**
 * The simulated memory manager: the mem_map, the nodes and their zones, and the subsystems that work on them, each
 * named after its kernel source (PageAlloc for mm/page_alloc.c, Vmscan for mm/vmscan.c, VmStat for mm/vmstat.c...).
 * Built from memblock at boot ({@link #create}, then {@link #memblockFreeAll}, then {@link #initReserves}; the steps
 * themselves are in {@link MmInit}), it is afterwards changed only through its subsystems' public mutators, which
 * all assert that they run on the simulation thread (the single writer, {@link #assertWriter}). Readers use the
 * getters under the machine's read lock.
 */
public final class MemoryManager {
    private final KernelConfig config;
    private final KernelServices services;
    private final MemMap map;
    private final PgData[] nodes;
    private final Zone[] zonesById;
    private final List<Zone> zones;
    private final int[] cpuToNode;
    private final Sparse sparse;
    private final VmTunables tunables = new VmTunables();
    private final VmStat vmstat = new VmStat(this);
    private final Mappings mappings = new Mappings();
    private final Inodes inodes = new Inodes(this);
    private final Shmem shmem = new Shmem(this);
    private final MmStructs mmStructs = new MmStructs(this);
    private final Shrinkers shrinkers = new Shrinkers(this);
    private final PageContent content;
    private final Watermarks watermarks;
    private final Kswapd kswapd;
    private final Kcompactd kcompactd;
    private final Ksm ksm;
    private final Khugepaged khugepaged;
    private final Mmap mmap = new Mmap(this);
    private final Mlock mlock = new Mlock(this);
    private final Madvise madvise = new Madvise(this);
    private final Overcommit overcommit = new Overcommit(this);
    private final OomKill oomKill = new OomKill(this);
    private final Compaction compaction;
    private final Memory memory;
    private final HugeMemory hugeMemory;
    private final Hugetlb hugetlb;
    private final Rmap rmap;
    private final Folios folios;
    private final Filemap filemap;
    private final Workingset workingset;
    private final PageWriteback pageWriteback;
    private final BdiWriteback bdi;
    private final Vmscan vmscan;
    private final MempolicyAlloc mempolicy = new MempolicyAlloc(this);
    private final NodeReclaim nodeReclaim = new NodeReclaim(this);
    private final Swapfile swap;
    private Zram zram;
    private final io.simproc.block.BlockDevices blockDevices = new io.simproc.block.BlockDevices();
    private final PageIo pageIo = new PageIo(this);
    private final DropCaches dropCaches;
    private final Memcontrol memcontrol;
    private final MemcgReclaim memcgReclaim;
    private final MemcgHigh memcgHigh;
    private PageAlloc pageAlloc;
    private Slab slab;
    private Vmalloc vmalloc;
    private ThreadStacks threadStacks;
    private Percpu percpu;
    private final Gup gup;
    /** The global CMA area (dma_contiguous_default_area), or null without cma=. */
    private Cma cma;

    private MemoryManager(KernelConfig config, KernelServices services, Memblock memblock, int nrNodes,
                          int[] cpuToNode) {
        this.config = config;
        this.services = services;
        long endPfn = memblock.endPfn();
        if (endPfn > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("machine too large: " + endPfn + " page frames");
        }
        this.map = new MemMap((int) endPfn);
        this.content = new PageContent(map);
        this.sparse = new Sparse(memblock);
        this.nodes = MmInit.allocNodeData(nrNodes);
        this.zonesById = Arrays.stream(nodes).flatMap(n -> Arrays.stream(n.zones)).toArray(Zone[]::new);
        this.zones = List.of(zonesById);
        this.cpuToNode = cpuToNode.clone();
        this.memcontrol = new Memcontrol(this);
        this.memcgReclaim = new MemcgReclaim(this);
        this.memcgHigh = new MemcgHigh(this);
        this.memory = new Memory(this);
        this.hugeMemory = new HugeMemory(this);
        this.hugetlb = new Hugetlb(this);
        this.rmap = new Rmap(this);
        this.folios = new Folios(this);
        this.filemap = new Filemap(this);
        this.workingset = new Workingset(this);
        this.pageWriteback = new PageWriteback(this);
        this.bdi = new BdiWriteback(this);
        this.vmscan = new Vmscan(this);
        this.swap = new Swapfile(this);
        this.dropCaches = new DropCaches(this);
        this.watermarks = new Watermarks(this);
        this.kswapd = new Kswapd(this);
        this.kcompactd = new Kcompactd(this);
        this.ksm = new Ksm(this);
        this.khugepaged = new Khugepaged(this);
        this.compaction = new Compaction(this);
        this.gup = new Gup(this);
    }

    /**
     * free_area_init(): size the mem_map to the last RAM pfn, lay out nodes and zones from memblock.memory,
     * mark holes and memblock reservations PageReserved and every pageblock Movable (memmap_init). No page is free
     * yet; {@link #memblockFreeAll} hands them to the buddy allocator.
     *
     * @param cpuToNode for each CPU, the node it belongs to
     */
    public static MemoryManager create(Memblock memblock, ZoneLayout layout, KernelConfig config,
                                       KernelServices services, int[] cpuToNode) {
        MemoryManager mm = new MemoryManager(config, services, memblock, layout.nrNodes(), cpuToNode);
        MmInit.freeAreaInit(mm, memblock, layout);
        MmInit.memmapInit(mm.map, memblock);
        MmInit.buildZonelists(mm);
        return mm;
    }

    /** memblock_free_all(): every RAM page not reserved goes to the buddy allocator ({@link MmInit}). */
    public void memblockFreeAll(Memblock memblock) {
        if (pageAlloc != null) {
            throw new IllegalStateException("memblock_free_all() twice");
        }
        pageAlloc = MmInit.memblockFreeAll(this, memblock);
    }

    /**
     * cma_activate_area() of the global area dma_contiguous_reserve() declared: a memblock-reserved range becomes
     * free CMA pageblocks of its zone, and the area's allocator ({@link #cma()}).
     */
    public void cmaActivateArea(int startPfn, int nrPages) {
        assertWriter();
        MmInit.initCmaReservedPageblocks(this, startPfn, nrPages);
        cma = new Cma(this, "reserved", startPfn, nrPages);
    }

    /** The global CMA area, or null when the machine has none. */
    public Cma cma() {
        return cma;
    }

    /** Pinning user pages (mm/gup.c). */
    public Gup gup() {
        return gup;
    }

    /** init_per_zone_wmark_min() and the pageset setup that follows it at boot; starts the vmstat worker. */
    public void initReserves() {
        watermarks.initPerZoneWmarkMin();
        overcommit.initReserves();
        vmstat.scheduleVmstatUpdate();
    }

    /**
     * kmem_cache_init(), which mm_core_init() runs right after memblock_free_all(): the slab allocator and its
     * caches. Until then (slab_state DOWN) address spaces take no slab objects.
     */
    public void kmemCacheInit() {
        assertWriter();
        if (slab != null) {
            throw new IllegalStateException("kmem_cache_init() twice");
        }
        slab = new Slab(this);
    }

    /** vmalloc_init(): the vmalloc space and the kernel stacks taken from it. Needs the slab allocator. */
    public void vmallocInit() {
        assertWriter();
        vmalloc = new Vmalloc(this);
        threadStacks = new ThreadStacks(this, vmalloc);
    }

    /**
     * setup_per_cpu_areas(): the percpu first chunk (units of {@code unitPages} pages per CPU, already reserved in
     * memblock) with {@code dynBytes} of dynamic space; later chunks come from vmalloc.
     */
    public void setupPerCpuAreas(int unitPages, long dynBytes) {
        assertWriter();
        percpu = new Percpu(this, vmalloc, unitPages, dynBytes);
    }

    /** lockdep_assert_held(): the caller runs on the simulation thread, the single writer ({@link KernelServices}). */
    public void assertWriter() {
        assert services.currentHoldsWriteLock() : "memory manager mutated outside the simulation thread";
    }

    // -------------------------------------------------------------------------------------------------------------
    // Nodes, zones and CPUs

    public int nrNodes() {
        return nodes.length;
    }

    public PgData node(int nid) {
        return nodes[nid];
    }

    public List<PgData> nodes() {
        return List.of(nodes);
    }

    /** Every zone of every node, node-major, in zone index order (for_each_zone). */
    public List<Zone> zones() {
        return zones;
    }

    /** page_zone(). */
    public Zone zoneOf(int pfn) {
        int id = map.zoneId(pfn);
        return id < 0 ? null : zonesById[id];
    }

    public int nrCpus() {
        return cpuToNode.length;
    }

    public int cpuToNode(int cpu) {
        return cpuToNode[cpu];
    }

    // -------------------------------------------------------------------------------------------------------------
    // Subsystems

    public KernelConfig config() {
        return config;
    }

    public KernelServices services() {
        return services;
    }

    public MemMap memMap() {
        return map;
    }

    /** Present sections and valid subsections of the physical address space. */
    public Sparse sparse() {
        return sparse;
    }

    public VmTunables tunables() {
        return tunables;
    }

    /** The global counters: vm events, zone and node state sums, totalram_pages. */
    public VmStat vmstat() {
        return vmstat;
    }

    /** The owners that struct pages' mapping ids name. */
    public Mappings mappings() {
        return mappings;
    }

    /** Regular files and block devices with a page cache. */
    public Inodes inodes() {
        return inodes;
    }

    /** The live address spaces (mm_structs). */
    public MmStructs mmStructs() {
        return mmStructs;
    }

    /** The registered shrinkers and shrink_slab(). */
    public Shrinkers shrinkers() {
        return shrinkers;
    }

    /** Shmem objects: shared anonymous mappings' backing and SysV segments. */
    public Shmem shmem() {
        return shmem;
    }

    /** The buddy allocator, or null before {@link #memblockFreeAll}. */
    public PageAlloc pageAlloc() {
        return pageAlloc;
    }

    /** The slab allocator, or null before {@link #kmemCacheInit}. */
    public Slab slab() {
        return slab;
    }

    /** The vmalloc space, or null before {@link #vmallocInit}. */
    public Vmalloc vmalloc() {
        return vmalloc;
    }

    /** Kernel stacks, or null before {@link #vmallocInit}. */
    public ThreadStacks threadStacks() {
        return threadStacks;
    }

    /** The percpu allocator, or null before {@link #setupPerCpuAreas}. */
    public Percpu percpu() {
        return percpu;
    }

    public Watermarks watermarks() {
        return watermarks;
    }

    public Kcompactd kcompactd() {
        return kcompactd;
    }

    /** Kernel samepage merging and ksmd (mm/ksm.c). */
    public Ksm ksm() {
        return ksm;
    }

    /** khugepaged (mm/khugepaged.c): its address spaces, thread, knobs and counters. */
    public Khugepaged khugepaged() {
        return khugepaged;
    }

    public Kswapd kswapd() {
        return kswapd;
    }

    public Mmap mmap() {
        return mmap;
    }

    public Mlock mlock() {
        return mlock;
    }

    public Madvise madvise() {
        return madvise;
    }

    public Compaction compaction() {
        return compaction;
    }

    public Overcommit overcommit() {
        return overcommit;
    }

    /** The OOM killer and its knobs. */
    public OomKill oomKill() {
        return oomKill;
    }

    public HugeMemory hugeMemory() {
        return hugeMemory;
    }

    /** mm/hugetlb.c: the hugetlb pool and mappings of it (MAP_HUGETLB). */
    public Hugetlb hugetlb() {
        return hugetlb;
    }

    public Memory memory() {
        return memory;
    }

    Rmap rmap() {
        return rmap;
    }

    Folios folios() {
        return folios;
    }

    /** The memory controller: memory cgroups and the charging of pages to them. */
    public Memcontrol memcontrol() {
        return memcontrol;
    }

    /** Reclaim on behalf of memory cgroups: limit, high and proactive reclaim, and the groups' walk. */
    public MemcgReclaim memcgReclaim() {
        return memcgReclaim;
    }

    /** memory.high: what the task being simulated owes and its penalty. */
    public MemcgHigh memcgHigh() {
        return memcgHigh;
    }

    /** The page cache: reads, writes, accessed marking, truncation. */
    public Filemap filemap() {
        return filemap;
    }

    Workingset workingset() {
        return workingset;
    }

    /** Dirty page accounting and the writers' throttle (balance_dirty_pages). */
    public PageWriteback pageWriteback() {
        return pageWriteback;
    }

    /** The flusher and the disk: periodic and background writeback, fsync, sync, bandwidth. */
    public BdiWriteback bdi() {
        return bdi;
    }

    /** mm/mempolicy.c: the node a task's pages come from under its memory policy. */
    public MempolicyAlloc mempolicy() {
        return mempolicy;
    }

    NodeReclaim nodeReclaim() {
        return nodeReclaim;
    }

    /** Page reclaim (direct reclaim entry, shrink_node, shrink_slab). */
    public Vmscan vmscan() {
        return vmscan;
    }

    /**
     * zram_init(): the zram device of the disk zram0 the boot added (drivers/block/zram/zram_drv.c), before anything
     * reads; a machine without that disk has none.
     */
    public void zramInit() {
        assertWriter();
        io.simproc.block.BlockDevice b = blockDevices.lookup("/dev/zram0");
        zram = b == null ? null : new Zram(this, b.disk());
    }

    /** The zram device, or null on a machine without one. */
    public Zram zram() {
        return zram;
    }

    /** Swap areas and the swap cache. */
    public Swapfile swap() {
        return swap;
    }

    /** The machine's disks; the kernel adds them at boot, before the first swapon. */
    public io.simproc.block.BlockDevices blockDevices() {
        return blockDevices;
    }

    PageIo pageIo() {
        return pageIo;
    }

    /** /proc/sys/vm/drop_caches. */
    public DropCaches dropCaches() {
        return dropCaches;
    }

    /** The words of the user pages' data. */
    PageContent content() {
        return content;
    }
}
