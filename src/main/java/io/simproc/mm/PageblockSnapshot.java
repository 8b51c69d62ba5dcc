package io.simproc.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * A read-only picture of physical memory at one instant: for every populated zone its pageblocks (migrate type,
 * pages present, pages free) and the free buddy blocks of pageblock order or more. What people draw to explain
 * fragmentation; taken by one linear walk of each zone's mem_map, so the caller must hold the machine's read lock
 * (or be the simulation thread). Nothing here renders.
 *
 * <p>A page counts as free when it belongs to a free buddy block or to a block on a per-cpu list; present unless it
 * is a hole of the e820 map. Pageblock cells cover the part of each pageblock inside the zone.
 */
public final class PageblockSnapshot {
    private final List<ZoneBlocks> zones;
    private final List<MigrateType> migrateTypes;

    private PageblockSnapshot(List<ZoneBlocks> zones, List<MigrateType> migrateTypes) {
        this.zones = List.copyOf(zones);
        this.migrateTypes = List.copyOf(migrateTypes);
    }

    /**
     * One zone's pageblocks, indexed from {@code firstPageblock} (the absolute pageblock number, pfn >> 9, of the
     * pageblock holding the zone's first pfn).
     *
     * @param freeBlockPfns   head pfn of each free buddy block of order ≥ pageblock order, in pfn order
     * @param freeBlockOrders their orders
     */
    public record ZoneBlocks(int nodeId, ZoneType type, long startPfn, long endPfn, long firstPageblock,
                             byte[] migratetype, short[] present, short[] free, long[] freeBlockPfns,
                             byte[] freeBlockOrders) {
        public int nrPageblocks() {
            return migratetype.length;
        }

        public MigrateType migratetype(int i) {
            return MigrateType.of(migratetype[i]);
        }

        /** Pages of the pageblock that exist (inside the zone and not in a hole). */
        public int present(int i) {
            return present[i];
        }

        public int free(int i) {
            return free[i];
        }

        /** Allocated or reserved share of the present pages, 0..1; 0 for a pageblock without present pages. */
        public double fullness(int i) {
            return present[i] == 0 ? 0 : (double) (present[i] - free[i]) / present[i];
        }

        public int nrFreeBlocks() {
            return freeBlockPfns.length;
        }

        public long freeBlockPfn(int j) {
            return freeBlockPfns[j];
        }

        public int freeBlockOrder(int j) {
            return freeBlockOrders[j];
        }
    }

    /** A snapshot from its parts (one read back from another process, say). */
    public static PageblockSnapshot of(List<ZoneBlocks> zones, List<MigrateType> migrateTypes) {
        return new PageblockSnapshot(zones, migrateTypes);
    }

    /** Take the snapshot: every populated zone of every node, in node then zone order. */
    public static PageblockSnapshot take(MemoryManager mm) {
        List<ZoneBlocks> out = new ArrayList<>();
        MemMap map = mm.memMap();
        for (PgData node : mm.nodes()) {
            for (Zone z : node.zones()) {
                if (z.isPopulated()) {
                    out.add(survey(map, z));
                }
            }
        }
        return new PageblockSnapshot(out, mm.config().migrateTypes());
    }

    private static ZoneBlocks survey(MemMap map, Zone z) {
        long start = z.zoneStartPfn();
        long end = z.zoneEndPfn();
        long firstPb = start >>> PageAlloc.PAGEBLOCK_ORDER;
        int n = (int) (((end - 1) >>> PageAlloc.PAGEBLOCK_ORDER) - firstPb + 1);
        byte[] mt = new byte[n];
        short[] present = new short[n];
        short[] free = new short[n];
        List<long[]> freeBlocks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long pb = (firstPb + i) << PageAlloc.PAGEBLOCK_ORDER;
            mt[i] = (byte) map.pageblockMigratetype((int) Math.max(pb, start));
        }
        int pfn = (int) start;
        while (pfn < end) {
            int f = map.flags(pfn);
            int span = 1;
            boolean isFree = false;
            if ((f & (PageFlags.PG_BUDDY | PageFlags.PG_PCP)) != 0) {
                int order = map.priv(pfn);
                span = 1 << order;
                isFree = true;
                if ((f & PageFlags.PG_BUDDY) != 0 && order >= PageAlloc.PAGEBLOCK_ORDER) {
                    freeBlocks.add(new long[] {pfn, order});
                }
            }
            for (int p = pfn; p < pfn + span; p++) {
                int i = (int) ((p >>> PageAlloc.PAGEBLOCK_ORDER) - firstPb);
                if ((map.flags(p) & PageFlags.PG_HOLE) == 0) {
                    present[i]++;
                    if (isFree) {
                        free[i]++;
                    }
                }
            }
            pfn += span;
        }
        long[] fbPfn = new long[freeBlocks.size()];
        byte[] fbOrder = new byte[freeBlocks.size()];
        for (int j = 0; j < fbPfn.length; j++) {
            fbPfn[j] = freeBlocks.get(j)[0];
            fbOrder[j] = (byte) freeBlocks.get(j)[1];
        }
        return new ZoneBlocks(z.node().nodeId(), z.type(), start, end, firstPb, mt, present, free, fbPfn, fbOrder);
    }

    public List<ZoneBlocks> zones() {
        return zones;
    }

    /** The migrate types this kernel has (what a legend lists). */
    public List<MigrateType> migrateTypes() {
        return migrateTypes;
    }

    /** Nodes of the machine (one more than the highest node id of a populated zone). */
    public int nrNodes() {
        int max = -1;
        for (ZoneBlocks z : zones) {
            max = Math.max(max, z.nodeId());
        }
        return max + 1;
    }
}
