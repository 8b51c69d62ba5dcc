package io.simproc.mm;

import io.simproc.mm.vmalloc.Vmalloc;
import io.simproc.mm.vmalloc.VmapArea;
import io.simproc.uapi.Page;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random vmalloc/vfree/ioremap/vmap sequences mixed with kmalloc/kfree against reference models: a TreeMap of busy
 * ranges and a BitSet of backing pfns. After every operation a new area overlaps no busy range, lies inside
 * [VMALLOC_START, VMALLOC_END), is the lowest fit (nothing free below it is big enough), keeps its guard page and
 * its pages are distinct pfns owned by nobody else; VmallocUsed is the model's page count. Every few hundred
 * operations {@link MmDebug} (with the slab and vmalloc checks) finds nothing. Freeing everything gives every page
 * back.
 *
 * <p>Per run: 3 × 40,000 = 120,000 operations.
 */
class VmallocPropertyTest {
    @Property(tries = 3, shrinking = ShrinkingMode.OFF, edgeCases = EdgeCasesMode.NONE)
    void vmallocVfreeAgainstATreeOfRanges(@ForAll long seed) {
        MemoryManager mm = TestMachine.pcLowMemory(128).cpus(0, 0).boot(new FakeKernelServices());
        mm.kmemCacheInit();
        mm.vmallocInit();
        Vmalloc v = mm.vmalloc();
        long freeAtStart = mm.vmstat().globalZoneState(ZoneStatItem.NR_FREE_PAGES);
        SplittableRandom rnd = new SplittableRandom(seed);
        TreeMap<Long, Long> busy = new TreeMap<>(Long::compareUnsigned);
        BitSet pfns = new BitSet();
        List<Long> liveAreas = new ArrayList<>();
        List<Long> liveObjects = new ArrayList<>();
        long pages = 0;
        int ops = 40_000;
        for (int op = 0; op < ops; op++) {
            String where = "seed " + seed + " op " + op;
            int cpu = rnd.nextInt(2);
            int kind = rnd.nextInt(100);
            boolean grow = op < ops / 2 ? rnd.nextInt(100) < 60 : rnd.nextInt(100) < 40;
            if (kind < 30) {
                if (grow || liveObjects.isEmpty()) {
                    long a = mm.slab().kmalloc(1 + rnd.nextInt(2048), Gfp.GFP_KERNEL, cpu);
                    if (a != 0) {
                        liveObjects.add(a);
                    }
                } else {
                    int i = rnd.nextInt(liveObjects.size());
                    mm.slab().kfree(liveObjects.get(i), cpu);
                    liveObjects.set(i, liveObjects.get(liveObjects.size() - 1));
                    liveObjects.remove(liveObjects.size() - 1);
                }
            } else if (grow || liveAreas.isEmpty()) {
                VmapArea a;
                int sub = rnd.nextInt(10);
                if (sub < 7) {
                    long size = 1 + rnd.nextInt(rnd.nextBoolean() ? 16 << 10 : 256 << 10);
                    a = v.vmalloc(size, Page.PAGE_SIZE, Gfp.GFP_KERNEL, 0, cpu, "test_vmalloc+0x1/0x10");
                    if (a != null) {
                        assertEquals(((size + Page.PAGE_SIZE - 1) >>> Page.PAGE_SHIFT), a.nrPages(), where);
                        assertEquals(((long) a.nrPages() + 1) << Page.PAGE_SHIFT, a.size(), where + ": guard page");
                        for (int i = 0; i < a.nrPages(); i++) {
                            int pfn = a.page(i);
                            if (pfns.get(pfn)) {
                                fail(where + ": pfn " + pfn + " backs two areas");
                            }
                            assertEquals(PageOwner.VMALLOC, mm.memMap().owner(pfn), where);
                            pfns.set(pfn);
                        }
                        pages += a.nrPages();
                    }
                } else if (sub < 9) {
                    long phys = ((long) rnd.nextInt(1 << 20) << 12) + rnd.nextInt(4096);
                    a = v.ioremap(phys, 1 + rnd.nextInt(64 << 10), cpu, "test_ioremap+0x1/0x10");
                    assertEquals(0, a.nrPages());
                    assertEquals(phys & ~0xfffL, a.physAddr(), where);
                } else {
                    a = v.vmap(1 + rnd.nextInt(8), cpu, "test_vmap+0x1/0x10");
                }
                if (a == null) {
                    continue;
                }
                assertTrue(Long.compareUnsigned(a.start(), Vmalloc.VMALLOC_START) >= 0
                        && Long.compareUnsigned(a.end(), Vmalloc.VMALLOC_END) <= 0, where);
                Map.Entry<Long, Long> below = busy.floorEntry(a.end() - 1);
                if (below != null && Long.compareUnsigned(below.getValue(), a.start()) > 0) {
                    fail(where + ": area 0x" + Long.toHexString(a.start()) + " overlaps 0x"
                            + Long.toHexString(below.getKey()));
                }
                assertEquals(lowestFit(busy, a.size()), a.start(), where + ": the lowest free range that fits");
                busy.put(a.start(), a.end());
                liveAreas.add(a.start());
            } else {
                int i = rnd.nextInt(liveAreas.size());
                long start = liveAreas.get(i);
                VmapArea a = v.area(start);
                for (int p = 0; p < a.nrPages(); p++) {
                    pfns.clear(a.page(p));
                }
                pages -= a.nrPages();
                v.vfree(start, cpu);
                busy.remove(start);
                liveAreas.set(i, liveAreas.get(liveAreas.size() - 1));
                liveAreas.remove(liveAreas.size() - 1);
            }
            assertEquals(pages, v.nrVmallocPages(), where + ": VmallocUsed");
            if (op % 1000 == 0) {
                List<String> errors = MmDebug.violations(mm);
                assertTrue(errors.isEmpty(), where + ": " + errors);
            }
        }
        for (long start : liveAreas) {
            v.vfree(start, 0);
        }
        for (long a : liveObjects) {
            mm.slab().kfree(a, 0);
        }
        mm.slab().shrinkAll(0);
        assertEquals(0, v.nrVmallocPages());
        assertEquals(0, mm.vmstat().ownerPages(PageOwner.VMALLOC));
        assertTrue(v.areas().isEmpty());
        assertTrue(MmDebug.violations(mm).isEmpty());
        assertTrue(mm.vmstat().globalZoneState(ZoneStatItem.NR_FREE_PAGES) + pcp(mm) + mm.vmstat().ownerPages(PageOwner.SLAB)
                >= freeAtStart, "seed " + seed + ": every page back");
    }

    /** The address the lowest-fit search must return for {@code size} bytes (everything is page aligned). */
    private static long lowestFit(TreeMap<Long, Long> busy, long size) {
        long cursor = Vmalloc.VMALLOC_START;
        for (Map.Entry<Long, Long> e : busy.entrySet()) {
            if (Long.compareUnsigned(e.getKey() - cursor, size) >= 0 && Long.compareUnsigned(e.getKey(), cursor) >= 0) {
                return cursor;
            }
            cursor = e.getValue();
        }
        return cursor;
    }

    private static long pcp(MemoryManager mm) {
        long n = 0;
        for (Zone z : mm.zones()) {
            for (int c = 0; c < z.nrCpus(); c++) {
                n += z.pcp(c).count();
            }
        }
        return n;
    }
}
