package io.simproc.mm;

import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random allocation and free sequences against the zoned buddy allocator (mm/page_alloc.c: alloc_pages, the per-cpu
 * lists, __rmqueue with its claim/steal fallbacks, __free_one_page) checked against a reference model: a BitSet of
 * allocated pfns and the list of live blocks with their order, GFP mask and node.
 *
 * <p>After every operation: {@link MmDebug} finds nothing; the mem_map's allocated pages are exactly the model's;
 * every new block is naturally aligned, inside one zone its GFP mask allows (gfp_zone) and overlaps no live block;
 * the model's page count equals the KERNEL owner tally; per zone Σ free blocks × 2^order = NR_FREE_PAGES and
 * buddyinfo per order = Σ pagetypeinfo over migrate types; MemTotal = Σ managed = RAM − memblock reservations;
 * pgalloc_&lt;zone&gt;, pgfree and the NUMA events moved exactly as the kernel counts them; an allocation fails
 * only when no eligible zone has both a PCP-type free block big enough and free pages above min + lowmem_reserve,
 * and then warns through printk unless __GFP_NOWARN. Each try ends by freeing everything: the free lists must
 * then hold exactly the blocks they held after boot.
 *
 * <p>Per run: 10×5500 + 8×5000 + 6×1000 + 1×1500 = 102,500 allocations and frees (drains, timer ticks and
 * invalid frees come on top). Randomness comes from the seed jqwik generates; jqwik prints it on failure and every
 * assertion message repeats it with the operation number.
 */
class PageAllocPropertyTest {
    private static final int[] GFPS = {
        Gfp.GFP_KERNEL,
        Gfp.GFP_HIGHUSER_MOVABLE,
        Gfp.GFP_KERNEL | Gfp.__GFP_RECLAIMABLE,
        Gfp.GFP_ATOMIC,
        Gfp.GFP_DMA32,
        Gfp.GFP_KERNEL | Gfp.GFP_DMA,
    };

    /** 64 MiB, one node, four CPUs: DMA and DMA32, a "kernel image" reservation leaving odd-sized free ranges. */
    @Property(tries = 10, shrinking = ShrinkingMode.OFF, edgeCases = EdgeCasesMode.NONE)
    void oneNode64M(@ForAll long seed) {
        TestMachine m = TestMachine.pcLowMemory(64).reserve(4096, 4096 + 1737).reserve(9000, 9003).cpus(0, 0, 0, 0);
        new Run(m, seed).run(5500);
    }

    /** Two nodes of 32 MiB, two CPUs each: node 0 has DMA and DMA32, node 1 only DMA32; remote fallbacks. */
    @Property(tries = 8, shrinking = ShrinkingMode.OFF, edgeCases = EdgeCasesMode.NONE)
    void twoNodes64M(@ForAll long seed) {
        TestMachine m = new TestMachine()
                .ram(1, TestMachine.LOW_RAM_END_PFN, 0)
                .ram(TestMachine.ONE_MIB_PFN, 8192, 0)
                .ram(8192, 16384, 1)
                .reserve(0, TestMachine.ONE_MIB_PFN)
                .reserve(5000, 5100)
                .reserve(12000, 12001)
                .cpus(0, 0, 1, 1);
        new Run(m, seed).run(5000);
    }

    /**
     * 11 MiB: fewer pages than pageblock_nr_pages × MIGRATE_TYPES, so mobility grouping is off and every request
     * is served as Unmovable.
     */
    @Property(tries = 6, shrinking = ShrinkingMode.OFF, edgeCases = EdgeCasesMode.NONE)
    void mobilityGroupingDisabled(@ForAll long seed) {
        TestMachine m = new TestMachine()
                .ram(1, TestMachine.LOW_RAM_END_PFN, 0)
                .ram(TestMachine.ONE_MIB_PFN, 2900, 0)
                .reserve(0, TestMachine.ONE_MIB_PFN)
                .cpus(0, 0);
        new Run(m, seed).run(1000);
    }

