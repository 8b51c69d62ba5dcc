package io.simproc.scenario;

import io.simproc.mm.Cma;
import io.simproc.mm.MemMap;
import io.simproc.mm.PageFlags;
import io.simproc.mm.PageOwner;
import io.simproc.mm.ZoneStatItem;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random workloads on a machine with a CMA area: processes malloc, write, free, fork and exit, read files, pin
 * their memory short- or long-term, the kernel keeps slab objects (unmovable pages) and drivers take DMA buffers
 * of a few pages (buddy) and of many MiB (cma_alloc), compaction and drop_caches run. The mm invariants run after
 * every timer ({@code Kernel.setDebugChecks}), the CMA area's among them ({@link Cma}: free CMA per zone = Σ free
 * blocks in CMA pageblocks = CmaFree's source, available_count = clear bits). After every step the test checks on
 * its own that no CMA pageblock holds a page of an unmovable or reclaimable allocation — slab, page tables,
 * vmalloc, kernel stacks, percpu, or a kernel page cma_alloc() did not hand out — and, per run, that movable pages
 * did use the area, so that the property is not vacuous.
 */
class CmaPropertyTest {
    private static final String MACHINE = """
            duration: 5s
            machine:
              memory: 256M
              cpu: 2
              cma: 32M
              processes:
                - program: systemd
                  args: [/sbin/init]
            """;

    @Property(tries = 3, shrinking = ShrinkingMode.OFF, edgeCases = EdgeCasesMode.NONE)
    void cmaPageblocksNeverHoldUnmovablePages(@ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder y = new StringBuilder(MACHINE).append("timeline:\n");
        List<String> procs = new ArrayList<>();
        List<String> regions = new ArrayList<>();
        List<String> pinned = new ArrayList<>();
        List<String> buffers = new ArrayList<>();
        int ms = 200;
        int n = 0;
        for (int op = 0; op < 50; op++) {
            ms += 40 + rnd.nextInt(40);
            String at = "  - at: " + ms + "ms\n    ";
            int kind = procs.isEmpty() ? 0 : rnd.nextInt(12);
            switch (kind) {
                case 0 -> {
                    String p = "p" + n++;
                    y.append(at).append("spawn: {name: ").append(p).append(", program: python3.11}\n");
                    procs.add(p);
                }
                case 1, 2, 3 -> {
                    String p = procs.get(rnd.nextInt(procs.size()));
                    String r = "r" + n++;
                    y.append(at).append("malloc: {process: ").append(p).append(", size: ").append(2 + rnd.nextInt(30))
                            .append("M, chunk: 1M, name: ").append(r).append("}\n");
                    y.append("  - touch: {process: ").append(p).append(", name: ").append(r).append("}\n");
                    regions.add(p + "/" + r);
                }
                case 4 -> {
                    if (!regions.isEmpty()) {
                        String pr = regions.remove(rnd.nextInt(regions.size()));
                        String[] s = pr.split("/");
                        if (pinned.remove(pr)) {
                            y.append(at).append("unpin: {process: ").append(s[0]).append(", name: ").append(s[1])
                                    .append("}\n  - ");
                        } else {
                            y.append(at);
                        }
                        y.append("free: {process: ").append(s[0]).append(", name: ").append(s[1]).append("}\n");
                    }
                }
                case 5 -> {
                    List<String> free = regions.stream().filter(r -> !pinned.contains(r)).toList();
                    if (!free.isEmpty()) {
                        String pr = free.get(rnd.nextInt(free.size()));
                        String[] s = pr.split("/");
                        y.append(at).append("pin: {process: ").append(s[0]).append(", name: ").append(s[1])
                                .append(rnd.nextBoolean() ? ", longterm: true}\n" : "}\n");
                        pinned.add(pr);
                    }
                }
                case 6 -> {
                    if (!pinned.isEmpty()) {
                        String[] s = pinned.remove(rnd.nextInt(pinned.size())).split("/");
                        y.append(at).append("unpin: {process: ").append(s[0]).append(", name: ").append(s[1])
                                .append("}\n");
                    }
                }
                case 7 -> y.append(at).append("kmalloc: {size: ").append(64 << rnd.nextInt(6)).append(", count: ")
                        .append(1000 + rnd.nextInt(10000)).append(", keep: 20%}\n");
                case 8 -> {
                    String b = "b" + n++;
                    String size = rnd.nextBoolean() ? (4 << rnd.nextInt(9)) + "K" : (1 + rnd.nextInt(12)) + "M";
                    y.append(at).append("dma_alloc: {driver: drv, size: ").append(size).append(", name: ").append(b)
                            .append("}\n");
                    buffers.add(b);
                }
                case 9 -> {
                    if (!buffers.isEmpty()) {
                        y.append(at).append("dma_free: ").append(buffers.remove(rnd.nextInt(buffers.size())))
                                .append("\n");
                    }
                }
                case 10 -> y.append(at).append("read: {process: ").append(procs.get(rnd.nextInt(procs.size())))
                        .append(", path: /srv/f").append(rnd.nextInt(4)).append(", size: ").append(2 + rnd.nextInt(20))
                        .append("M}\n");
                default -> y.append(at).append(rnd.nextBoolean() ? "compact_memory: {}\n" : "drop_caches: 3\n");
            }
        }
        ScenarioFixture f = ScenarioFixture.start(ScenarioFixture.parse(y.toString()), seed);
        f.kernel.setDebugChecks(true);
        long minFreeCma = Long.MAX_VALUE;
        for (int t = 100; t <= 5000; t += 100) {
            f.until(t);
            minFreeCma = Math.min(minFreeCma, f.kernel.read(k -> checkCmaPageblocks(k.mm(), "seed " + seed)));
        }
        for (String line : f.problems()) {
            assertTrue(!line.contains("internal error"), "seed " + seed + ": " + line);
        }
        long total = f.kernel.read(k -> (long) k.mm().cma().count());
        assertTrue(minFreeCma < total, "seed " + seed + ": movable pages never used the CMA area");
    }

    /** Every allocated page of the area's pageblocks is a movable one or handed out by cma_alloc; the free CMA. */
    private static long checkCmaPageblocks(io.simproc.mm.MemoryManager mm, String where) {
        Cma cma = mm.cma();
        MemMap map = mm.memMap();
        for (int pfn = cma.basePfn(); pfn < cma.basePfn() + cma.count(); pfn++) {
            assertTrue(map.pageblockMigratetype(pfn) == io.simproc.mm.MigrateType.CMA.ordinal()
                    || map.pageblockMigratetype(pfn) == io.simproc.mm.MigrateType.ISOLATE.ordinal(), where);
            if ((map.flags(pfn) & (PageFlags.PG_BUDDY | PageFlags.PG_PCP)) != 0) {
                continue;
            }
            PageOwner o = map.owner(pfn);
            boolean ok = switch (o) {
                case NONE, ANON, FILE, SHMEM, HUGETLB -> true;
                case KERNEL -> cma.isAllocated(pfn);
                default -> false;
            };
            assertTrue(ok, where + ": pfn " + pfn + " in a CMA pageblock is owned by " + o);
        }
        return mm.zoneOf(cma.basePfn()).state(ZoneStatItem.NR_FREE_CMA_PAGES);
    }
}
