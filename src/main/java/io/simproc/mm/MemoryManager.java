package io.simproc.mm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The simulated memory manager: the mem_map, the nodes and their zones, the page allocator, the reserves and the
 * global vm event counters. Built from memblock at boot ({@link #create}, then {@link #memblockFreeAll}, then
 * {@link #initReserves}), it is afterwards changed only through its subsystems' public mutators, which all assert
 * that they run on the simulation thread (the single writer). Readers use the getters under the machine's read lock.
 */
public final class MemoryManager {
    private final KernelConfig config;
    private final KernelServices services;
    private final MemMap map;
    private final PgData[] nodes;
    private final Zone[] zonesById;
    private final List<Zone> zones;
    private final Zone[][][] zonelists;
    private final int nrCpus;
    private final int[] cpuToNode;
    private final VmTunables tunables = new VmTunables();
    final long[] vmEvents = new long[VmEvent.values().length];
    private final long[] ownerPages = new long[PageOwner.values().length];
    private final Watermarks watermarks;
    private final Kswapd kswapd;
    private final Kcompactd kcompactd;
    private final Mmap mmap = new Mmap(this);
    private final Overcommit overcommit = new Overcommit(this);
    private final Compaction compaction;
    private final Memory memory;
    private final HugeMemory hugeMemory;
    private final Rmap rmap;
    private final Folios folios;
    private final Filemap filemap;
    private final Workingset workingset;
    private final PageWriteback pageWriteback;
    private final BdiWriteback bdi;
    private final Vmscan vmscan;
    private final Swapfile swap;
    private final DropCaches dropCaches;
    private final PageContent content;
    /** Mapping ids stored in struct page: index → AnonVma or AddressSpace (0 is "none"). */
    private final java.util.ArrayList<Object> mappings = new java.util.ArrayList<>(java.util.List.of(NONE));
    private final java.util.ArrayDeque<Integer> freeMappingIds = new java.util.ArrayDeque<>();
    private final java.util.Set<MmStruct> mms = new java.util.LinkedHashSet<>();
    private final java.util.Set<AddressSpace> anonymousShmem = new java.util.LinkedHashSet<>();
    private final java.util.Set<AddressSpace> shmemObjects = new java.util.LinkedHashSet<>();
    /** Regular files and block devices with a page cache (the superblocks' inode lists drop_caches walks). */
    private final java.util.Set<AddressSpace> files = new java.util.LinkedHashSet<>();
    private final java.util.List<Shrinker> shrinkers = new java.util.ArrayList<>();
    private int zeroPfn = -1;
    private long nextShmemIno = 1;
    private static final Object NONE = new Object();
    private PageAlloc pageAlloc;
    private io.simproc.mm.slab.Slab slab;
    private io.simproc.mm.vmalloc.Vmalloc vmalloc;
    private io.simproc.mm.vmalloc.ThreadStacks threadStacks;
    private io.simproc.mm.vmalloc.Percpu percpu;
    /** Dynamic percpu bytes each mm_struct takes (its rss_stat percpu counters and mm_cid). */
    static final int MM_PERCPU_BYTES = 48;
    private long memmapBootPages;
    private long committedAsPages;
    private long totalRamPagesAtBoot;
    private BooleanSupplier writerCheck = () -> true;
    /** SECTION_SIZE_BITS − PAGE_SHIFT: memory sections of 128 MiB. */
    public static final int PFN_SECTION_SHIFT = 15;
    private final java.util.BitSet presentSections = new java.util.BitSet();
    /** SUBSECTION_SHIFT − PAGE_SHIFT: 2 MiB subsections, the granularity of pfn validity inside a section. */
    public static final int PFN_SUBSECTION_SHIFT = 9;
    private final java.util.BitSet validSubsections = new java.util.BitSet();

    private MemoryManager(KernelConfig config, KernelServices services, int nrPfns, int nrNodes, int[] cpuToNode) {
        this.config = config;
        this.services = services;
        this.map = new MemMap(nrPfns);
        this.content = new PageContent(map);
        this.nodes = new PgData[nrNodes];
        this.zonesById = new Zone[nrNodes * ZoneType.MAX_NR_ZONES];
        List<Zone> all = new ArrayList<>();
        for (int nid = 0; nid < nrNodes; nid++) {
            nodes[nid] = new PgData(nid);
            for (Zone z : nodes[nid].zones) {
                zonesById[z.id()] = z;
                all.add(z);
            }
        }
        this.zones = List.copyOf(all);
        this.nrCpus = cpuToNode.length;
        this.cpuToNode = cpuToNode.clone();
        this.zonelists = new Zone[nrNodes][ZoneType.MAX_NR_ZONES][];
        for (PgData pgdat : nodes) {
            pgdat.lruvec = new Lruvec(this, pgdat);
        }
        this.memory = new Memory(this);
        this.hugeMemory = new HugeMemory(this);
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
        this.compaction = new Compaction(this);
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
        long endPfn = memblock.endPfn();
        if (endPfn > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("machine too large: " + endPfn + " page frames");
        }
        MemoryManager mm = new MemoryManager(config, services, (int) endPfn, layout.nrNodes(), cpuToNode);
        mm.initNodesAndZones(memblock, layout);
        for (Memblock.Region r : memblock.memory()) {
            mm.presentSections.set((int) (r.startPfn() >>> PFN_SECTION_SHIFT),
                    (int) ((r.endPfn() - 1) >>> PFN_SECTION_SHIFT) + 1);
            mm.validSubsections.set((int) (r.startPfn() >>> PFN_SUBSECTION_SHIFT),
                    (int) ((r.endPfn() - 1) >>> PFN_SUBSECTION_SHIFT) + 1);
        }
        mm.initMemMap(memblock);
        mm.buildZonelists();
        return mm;
    }

    private void initNodesAndZones(Memblock memblock, ZoneLayout layout) {
        for (PgData pgdat : nodes) {
            long start = Long.MAX_VALUE;
            long end = 0;
            for (Memblock.Region r : memblock.memory()) {
                if (r.nid() == pgdat.nodeId()) {
                    start = Math.min(start, r.startPfn());
                    end = Math.max(end, r.endPfn());
                }
            }
            if (end == 0) {
                start = 0;
            }
            pgdat.nodeStartPfn = start;
            pgdat.nodeSpannedPages = end - start;
            for (Zone z : pgdat.zones) {
                long[] lim = layout.limits(z.type(), pgdat.nodeId(), end);
                long zs = Math.max(lim[0], start);
                long ze = Math.min(lim[1], end);
                if (ze > zs) {
                    z.zoneStartPfn = zs;
                    z.spannedPages = ze - zs;
                    z.presentPages = presentOnNode(memblock, zs, ze, pgdat.nodeId());
                }
                z.freeArea = new FreeArea(map, z.vmStat);
                z.pcp = new PerCpuPages[nrCpus];
                for (int cpu = 0; cpu < nrCpus; cpu++) {
                    z.pcp[cpu] = new PerCpuPages(map, cpu);
                }
                if (z.spannedPages > 0) {
                    int firstBlock = (int) (z.zoneStartPfn >>> PageAlloc.PAGEBLOCK_ORDER);
                    int lastBlock = (int) ((z.zoneEndPfn() - 1) >>> PageAlloc.PAGEBLOCK_ORDER);
                    for (int b = firstBlock; b <= lastBlock; b++) {
                        map.claimPageblockZone(b << PageAlloc.PAGEBLOCK_ORDER, z.id());
                    }
                }
                pgdat.nodePresentPages += z.presentPages;
            }
        }
    }

    private static long presentOnNode(Memblock memblock, long start, long end, int nid) {
        long n = 0;
        for (Memblock.Region r : memblock.memory()) {
            if (r.nid() != nid) {
                continue;
            }
            long s = Math.max(start, r.startPfn());
            long e = Math.min(end, r.endPfn());
            if (e > s) {
                n += e - s;
            }
        }
        return n;
    }

    /** memmap_init(): holes and reservations are PageReserved with a reference; every pageblock starts Movable. */
    private void initMemMap(Memblock memblock) {
        int reservedFlags = PageFlags.PG_RESERVED;
        int holeFlags = PageFlags.PG_RESERVED | PageFlags.PG_HOLE;
        map.fill(0, map.nrPfns(), holeFlags, 1);
        for (Memblock.Region r : memblock.memory()) {
            map.fill((int) r.startPfn(), (int) r.endPfn(), reservedFlags, 1);
        }
        map.initPageblockMigratetypes(MigrateType.MOVABLE.ordinal());
    }

    /** build_zonelists(): per node, its own zones from high to low, then the other nodes' in node order. */
    private void buildZonelists() {
        for (int nid = 0; nid < nodes.length; nid++) {
            for (int highest = 0; highest < ZoneType.MAX_NR_ZONES; highest++) {
                List<Zone> list = new ArrayList<>();
                for (int k = 0; k < nodes.length; k++) {
                    PgData pgdat = nodes[(nid + k) % nodes.length];
                    for (int zi = highest; zi >= 0; zi--) {
                        if (pgdat.zones[zi].spannedPages > 0) {
                            list.add(pgdat.zones[zi]);
                        }
                    }
                }
                zonelists[nid][highest] = list.toArray(new Zone[0]);
            }
        }
    }

    /**
     * memblock_free_all(): every RAM page not reserved goes to the buddy allocator in the largest aligned blocks
     * that fit (__free_pages_memory), becoming the zones' managed pages.
     */
    public void memblockFreeAll(Memblock memblock) {
        List<Memblock.Region> reserved = memblock.reserved();
        totalRamPagesAtBoot = 0;
        List<long[]> free = new ArrayList<>();
        for (Memblock.Region m : memblock.memory()) {
            long cursor = m.startPfn();
            for (Memblock.Region r : reserved) {
                if (r.endPfn() <= cursor || r.startPfn() >= m.endPfn()) {
                    continue;
                }
                if (r.startPfn() > cursor) {
                    free.add(new long[] {cursor, r.startPfn()});
                }
                cursor = Math.max(cursor, r.endPfn());
            }
            if (cursor < m.endPfn()) {
                free.add(new long[] {cursor, m.endPfn()});
            }
        }
        for (long[] range : free) {
            totalRamPagesAtBoot += range[1] - range[0];
        }
        pageAlloc = new PageAlloc(this);
        for (long[] range : free) {
            freePagesMemory(range[0], range[1]);
        }
    }

    /** __free_pages_memory(): split [start, end) into maximal naturally aligned blocks. */
    private void freePagesMemory(long start, long end) {
        while (start < end) {
            int order = start == 0 ? PageAlloc.MAX_PAGE_ORDER
                    : Math.min(PageAlloc.MAX_PAGE_ORDER, Long.numberOfTrailingZeros(start));
            while (start + (1L << order) > end) {
                order--;
            }
            pageAlloc.freeBootPages((int) start, order);
            start += 1L << order;
        }
    }

    /**
     * cma_activate_area() / init_cma_reserved_pageblock(): a memblock-reserved area becomes CMA pageblocks whose
     * pages join the zone as managed and free, on the CMA lists.
     */
    public void cmaActivateArea(int startPfn, int nrPages) {
        assertWriter();
        for (int pfn = startPfn; pfn < startPfn + nrPages; pfn += PageAlloc.PAGEBLOCK_NR_PAGES) {
            map.setPageblockMigratetype(pfn, MigrateType.CMA.ordinal());
        }
        long start = startPfn;
        long end = (long) startPfn + nrPages;
        while (start < end) {
            int order = Math.min(PageAlloc.MAX_PAGE_ORDER, Long.numberOfTrailingZeros(start));
            while (start + (1L << order) > end) {
                order--;
            }
            zoneOf((int) start).cmaPages += 1L << order;
            pageAlloc.freeBootPages((int) start, order);
            start += 1L << order;
        }
    }

    /** Pages of the mem_map itself allocated from memblock at boot (nr_memmap_boot_pages). */
    public void setMemmapBootPages(long pages) {
        this.memmapBootPages = pages;
    }

    /** init_per_zone_wmark_min() and the pageset setup that follows it at boot; starts the vmstat worker. */
    public void initReserves() {
        watermarks.initPerZoneWmarkMin();
        overcommit.initReserves();
        scheduleVmstatUpdate();
    }

    /** vmstat_update(): once a second the per-cpu caches decay toward their minimum. */
    private void scheduleVmstatUpdate() {
        services.schedule(KernelServices.HZ, () -> {
            pageAlloc.decayPcpHigh();
            scheduleVmstatUpdate();
        });
    }

    // -------------------------------------------------------------------------------------------------------------

    /** Install the single-writer check (the kernel passes "does this thread hold the write lock"). */
    public void setWriterCheck(BooleanSupplier check) {
        this.writerCheck = check;
    }

    /** Asserts the caller runs on the simulation thread (the single writer). */
    public void assertWriter() {
        assert writerCheck.getAsBoolean() : "memory manager mutated outside the simulation thread";
    }

    public KernelConfig config() {
        return config;
    }

    public KernelServices services() {
        return services;
    }

    public MemMap memMap() {
        return map;
    }

    public PageAlloc pageAlloc() {
        return pageAlloc;
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
        slab = new io.simproc.mm.slab.Slab(this);
    }

    /** vmalloc_init(): the vmalloc space and the kernel stacks taken from it. Needs the slab allocator. */
    public void vmallocInit() {
        assertWriter();
        vmalloc = new io.simproc.mm.vmalloc.Vmalloc(this);
        threadStacks = new io.simproc.mm.vmalloc.ThreadStacks(this, vmalloc);
    }

    /**
     * setup_per_cpu_areas(): the percpu first chunk (units of {@code unitPages} pages per CPU, already reserved in
     * memblock) with {@code dynBytes} of dynamic space; later chunks come from vmalloc.
     */
    public void setupPerCpuAreas(int unitPages, long dynBytes) {
        assertWriter();
        percpu = new io.simproc.mm.vmalloc.Percpu(this, vmalloc, unitPages, dynBytes);
    }

    /** The vmalloc space, or null before {@link #vmallocInit}. */
    public io.simproc.mm.vmalloc.Vmalloc vmalloc() {
        return vmalloc;
    }

    /** Kernel stacks, or null before {@link #vmallocInit}. */
    public io.simproc.mm.vmalloc.ThreadStacks threadStacks() {
        return threadStacks;
    }

    /** The percpu allocator, or null before {@link #setupPerCpuAreas}. */
    public io.simproc.mm.vmalloc.Percpu percpu() {
        return percpu;
    }

    /** The slab allocator, or null before {@link #kmemCacheInit}. */
    public io.simproc.mm.slab.Slab slab() {
        return slab;
    }

    public Watermarks watermarks() {
        return watermarks;
    }

    public Kcompactd kcompactd() {
        return kcompactd;
    }

    public Kswapd kswapd() {
        return kswapd;
    }

    public Mmap mmap() {
        return mmap;
    }

    public Compaction compaction() {
        return compaction;
    }

    public Overcommit overcommit() {
        return overcommit;
    }

    public HugeMemory hugeMemory() {
        return hugeMemory;
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

    /** The page cache: reads, writes, accessed marking, truncation. */
    public Filemap filemap() {
        return filemap;
    }

    Workingset workingset() {
        return workingset;
    }

    PageWriteback pageWriteback() {
        return pageWriteback;
    }

    /** The flusher and the disk: periodic and background writeback, fsync, sync, bandwidth. */
    public BdiWriteback bdi() {
        return bdi;
    }

    /** Page reclaim (direct reclaim entry, shrink_node, shrink_slab). */
    public Vmscan vmscan() {
        return vmscan;
    }

    /** Swap areas and the swap cache. */
    public Swapfile swap() {
        return swap;
    }

    /** Whether writers are being throttled in balance_dirty_pages() right now. */
    public boolean pageWritebackThrottled() {
        return pageWriteback.overDirtyLimit();
    }

    /** /proc/sys/vm/drop_caches. */
    public DropCaches dropCaches() {
        return dropCaches;
    }

    /** The shared zero page: read faults on untouched anonymous memory map it (my_zero_pfn()). */
    /** The words of the user pages' data. */
    PageContent content() {
        return content;
    }

    public int zeroPfn() {
        return zeroPfn;
    }

    /** Boot designates a reserved page of the kernel image as the zero page. */
    public void setZeroPfn(int pfn) {
        if (!map.test(pfn, PageFlags.PG_RESERVED)) {
            throw new IllegalArgumentException("the zero page must be a reserved page, pfn " + pfn + " is not");
        }
        this.zeroPfn = pfn;
    }

    /** A new id for a struct page's mapping field. */
    int registerMapping(Object owner) {
        Integer id = freeMappingIds.poll();
        if (id == null) {
            mappings.add(owner);
            return mappings.size() - 1;
        }
        mappings.set(id, owner);
        return id;
    }

    void setMapping(int id, Object owner) {
        mappings.set(id, owner);
    }

    void releaseMapping(int id) {
        mappings.set(id, null);
        freeMappingIds.push(id);
    }

    /** Every registered AnonVma and AddressSpace (for invariant checks). */
    java.util.List<Object> liveMappings() {
        java.util.List<Object> out = new java.util.ArrayList<>();
        for (Object o : mappings) {
            if (o instanceof AnonVma || o instanceof AddressSpace) {
                out.add(o);
            }
        }
        return out;
    }

    /** The AnonVma or AddressSpace a page's mapping id names, or null. */
    public Object mapping(int id) {
        return id <= 0 || id >= mappings.size() ? null : mappings.get(id);
    }

    /**
     * A regular file's page cache (an executable, a library, a data file) with the identity maps prints:
     * device major:minor and inode number.
     */
    public AddressSpace newFile(String path, long sizeBytes, int devMajor, int devMinor, long ino) {
        assertWriter();
        int id = registerMapping(null);
        AddressSpace a = new AddressSpace(id, path, sizeBytes, devMajor, devMinor, ino, false, false);
        setMapping(id, a);
        files.add(a);
        return a;
    }

    /**
     * The page cache of a block device's inode (bdev): raw reads of the device and filesystem metadata go through
     * it, and its pages are Buffers.
     */
    public AddressSpace newBlockdev(String path, long sizeBytes, int devMajor, int devMinor) {
        assertWriter();
        int id = registerMapping(null);
        AddressSpace a = new AddressSpace(id, path, sizeBytes, devMajor, devMinor, 0, false, true);
        setMapping(id, a);
        files.add(a);
        return a;
    }

    /**
     * shmem_file_setup(): a shmem object (a shared anonymous mapping's backing, a SysV segment) of {@code sizeBytes}.
     * Unless {@code noreserve}, its whole size is charged to Committed_AS as shmem_acct_size does, checked by the
     * overcommit policy for the current task's address space {@code current} (may be null); null when refused.
     * Its pages are Shmem.
     */
    public AddressSpace newShmemObject(String path, long sizeBytes, boolean anonymous, MmStruct current,
                                       boolean noreserve) {
        assertWriter();
        long pages = (sizeBytes + io.simproc.uapi.Page.PAGE_SIZE - 1) >>> io.simproc.uapi.Page.PAGE_SHIFT;
        if (!noreserve && overcommit.vmEnoughMemory(current, pages) < 0) {
            return null;
        }
        int id = registerMapping(null);
        AddressSpace a = new AddressSpace(id, path, sizeBytes, 0, 1, nextShmemIno++, true, false);
        a.chargedPages = noreserve ? 0 : pages;
        setMapping(id, a);
        shmemObjects.add(a);
        if (anonymous) {
            anonymousShmem.add(a);
        }
        return a;
    }

    /** Every live shmem object (for invariant checks). */
    java.util.Collection<AddressSpace> shmemObjects() {
        return java.util.Collections.unmodifiableCollection(shmemObjects);
    }

    /** A shared anonymous mapping's object: it goes away with its last mapping. */
    boolean isAnonymousShmem(AddressSpace a) {
        return anonymousShmem.contains(a);
    }

    /** Whether any VMA maps this file or shmem object. */
    public boolean isMapped(AddressSpace a) {
        return !a.iMmap.isEmpty();
    }

    /** A shmem object's last user went (or it was removed): its pages and its charge go with it. */
    public void freeShmemObject(AddressSpace a) {
        assertWriter();
        if (!shmemObjects.remove(a)) {
            return;
        }
        anonymousShmem.remove(a);
        java.util.List<Long> cached = new java.util.ArrayList<>();
        a.pages.forEachIndex(cached::add);
        for (long idx : cached) {
            filemap.deleteFromPageCache(a, idx, 0);
        }
        addCommitted(-a.chargedPages);
        releaseMapping(a.id());
    }

    /** Regular files and block devices, in creation order. */
    public java.util.Collection<AddressSpace> files() {
        return java.util.Collections.unmodifiableCollection(files);
    }

    /**
     * iput_final() of an unlinked file: its page cache goes (pages still mapped stay until unmapped, when the
     * last mapping takes the rest), its id is released once nothing is cached or mapped.
     */
    public void evictInode(AddressSpace a) {
        assertWriter();
        a.unlinked = true;
        filemap.truncate(a, 0, 0);
        if (a.iMmap.isEmpty() && a.nrPages() == 0) {
            files.remove(a);
            releaseMapping(a.id());
        }
    }

    /** nr_blockdev_pages(): pages cached by block-device inodes (Buffers). */
    public long nrBlockdevPages() {
        long n = 0;
        for (AddressSpace a : files) {
            if (a.isBlockdev()) {
                n += a.nrPages();
            }
        }
        return n;
    }

    void registerMm(MmStruct m) {
        mms.add(m);
        if (slab != null) {
            m.kobj = slab.kmemCacheAlloc(slab.kernelCaches().mmStruct, Gfp.GFP_KERNEL, m.homeCpu);
        }
        if (percpu != null) {
            m.percpuCounters = percpu.alloc(MM_PERCPU_BYTES, m.homeCpu);
        }
    }

    void unregisterMm(MmStruct m) {
        if (!mms.remove(m)) {
            return;
        }
        if (m.kobj != 0) {
            slab.kfree(m.kobj, m.homeCpu);
            m.kobj = 0;
        }
        if (m.percpuCounters) {
            percpu.free(MM_PERCPU_BYTES, m.homeCpu);
            m.percpuCounters = false;
        }
    }

    /** Every live address space (for invariant checks). */
    public java.util.Collection<MmStruct> mms() {
        return java.util.Collections.unmodifiableCollection(mms);
    }

    /** Which RSS counter a mapped page counts in: MM_ANONPAGES, MM_SHMEMPAGES or MM_FILEPAGES. */
    int rssMemberOf(int pfn) {
        int f = map.flags(pfn);
        if ((f & PageFlags.PG_ANON) != 0) {
            return MmStruct.MM_ANONPAGES;
        }
        return (f & PageFlags.PG_SWAPBACKED) != 0 ? MmStruct.MM_SHMEMPAGES : MmStruct.MM_FILEPAGES;
    }

    void addCommitted(long pages) {
        committedAsPages += pages;
    }

    /** register_shrinker(): {@code shrinker} is asked for memory by reclaim and drop_caches from now on. */
    public void registerShrinker(Shrinker shrinker) {
        shrinkers.add(shrinker);
    }

    /** The registered shrinkers, in registration order (the order shrink_slab walks them). */
    public List<Shrinker> shrinkers() {
        return java.util.Collections.unmodifiableList(shrinkers);
    }

    public VmTunables tunables() {
        return tunables;
    }

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

    public int nrCpus() {
        return nrCpus;
    }

    public int cpuToNode(int cpu) {
        return cpuToNode[cpu];
    }

    public int nrCpusOfNode(int nid) {
        int n = 0;
        for (int node : cpuToNode) {
            if (node == nid) {
                n++;
            }
        }
        return n;
    }

    Zone[] zonelist(int nid, int highestZoneidx) {
        return zonelists[nid][highestZoneidx];
    }

    /** present_section_nr(): whether the 128 MiB section holding pfn has any RAM (has struct pages). */
    public boolean isSectionPresent(long pfn) {
        return presentSections.get((int) (pfn >>> PFN_SECTION_SHIFT));
    }

    /**
     * pfn_section_valid() as subsection_map_init() sets it up at boot: whether the 2 MiB subsection holding pfn has
     * any RAM. A hole of whole subsections inside a present section has no valid struct pages (pfn_to_online_page()
     * returns NULL there).
     */
    public boolean isSubsectionValid(long pfn) {
        return validSubsections.get((int) (pfn >>> PFN_SUBSECTION_SHIFT));
    }

    /** page_zone(). */
    public Zone zoneOf(int pfn) {
        int id = map.zoneId(pfn);
        return id < 0 ? null : zonesById[id];
    }

    public long event(VmEvent e) {
        return vmEvents[e.ordinal()];
    }

    /** count_vm_events() for subsystems outside mm. */
    public void countEvent(VmEvent e, long delta) {
        assertWriter();
        vmEvents[e.ordinal()] += delta;
    }

    /** totalram_pages(): Σ managed pages. */
    public long totalramPages() {
        long n = 0;
        for (Zone z : zones) {
            n += z.managedPages;
        }
        return n;
    }

    long totalRamPagesAtBoot() {
        return totalRamPagesAtBoot;
    }

    /** global_zone_page_state(). */
    public long globalZoneState(ZoneStatItem item) {
        long n = 0;
        for (Zone z : zones) {
            n += z.vmStat[item.ordinal()];
        }
        return n;
    }

    /** global_node_page_state() (stored units). */
    public long globalNodeState(NodeStatItem item) {
        long n = 0;
        for (PgData p : nodes) {
            n += p.vmStat[item.ordinal()];
        }
        return n;
    }

    public long globalNumaEvent(NumaStatItem item) {
        long n = 0;
        for (Zone z : zones) {
            n += z.numaEvents[item.ordinal()];
        }
        return n;
    }

    /** total_swap_pages: usable pages of every active swap area (none until a swap area is activated). */
    public long totalSwapPages() {
        return swap.totalSwapPages();
    }

    /** vm_committed_as: pages charged by accountable mappings (Committed_AS). */
    public long committedAsPages() {
        return committedAsPages;
    }

    public long nrMemmapBootPages() {
        return memmapBootPages;
    }

    /**
     * mod_node_page_state(page_pgdat(page), item, delta) for the kernel's own allocators (slab, vmalloc, kernel
     * stacks): {@code delta} in the item's stored unit, on the node of {@code pfn}.
     */
    public void modNodePageState(int pfn, NodeStatItem item, long delta) {
        assertWriter();
        zoneOf(pfn).node().modState(item, delta);
    }

    /**
     * Record in the struct pages of an allocated block which kernel object owns it (slab: the cache and slab;
     * vmalloc: the area), as page->slab_cache and the slab index do. Only for slab, vmalloc, stack and percpu pages.
     */
    public void setKernelPageOwner(int pfn, int nrPages, int mapping, int index) {
        assertWriter();
        for (int i = 0; i < nrPages; i++) {
            PageOwner o = map.owner(pfn + i);
            if (o != PageOwner.SLAB && o != PageOwner.VMALLOC && o != PageOwner.KERNEL_STACK
                    && o != PageOwner.PERCPU) {
                throw new IllegalStateException("pfn " + (pfn + i) + " is owned by " + o + ", not a kernel allocator");
            }
            map.setMapping(pfn + i, mapping);
            map.setIndex(pfn + i, index);
        }
    }

    /** Allocated pages per owner kind, kept at allocation and free. */
    public long ownerPages(PageOwner owner) {
        return ownerPages[owner.ordinal()];
    }

    void accountOwner(PageOwner owner, long delta) {
        ownerPages[owner.ordinal()] += delta;
    }
}
