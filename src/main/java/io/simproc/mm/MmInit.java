package io.simproc.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * Boot-time setup of the mem_map, the nodes and their zones (mm/mm_init.c): free_area_init() lays out the zones
 * from memblock, memmap_init() initialises the struct pages, build_zonelists() orders the zones each node allocates
 * from, memblock_free_all() hands every unreserved page to the buddy allocator, and init_cma_reserved_pageblock()
 * turns a CMA area into free CMA pageblocks. {@link MemoryManager} runs these in the kernel's order.
 */
final class MmInit {
    private MmInit() {
    }

    /**
     * free_area_init(): the span and present pages of each node and zone from memblock.memory, each zone's
     * free_area and per-cpu pagesets, and the zone owning each pageblock (the lower zone when two share one).
     */
    static void freeAreaInit(MemoryManager mm, Memblock memblock, ZoneLayout layout) {
        MemMap map = mm.memMap();
        for (PgData pgdat : mm.nodes()) {
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
                z.pcp = new PerCpuPages[mm.nrCpus()];
                for (int cpu = 0; cpu < mm.nrCpus(); cpu++) {
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
    static void memmapInit(MemMap map, Memblock memblock) {
        int reservedFlags = PageFlags.PG_RESERVED;
        int holeFlags = PageFlags.PG_RESERVED | PageFlags.PG_HOLE;
        map.fill(0, map.nrPfns(), holeFlags, 1);
        for (Memblock.Region r : memblock.memory()) {
            map.fill((int) r.startPfn(), (int) r.endPfn(), reservedFlags, 1);
        }
        map.initPageblockMigratetypes(MigrateType.MOVABLE.ordinal());
    }

    /**
     * The nodes' pg_data_t with their zones (alloc_node_data(); free_area_init() sizes them), node-major, so that a
     * zone's id is its index in the flattened list. Their LRU lists are the root memory cgroup's ({@link Memcontrol}).
     */
    static PgData[] allocNodeData(int nrNodes) {
        PgData[] nodes = new PgData[nrNodes];
        for (int nid = 0; nid < nrNodes; nid++) {
            nodes[nid] = new PgData(nid);
        }
        return nodes;
    }

    /**
     * build_zonelists(): per node and highest zone index, its own zones from high to low, then the other nodes' in
     * node order (ZONELIST_FALLBACK), and its own zones alone (ZONELIST_NOFALLBACK, for __GFP_THISNODE).
     */
    static void buildZonelists(MemoryManager mm) {
        List<PgData> nodes = mm.nodes();
        for (int nid = 0; nid < nodes.size(); nid++) {
            PgData self = nodes.get(nid);
            self.zonelistFallback = new Zone[ZoneType.MAX_NR_ZONES][];
            self.zonelistNoFallback = new Zone[ZoneType.MAX_NR_ZONES][];
            for (int highest = 0; highest < ZoneType.MAX_NR_ZONES; highest++) {
                List<Zone> list = new ArrayList<>();
                for (int k = 0; k < nodes.size(); k++) {
                    PgData pgdat = nodes.get((nid + k) % nodes.size());
                    for (int zi = highest; zi >= 0; zi--) {
                        if (pgdat.zones[zi].spannedPages > 0) {
                            list.add(pgdat.zones[zi]);
                        }
                    }
                }
                self.zonelistFallback[highest] = list.toArray(new Zone[0]);
                self.zonelistNoFallback[highest] = list.stream().filter(z -> z.node() == self).toArray(Zone[]::new);
            }
        }
    }

    /**
     * memblock_free_all(): every RAM page not reserved goes to the buddy allocator in the largest aligned blocks
     * that fit (__free_pages_memory), becoming the zones' managed pages. Returns the allocator, sized by them.
     */
    static PageAlloc memblockFreeAll(MemoryManager mm, Memblock memblock) {
        List<Memblock.Region> reserved = memblock.reserved();
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
        long totalRamPages = 0;
        for (long[] range : free) {
            totalRamPages += range[1] - range[0];
        }
        PageAlloc pageAlloc = new PageAlloc(mm, totalRamPages);
        for (long[] range : free) {
            freePagesMemory(pageAlloc, range[0], range[1]);
        }
        return pageAlloc;
    }

    /** __free_pages_memory(): split [start, end) into maximal naturally aligned blocks. */
    private static void freePagesMemory(PageAlloc pageAlloc, long start, long end) {
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
    static void initCmaReservedPageblocks(MemoryManager mm, int startPfn, int nrPages) {
        for (int pfn = startPfn; pfn < startPfn + nrPages; pfn += PageAlloc.PAGEBLOCK_NR_PAGES) {
            mm.memMap().setPageblockMigratetype(pfn, MigrateType.CMA.ordinal());
        }
        long start = startPfn;
        long end = (long) startPfn + nrPages;
        while (start < end) {
            int order = Math.min(PageAlloc.MAX_PAGE_ORDER, Long.numberOfTrailingZeros(start));
            while (start + (1L << order) > end) {
                order--;
            }
            mm.zoneOf((int) start).cmaPages += 1L << order;
            mm.pageAlloc().freeBootPages((int) start, order);
            start += 1L << order;
        }
    }
}