    /**
     * DMA, DMA32 and a ZONE_NORMAL at 4 GiB: ordinary requests prefer Normal with ALLOC_NOFRAGMENT and fall back
     * to DMA32 and DMA through lowmem_reserve. The hole below 4 GiB makes a full MmDebug pass cost ~3 ms (it walks
     * every pfn of the mem_map), hence one try.
     */
    @Property(tries = 1, shrinking = ShrinkingMode.OFF, edgeCases = EdgeCasesMode.NONE)
    void threeZonesWithNormal(@ForAll long seed) {
        TestMachine m = TestMachine.pcLowMemory(32)
                .ram(ZoneLayout.MAX_DMA32_PFN, ZoneLayout.MAX_DMA32_PFN + 8192, 0)
                .reserve(ZoneLayout.MAX_DMA32_PFN + 100, ZoneLayout.MAX_DMA32_PFN + 103)
                .cpus(0, 0);
        new Run(m, seed).run(1500);
    }

    /** One live allocation of the model. */
    private record Block(int pfn, int order, int gfp) {
    }

    /** One random sequence on one freshly booted machine, with the model and the expected counters. */
    private static final class Run {
        private final long seed;
        private final SplittableRandom rnd;
        private final FakeKernelServices services = new FakeKernelServices();
        private final MemoryManager mm;
        private final PageAlloc pa;
        private final long expectedManaged;
        /** The machine's RAM ranges: outside them MmDebug alone checks that pfns stay holes. */
        private final List<long[]> ram;
        private final BitSet allocated = new BitSet();
        private final List<Block> live = new ArrayList<>();
        private final long[][] bootFreeBlocks;
        private final long[] expectedEvents;
        private final long[][] expectedNuma;
        private long allocatedPages;
        private int expectedLogLines;
        private long warnBegin = -1;
        private int warnPrinted;
        private int warnMissed;
        private int opNo;
        private String op = "boot";

        Run(TestMachine machine, long seed) {
            this.seed = seed;
            this.rnd = new SplittableRandom(seed);
            this.mm = machine.boot(services);
            this.pa = mm.pageAlloc();
            this.expectedManaged = machine.expectedManaged();
            this.ram = machine.ramRanges();
            this.bootFreeBlocks = freeBlocks();
            this.expectedEvents = mm.vmstat().events.clone();
            this.expectedNuma = new long[mm.zones().size()][];
            for (int i = 0; i < expectedNuma.length; i++) {
                expectedNuma[i] = mm.zones().get(i).numaEvents.clone();
            }
            this.expectedLogLines = services.log().size();
            check();
        }

        void run(int allocsAndFrees) {
            double allocBias = 0.6;
            int done = 0;
            int nextPhase = 0;
            while (done < allocsAndFrees) {
                if (done >= nextPhase) {
                    // Phases of 400 that fill memory up to failure, hover, or give it back, so that both the
                    // exhausted allocator and the merged one are exercised.
                    allocBias = new double[] {0.35, 0.6, 0.9}[rnd.nextInt(3)];
                    nextPhase += 400;
                }
                opNo++;
                int r = rnd.nextInt(100);
                if (r < 3) {
                    drain();
                } else if (r < 6) {
                    tick();
                } else if (r < 7) {
                    invalidFree();
                } else if (live.isEmpty() || rnd.nextDouble() < allocBias) {
                    alloc();
                    done++;
                } else {
                    free(rnd.nextInt(live.size()));
                    done++;
                }
                check();
            }
            while (!live.isEmpty()) {
                opNo++;
                free(rnd.nextInt(live.size()));
                check();
            }
            opNo++;
            op = "final drainAllPages(null)";
            pa.drainAllPages(null);
            check();
            for (Zone z : mm.zones()) {
                expect(z + " free pages after freeing everything", z.managedPages(), z.freePages());
            }
            long[][] now = freeBlocks();
            for (int i = 0; i < now.length; i++) {
                for (int o = 0; o < PageAlloc.NR_PAGE_ORDERS; o++) {
                    expect(mm.zones().get(i) + " order-" + o + " free blocks after freeing everything (as at boot)",
                            bootFreeBlocks[i][o], now[i][o]);
                }
            }
        }

