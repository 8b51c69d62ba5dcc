package io.simproc.proc;

import io.simproc.mm.MemMap;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.MigrateType;
import io.simproc.mm.PageAlloc;
import io.simproc.mm.PgData;
import io.simproc.mm.Zone;

import java.util.List;

/**
 * /proc/pagetypeinfo (mm/vmstat.c pagetypeinfo_show), mode 0400: per node with memory, the free block counts per
 * zone, migrate type and order (capped at 100000 like the kernel's list walk, shown as {@code >100000}), then the
 * number of pageblocks of each type, counted by walking the zone in pageblock steps.
 */
public final class Pagetypeinfo implements ProcFile.Renderer {
    /** The kernel stops counting a free list here and prints '>' before the number. */
    static final long FREELIST_WALK_CAP = 100000;

    @Override
    public byte[] render(ProcContext ctx) {
        MemoryManager mm = ctx.kernel().mm();
        List<MigrateType> types = mm.config().migrateTypes();
        Seq s = new Seq(4096);
        for (PgData pgdat : mm.nodes()) {
            if (pgdat.nodePresentPages() == 0) {
                continue;
            }
            s.put("Page block order: ").put(PageAlloc.PAGEBLOCK_ORDER).nl();
            s.put("Pages per block:  ").put(PageAlloc.PAGEBLOCK_NR_PAGES).nl();
            s.nl();
            s.left("Free pages count per migrate type at order", 43).put(' ');
            for (int order = 0; order < PageAlloc.NR_PAGE_ORDERS; order++) {
                s.dec(order, 6).put(' ');
            }
            s.nl();
            for (Zone z : pgdat.zones()) {
                if (!z.isPopulated()) {
                    continue;
                }
                for (MigrateType mt : types) {
                    s.put("Node ").dec(pgdat.nodeId(), 4).put(", zone ").right(z.type().procName(), 8)
                            .put(", type ").right(mt.procName(), 12).put(' ');
                    for (int order = 0; order < PageAlloc.NR_PAGE_ORDERS; order++) {
                        long n = z.nrFreeBlocks(order, mt);
                        if (n >= FREELIST_WALK_CAP) {
                            s.put('>').dec(FREELIST_WALK_CAP, 6).put(' ');
                        } else {
                            s.dec(n, 6).put(' ');
                        }
                    }
                    s.nl();
                }
            }
            s.nl().left("Number of blocks type ", 23);
            for (MigrateType mt : types) {
                s.right(mt.procName(), 12).put(' ');
            }
            s.nl();
            for (Zone z : pgdat.zones()) {
                if (!z.isPopulated()) {
                    continue;
                }
                long[] count = blockCounts(mm, z);
                s.put("Node ").put(pgdat.nodeId()).put(", zone ").right(z.type().procName(), 8).put(' ');
                for (MigrateType mt : types) {
                    s.dec(count[mt.ordinal()], 12).put(' ');
                }
                s.nl();
            }
        }
        return s.bytes();
    }

    /**
     * pagetypeinfo_showblockcount_print(): from the zone's first pfn in pageblock steps, the stored migrate type of
     * each block whose first pfn has an online struct page (pfn_to_online_page(): present section and valid 2 MiB
     * subsection, so holes inside a section are skipped too) and belongs to the zone.
     */
    static long[] blockCounts(MemoryManager mm, Zone z) {
        long[] count = new long[MigrateType.MIGRATE_TYPES];
        MemMap map = mm.memMap();
        long end = z.zoneEndPfn();
        for (long pfn = z.zoneStartPfn(); pfn < end; pfn += PageAlloc.PAGEBLOCK_NR_PAGES) {
            if (!mm.sparse().isSectionPresent(pfn) || !mm.sparse().isSubsectionValid(pfn)) {
                continue;
            }
            if (map.zoneId((int) pfn) == z.id()) {
                count[map.pageblockMigratetype((int) pfn)]++;
            }
        }
        return count;
    }
}
