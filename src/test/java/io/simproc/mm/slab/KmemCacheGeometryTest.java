package io.simproc.mm.slab;

import io.simproc.proc.ProcTestSupport;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SLUB's slab geometry (calculate_sizes, calculate_order, set_min_partial) against the 6.18 sample, captured on a
 * 2-CPU guest: for every cache line, the objects per slab and pages per slab SLUB chose for that object size.
 */
class KmemCacheGeometryTest {
    @Test
    void everySampleCacheGetsTheObjectsAndPagesPerSlabTheKernelChose() {
        String[] lines = ProcTestSupport.sample("slabinfo_head40.txt").split("\n");
        int checked = 0;
        for (String line : lines) {
            if (line.startsWith("slabinfo") || line.startsWith("#")) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            int size = Integer.parseInt(f[3]);
            int objPerSlab = Integer.parseInt(f[4]);
            int pagesPerSlab = Integer.parseInt(f[5]);
            int order = KmemCache.calculateOrder(size, 2);
            assertEquals(pagesPerSlab, 1 << order, f[0] + " size " + size);
            assertEquals(objPerSlab, KmemCache.orderObjects(order, size), f[0] + " size " + size);
            checked++;
        }
        assertTrue(checked >= 38, "sample lines checked: " + checked);
    }

    @Test
    void moreCpusAskForMoreObjectsPerSlab() {
        assertEquals(0, KmemCache.calculateOrder(192, 2), "dentry: 21 objects in one page");
        assertEquals(1, KmemCache.calculateOrder(256, 64), "64 CPUs: min_objects 4 × (fls(64) + 1) = 32");
        assertEquals(3, KmemCache.calculateOrder(10048, 2), "task_struct stays at slub_max_order");
        assertEquals(3, KmemCache.calculateOrder(8192, 1),
                "1 CPU wants 8 objects; capped at the 4 that slub_max_order holds");
        assertEquals(0, KmemCache.calculateOrder(64, 1), "4 × (fls(1) + 1) = 8 objects fit one page");
    }

    @Test
    void sizesAlignmentAndMinPartialFollowSlub() {
        assertEquals(192, KmemCache.calculateSizes(192, KmemCache.calculateAlignment(KmemCache.SLAB_HWCACHE_ALIGN, 0,
                192), KmemCache.SLAB_HWCACHE_ALIGN));
        assertEquals(32, KmemCache.calculateAlignment(KmemCache.SLAB_HWCACHE_ALIGN, 0, 24),
                "cache-line alignment halves while two objects fit");
        assertEquals(104, KmemCache.calculateSizes(96, 8, KmemCache.SLAB_TYPESAFE_BY_RCU),
                "the free pointer goes after an RCU-typesafe object");
        assertEquals(5, KmemCache.setMinPartial(64));
        assertEquals(6, KmemCache.setMinPartial(4096));
        assertEquals(6, KmemCache.setMinPartial(8192));
    }
}