        private void alloc() {
            int gfp = GFPS[rnd.nextInt(GFPS.length)];
            if (rnd.nextInt(5) == 0) {
                gfp |= Gfp.__GFP_NOWARN;
            }
            if (rnd.nextInt(10) == 0) {
                gfp |= Gfp.__GFP_COMP;
            }
            int order = randomOrder();
            int nid = rnd.nextInt(mm.nrNodes());
            int cpu = rnd.nextInt(mm.nrCpus());
            op = String.format("allocPages(gfp=%#x, order=%d, nid=%d, cpu=%d)", gfp, order, nid, cpu);
            int pfn = pa.allocPages(gfp, order, nid, cpu, PageOwner.KERNEL);
            op += " = " + pfn;
            if (pfn < 0) {
                checkFailureWasDue(gfp, order, nid);
                if ((gfp & Gfp.__GFP_NOWARN) == 0) {
                    // warn_alloc() is rate limited like the kernel's nopage_rs: 10 lines per 5 s, then one
                    // "callbacks suppressed" line when the next interval starts.
                    long now = services.jiffies();
                    if (warnBegin < 0 || now - warnBegin >= 5L * KernelServices.HZ) {
                        if (warnMissed > 0) {
                            expectedLogLines++;
                        }
                        warnBegin = now;
                        warnPrinted = 0;
                        warnMissed = 0;
                    }
                    if (warnPrinted < 10) {
                        warnPrinted++;
                        expectedLogLines++;
                        String last = services.log().get(services.log().size() - 1);
                        String want = String.format("mmtest: page allocation failure: order:%d, mode:%#x(", order,
                                gfp);
                        if (!last.contains(want)) {
                            failHere("expected a warn_alloc line containing '" + want + "', got '" + last + "'");
                        }
                    } else {
                        warnMissed++;
                    }
                    if (expectedLogLines != services.log().size()) {
                        failHere("printk lines: expected " + expectedLogLines + ", got " + services.log().size()
                                + " (rate limit of 10 per 5 s)");
                    }
                }
                return;
            }
            int size = 1 << order;
            if ((pfn & (size - 1)) != 0) {
                failHere("block not naturally aligned");
            }
            Zone z = mm.zoneOf(pfn);
            if (z == null || !z.contains(pfn) || !z.contains(pfn + size - 1L)) {
                failHere("block not inside one zone: " + z);
            }
            if (z.type().ordinal() > Gfp.gfpZone(gfp).ordinal()) {
                failHere("block in " + z + " but gfp_zone allows up to " + Gfp.gfpZone(gfp));
            }
            int overlap = allocated.nextSetBit(pfn);
            if (overlap >= 0 && overlap < pfn + size) {
                failHere("block overlaps live pfn " + overlap);
            }
            allocated.set(pfn, pfn + size);
            allocatedPages += size;
            live.add(new Block(pfn, order, gfp));
            expectedEvents[VmEvent.forZone(VmEvent.PGALLOC_DMA, z.type()).ordinal()] += size;
            Zone preferred = preferredZone(nid, Gfp.gfpZone(gfp).ordinal());
            if (z.node() == preferred.node()) {
                expectedNuma[zoneIndex(z)][NumaStatItem.NUMA_HIT.ordinal()]++;
            } else {
                expectedNuma[zoneIndex(z)][NumaStatItem.NUMA_MISS.ordinal()]++;
                expectedNuma[zoneIndex(preferred)][NumaStatItem.NUMA_FOREIGN.ordinal()]++;
            }
            // NUMA_LOCAL is about the node of the CPU doing the allocation (numa_node_id()), not the request.
            boolean local = z.node().nodeId() == mm.cpuToNode(cpu);
            expectedNuma[zoneIndex(z)][(local ? NumaStatItem.NUMA_LOCAL : NumaStatItem.NUMA_OTHER).ordinal()]++;
        }

