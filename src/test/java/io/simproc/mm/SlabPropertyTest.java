package io.simproc.mm;

import io.simproc.mm.slab.KmemCache;
import io.simproc.mm.slab.Slab;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random kmalloc/kfree sequences (sizes 1 B … 16 KiB, so large kmallocs too, every kmalloc type) against a
 * reference model: a map of live objects from address to requested size. After every operation the new object
 * overlaps no live one and lies inside its cache's stride; per cache active ≤ total objects and live objects equal
 * the model's; every few hundred operations {@link MmDebug} (with the slab checks) finds nothing. When everything
 * is freed and the caches are shrunk, every slab page is back in the buddy allocator.
 *
 * <p>Per run: 4 × 30,000 = 120,000 allocations and frees.
 */
class SlabPropertyTest {
    private static final int[] GFPS = {
        Gfp.GFP_KERNEL, Gfp.GFP_KERNEL, Gfp.GFP_ATOMIC, Gfp.GFP_KERNEL | Gfp.__GFP_RECLAIMABLE,
        Gfp.GFP_KERNEL | Gfp.__GFP_ACCOUNT, Gfp.GFP_KERNEL | Gfp.__GFP_DMA,
    };

    @Property(tries = 4, shrinking = ShrinkingMode.OFF, edgeCases = EdgeCasesMode.NONE)
    void kmallocKfreeAgainstAMapOfLiveObjects(@ForAll long seed) {
        MemoryManager mm = TestMachine.pcLowMemory(96).cpus(0, 0, 0).boot(new FakeKernelServices());
        mm.kmemCacheInit();
        Slab slab = mm.slab();
        long bootSlabPages = slab.slabPages();
        SplittableRandom rnd = new SplittableRandom(seed);
        TreeMap<Long, Integer> live = new TreeMap<>();
        List<Long> order = new ArrayList<>();
        int ops = 30_000;
        for (int op = 0; op < ops; op++) {
            String where = "seed " + seed + " op " + op;
            boolean alloc = order.isEmpty() || rnd.nextInt(100) < (op < ops / 2 ? 60 : 40);
            int cpu = rnd.nextInt(3);
            if (alloc) {
                int size = rnd.nextInt(100) < 97 ? 1 + rnd.nextInt(rnd.nextBoolean() ? 256 : 8192)
                        : 8193 + rnd.nextInt(8192);
                int gfp = GFPS[rnd.nextInt(GFPS.length)];
                long addr = slab.kmalloc(size, gfp, cpu);
                if (addr == 0) {
                    continue;
                }
                int stride = size > Slab.KMALLOC_MAX_CACHE_SIZE ? size : slab.kmallocSlab(size, gfp).size();
                assertTrue(stride >= size, where);
                Map.Entry<Long, Integer> below = live.floorEntry(addr + stride - 1);
                if (below != null && below.getKey() + below.getValue() > addr) {
                    fail(where + ": object 0x" + Long.toHexString(addr) + "+" + stride + " overlaps 0x"
                            + Long.toHexString(below.getKey()) + "+" + below.getValue());
                }
                live.put(addr, stride);
                order.add(addr);
            } else {
                int i = rnd.nextInt(order.size());
                long addr = order.get(i);
                order.set(i, order.get(order.size() - 1));
                order.remove(order.size() - 1);
                live.remove(addr);
                slab.kfree(addr, cpu);
            }
            if (op % 500 == 0 || op == ops - 1) {
                long objects = 0;
                for (KmemCache c : slab.caches()) {
                    assertTrue(c.activeObjs() <= c.numObjs(), where + " " + c.name());
                    assertTrue(c.liveObjects() <= c.activeObjs(), where + " " + c.name());
                    assertTrue(c.emptyPartialSlabs() <= (long) c.minPartial() * mm.nrNodes(), where + " " + c.name());
                    objects += c.liveObjects();
                }
                long descriptors = slab.cache("kmem_cache").liveObjects() + slab.cache("kmem_cache_node").liveObjects();
                long large = live.values().stream().filter(s -> s > Slab.KMALLOC_MAX_CACHE_SIZE).count();
                assertEquals(live.size() - large, objects - descriptors, where + ": live objects");
                List<String> v = MmDebug.violations(mm);
                assertTrue(v.isEmpty(), where + ": " + v);
            }
        }
        for (long addr : order) {
            slab.kfree(addr, 0);
        }
        slab.shrinkAll(0);
        for (KmemCache c : slab.caches()) {
            if (!c.name().startsWith("kmem_cache")) {
                assertEquals(0, c.numSlabs(), "seed " + seed + ": " + c.name() + " keeps slabs after shrink");
            }
        }
        assertEquals(0, slab.largeKmallocPages());
        assertTrue(slab.slabPages() <= bootSlabPages, "seed " + seed + ": only the caches' descriptors remain");
        assertEquals(slab.slabPages(), mm.vmstat().ownerPages(PageOwner.SLAB));
        assertTrue(MmDebug.violations(mm).isEmpty());
    }
}