        private int randomOrder() {
            int r = rnd.nextInt(100);
            if (r < 50) {
                return 0;
            }
            if (r < 75) {
                return 1 + rnd.nextInt(PageAlloc.PAGE_ALLOC_COSTLY_ORDER);
            }
            return rnd.nextInt(PageAlloc.NR_PAGE_ORDERS);
        }

        private void free(int index) {
            Block b = live.get(index);
            live.set(index, live.get(live.size() - 1));
            live.remove(live.size() - 1);
            int cpu = rnd.nextInt(mm.nrCpus());
            op = String.format("freePages(pfn=%d, order=%d, cpu=%d) of a gfp %#x block", b.pfn(), b.order(), cpu,
                    b.gfp());
            pa.freePages(b.pfn(), b.order(), cpu);
            int size = 1 << b.order();
            allocated.clear(b.pfn(), b.pfn() + size);
            allocatedPages -= size;
            expectedEvents[VmEvent.PGFREE.ordinal()] += size;
        }

        /** Freeing a pfn the model says is not allocated must throw and change nothing. */
        private void invalidFree() {
            List<Zone> populated = mm.zones().stream().filter(Zone::isPopulated).toList();
            Zone z = populated.get(rnd.nextInt(populated.size()));
            int pfn = (int) (z.zoneStartPfn() + rnd.nextLong(z.spannedPages()));
            if (allocated.get(pfn)) {
                return;
            }
            op = "invalid freePages(pfn=" + pfn + ", order=0) of a page that is not allocated";
            assertThrows(IllegalStateException.class, () -> pa.freePages(pfn, 0, 0), context());
        }

        private void drain() {
            Zone only = rnd.nextBoolean() ? null : mm.zones().get(rnd.nextInt(mm.zones().size()));
            op = "drainAllPages(" + only + ")";
            pa.drainAllPages(only);
            for (Zone z : mm.zones()) {
                if (only == null || z == only) {
                    for (int cpu = 0; cpu < z.nrCpus(); cpu++) {
                        expect(z + " cpu " + cpu + " pcp count after drain", 0, z.pcp(cpu).count());
                    }
                }
            }
        }

        /** Let timers run: the vmstat worker's decay of pcp high and any kswapd woken by the allocator. */
        private void tick() {
            long jiffies = 1 + rnd.nextInt(KernelServices.HZ);
            op = "advance " + jiffies + " jiffies";
            services.advance(jiffies);
        }

        /** First zone of the zonelist: the local node's highest allowed populated zone, else the next node's. */
        private Zone preferredZone(int nid, int highestZoneidx) {
            for (int k = 0; k < mm.nrNodes(); k++) {
                PgData node = mm.node((nid + k) % mm.nrNodes());
                for (int zi = highestZoneidx; zi >= 0; zi--) {
                    if (node.zone(zi).spannedPages() > 0) {
                        return node.zone(zi);
                    }
                }
            }
            throw new AssertionError("no zone at or below " + highestZoneidx);
        }

        private int zoneIndex(Zone z) {
            return mm.zones().indexOf(z);
        }

        /**
         * A failed allocation is legitimate only if every zone it may use (any node, zone index up to gfp_zone) is
         * at or below its min watermark plus the lowmem_reserve for the request, or has no free block of the order
         * or larger on an Unmovable, Movable or Reclaimable list. Reserves only lower the mark, so a zone that
         * passes here would have passed the allocator's slow path.
         */
        private void checkFailureWasDue(int gfp, int order, int nid) {
            int highest = Gfp.gfpZone(gfp).ordinal();
            for (Zone z : mm.zones()) {
                if (!z.isPopulated() || z.type().ordinal() > highest) {
                    continue;
                }
                long usable = z.freePages() - ((1L << order) - 1);
                boolean aboveMin = usable > z.minWmarkPages() + z.lowmemReserve(highest);
                boolean hasBlock = false;
                for (int o = order; o < PageAlloc.NR_PAGE_ORDERS && !hasBlock; o++) {
                    for (int mt = 0; mt < MigrateType.MIGRATE_PCPTYPES; mt++) {
                        hasBlock |= z.nrFreeBlocks(o, MigrateType.of(mt)) > 0;
                    }
                }
                if (aboveMin && hasBlock) {
                    failHere("allocation failed although " + z + " has " + z.freePages() + " free pages (min "
                            + z.minWmarkPages() + ", lowmem_reserve " + z.lowmemReserve(highest)
                            + ") and a free block of order >= " + order + "; requested node " + nid);
                }
            }
        }

        private long[][] freeBlocks() {
            long[][] out = new long[mm.zones().size()][PageAlloc.NR_PAGE_ORDERS];
            for (int i = 0; i < out.length; i++) {
                for (int o = 0; o < PageAlloc.NR_PAGE_ORDERS; o++) {
                    out[i][o] = mm.zones().get(i).nrFreeBlocks(o);
                }
            }
            return out;
        }

        private void check() {
            List<String> violations = MmDebug.violations(mm);
            if (!violations.isEmpty()) {
                failHere("MmDebug: " + String.join("\n  ", violations.subList(0, Math.min(10, violations.size()))));
            }
            MemMap map = mm.memMap();
            long managedSum = 0;
            for (Zone z : mm.zones()) {
                managedSum += z.managedPages();
                if (!z.isPopulated()) {
                    continue;
                }
                long freeFromBlocks = 0;
                for (int o = 0; o < PageAlloc.NR_PAGE_ORDERS; o++) {
                    freeFromBlocks += z.nrFreeBlocks(o) << o;
                    long typed = 0;
                    for (MigrateType mt : MigrateType.values()) {
                        typed += z.nrFreeBlocks(o, mt);
                    }
                    expect(z + " buddyinfo order " + o + " vs Σ pagetypeinfo", z.nrFreeBlocks(o), typed);
                }
                expect(z + " Σ free blocks × 2^order vs NR_FREE_PAGES", z.freePages(), freeFromBlocks);
            }
            for (long[] range : ram) {
                for (int pfn = (int) range[0]; pfn < range[1]; pfn++) {
                    PageOwner owner = map.owner(pfn);
                    if (owner != (allocated.get(pfn) ? PageOwner.KERNEL : PageOwner.NONE)) {
                        failHere("pfn " + pfn + " has owner " + owner + " but the model says "
                                + (allocated.get(pfn) ? "allocated" : "not allocated"));
                    }
                }
            }
            expect("Σ zone managed", expectedManaged, managedSum);
            expect("MemTotal (totalram_pages)", expectedManaged, mm.vmstat().totalramPages());
            expect("model pages vs ownerPages(KERNEL)", allocatedPages, mm.vmstat().ownerPages(PageOwner.KERNEL));
            for (VmEvent e : new VmEvent[] {VmEvent.PGALLOC_DMA, VmEvent.PGALLOC_DMA32, VmEvent.PGALLOC_NORMAL,
                VmEvent.PGALLOC_MOVABLE, VmEvent.PGALLOC_DEVICE, VmEvent.PGFREE}) {
                expect(e.name(), expectedEvents[e.ordinal()], mm.vmstat().event(e));
            }
            for (int i = 0; i < expectedNuma.length; i++) {
                for (NumaStatItem item : NumaStatItem.values()) {
                    expect(mm.zones().get(i) + " " + item.procName(), expectedNuma[i][item.ordinal()],
                            mm.zones().get(i).numaEvent(item));
                }
            }
            expect("printk lines (warn_alloc)", expectedLogLines, services.log().size());
        }

        private void expect(String what, long expected, long actual) {
            if (expected != actual) {
                assertEquals(expected, actual, context() + ": " + what);
            }
        }

        private String context() {
            return "seed " + seed + ", operation #" + opNo + " " + op;
        }

        private void failHere(String message) {
            fail(context() + ": " + message);
        }
    }
}
