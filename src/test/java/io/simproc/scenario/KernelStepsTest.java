package io.simproc.scenario;

import io.simproc.kernel.Printk;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel-activity steps (kmalloc, vmalloc, vfree, ioremap, dma_alloc, dma_free, compact_memory) and
 * {@code fails}.
 */
class KernelStepsTest {
    private static List<String> lines(ScenarioFixture f) {
        return f.outcomes().stream().map(Outcome::line).toList();
    }

    private static List<String> log(ScenarioFixture f) {
        return f.kernel.read(k -> k.log().records().stream().map(Printk.Record::text).toList());
    }

    @Test
    void kmallocChurnKeepsItsShareOfObjectsAndTheirSlabs() {
        ScenarioFixture f = ScenarioFixture.small("""
                timeline:
                  - at: 1s
                    kmalloc: {cache: kmalloc-256, count: 20000, keep: 10%}
                  - kmalloc: {size: 1000, count: 5000}
                """);
        f.until(900);
        long objs = slab(f, "kmalloc-256", 0);
        long kobjs = slab(f, "kmalloc-1k", 0);
        long sunreclaim = meminfo(f, "SUnreclaim");
        f.until(1000);
        long kept = slab(f, "kmalloc-256", 0) - objs;
        assertTrue(kept > 1700 && kept < 2300, "about 10% of 20000 kept: " + kept);
        assertTrue(meminfo(f, "SUnreclaim") - sunreclaim >= kept * 256 / 1024, "their slabs stay");
        assertTrue(Math.abs(slab(f, "kmalloc-1k", 0) - kobjs) < 200, "keep 0: the 1k objects all went back");
        assertEquals(List.of(), f.problems());
    }

    @Test
    void kmallocAtARateRunsAsAWorkload() {
        ScenarioFixture f = ScenarioFixture.small("""
                timeline:
                  - at: 1s
                    kmalloc: {cache: kmalloc-512, count: 2000, rate: 1000/s, keep: 100%}
                """);
        f.until(900);
        long objs = slab(f, "kmalloc-512", 0);
        f.until(2000);
        long mid = slab(f, "kmalloc-512", 0) - objs;
        assertTrue(mid > 800 && mid < 1200, "half after 1 s: " + mid);
        assertTrue(f.engine.workloads().get(0).startsWith("kmalloc 2000 × kmalloc-512, keeping 100.0% at 1000/s: "),
                f.engine.workloads().toString());
        f.until(3500);
        assertTrue(slab(f, "kmalloc-512", 0) - objs >= 1950);
        assertEquals(List.of(), f.engine.workloads());
    }

    @Test
    void vmallocAndVfreeByName() {
        ScenarioFixture f = ScenarioFixture.small("""
                timeline:
                  - at: 1s
                    vmalloc: {name: ringbuf, size: 10M}
                  - vmalloc: {name: ringbuf, size: 1M}
                  - at: 2s
                    vfree: ringbuf
                  - vfree: {name: ringbuf}
                """);
        f.until(900);
        long used = meminfo(f, "VmallocUsed");
        f.until(1000);
        assertEquals(10 << 20, meminfo(f, "VmallocUsed") - used);
        assertTrue(f.read("/vmallocinfo").lines().anyMatch(l -> l.contains(" 10489856 ringbuf pages=2560 vmalloc")),
                "the area with its guard page and pages");
        f.until(2000);
        assertEquals(used, meminfo(f, "VmallocUsed"));
        assertTrue(f.read("/vmallocinfo").lines().noneMatch(l -> l.contains("ringbuf")));
        List<String> l = lines(f);
        assertEquals(List.of(
                "ERROR at 1s     t.yaml:13:5  vmalloc 1M as ringbuf  (vmalloc 1M as ringbuf: 'ringbuf' is allocated"
                        + " already (vfree it first))",
                "ERROR at 2s     t.yaml:16:5  vfree ringbuf  (vfree ringbuf: 'ringbuf' is not allocated)"), l);
    }

    @Test
    void ioremapMapsTheBarWithoutMemory() {
        ScenarioFixture f = ScenarioFixture.small("""
                timeline:
                  - at: 1s
                    ioremap: {driver: mydrv, size: 64K}
                """);
        f.until(900);
        long free = meminfo(f, "MemFree");
        f.until(1000);
        List<String> mine = f.read("/vmallocinfo").lines().filter(l -> l.contains("mydrv")).toList();
        assertEquals(1, mine.size(), f.read("/vmallocinfo"));
        assertTrue(mine.get(0).matches("0x[0-9a-f]{16}-0x[0-9a-f]{16}\\s+69632 mydrv_probe \\[mydrv] phys=0x[0-9a-f]+"
                + " ioremap"), mine.get(0));
        assertTrue(Math.abs(meminfo(f, "MemFree") - free) < 2 << 20, "no pages of its own");
        assertEquals(List.of(), f.problems());
    }

    @Test
    void compactMemoryRunsTheKnobsCompactionOrOneNodes() {
        ScenarioFixture f = ScenarioFixture.small("""
                timeline:
                  - at: 1s
                    compact_memory:
                  - at: 2s
                    compact_memory: {node: 0}
                  - compact_memory: {node: 1}
                """);
        f.until(900);
        long scanned = vmstat(f, "compact_migrate_scanned");
        f.until(1000);
        long once = vmstat(f, "compact_migrate_scanned") - scanned;
        assertTrue(once > 0, "the migrate scanner ran");
        assertTrue(vmstat(f, "compact_free_scanned") > 0);
        f.until(2000);
        assertTrue(vmstat(f, "compact_migrate_scanned") - scanned > once, "node 0 again");
        assertEquals(List.of("ERROR at 2s     t.yaml:15:5  compact_memory of node 1  (compact_memory of node 1:"
                + " /sys/devices/system/node/node1/compact: No such file or directory)"), f.problems());
    }

    @Test
    void aDriversContiguousBufferTakesAFreeBlockOrFailsLikeTheKernel() {
        ScenarioFixture f = ScenarioFixture.small("""
                timeline:
                  - at: 1s
                    spawn: {name: c, program: python3.11, args: [python3]}
                  - dma_alloc: {driver: mydrv, size: 4M, process: c}
                  - at: 2s
                    kmalloc: {size: 4K, count: 190000, keep: 1%}
                  - at: 2500ms
                    every: 4ms
                    repeat: 80
                    dma_alloc: {driver: mydrv, size: 4M, process: c}
                  - at: 3s
                    dma_alloc: {driver: mydrv, size: 4M, process: c}
                    fails: ENOMEM
                  - dma_alloc: {driver: mydrv, size: 16K, process: c}
                    fails: ENOMEM
                """);
        f.until(900);
        long free = meminfo(f, "MemFree");
        f.until(1000);
        assertTrue(free - meminfo(f, "MemFree") >= 4 << 20, "the order-10 block is taken");
        assertEquals(1024L, (long) f.kernel.read(k -> k.drivers().dmaPages()));
        f.toEnd();
        List<String> l = lines(f);
        assertTrue(l.size() > 2 && l.size() < 80, "the free 4M blocks went to the first buffers: " + l);
        for (String e : l.subList(0, l.size() - 2)) {
            assertTrue(e.endsWith("dma_alloc 4M (order 10) by mydrv for c  (dma_alloc 4M (order 10) by mydrv for c:"
                    + " Cannot allocate memory)"), e);
        }
        assertEquals(List.of(
                "PASS  at 3s     t.yaml:20:5  dma_alloc 4M (order 10) by mydrv for c fails with ENOMEM  (dma_alloc 4M"
                        + " (order 10) by mydrv for c: Cannot allocate memory)",
                "FAIL  at 3s     t.yaml:23:5  dma_alloc 16K (order 2) by mydrv for c fails with ENOMEM  (it"
                        + " succeeded)"), l.subList(l.size() - 2, l.size()));
        assertTrue(log(f).contains("c: page allocation failure: order:10, mode:0xcc0(GFP_KERNEL), nodemask=(null)"),
                String.join("\n", log(f)));
        assertTrue(vmstat(f, "compact_success") > 0, "direct compaction made some of the blocks");
        assertTrue(vmstat(f, "compact_fail") > 0, "and then could not: the kept slabs pin their pageblocks");
        long buffers = f.kernel.read(k -> k.drivers().dmaPages());
        assertEquals(1024L * (1 + 80 - (l.size() - 2)) + 4, buffers, "the first 4M, the repeats that succeeded,"
                + " the 16K; the failures hold nothing");
    }

    @Test
    void dmaFreeGivesANamedBufferBackToTheBuddyAllocator() {
        ScenarioFixture f = ScenarioFixture.small("""
                timeline:
                  - at: 1s
                    dma_alloc: {driver: mydrv, size: 4M, name: ring}
                  - dma_alloc: {driver: mydrv, size: 4M, name: ring}
                  - at: 2s
                    dma_free: ring
                  - dma_free: {name: ring}
                """);
        f.until(1000);
        assertEquals(1024L, (long) f.kernel.read(k -> k.drivers().dmaPages()), "one buffer: the second is refused");
        f.until(1996);
        assertEquals(1024L, (long) f.kernel.read(k -> k.drivers().dmaPages()), "a jiffy before the free");
        long free = meminfo(f, "MemFree");
        long order10 = buddyinfo(f, 10);
        f.until(2000);
        assertEquals(0L, (long) f.kernel.read(k -> k.drivers().dmaPages()));
        assertEquals(4L << 20, meminfo(f, "MemFree") - free, "MemFree is back up by the buffer's 4M");
        assertEquals(order10 + 1, buddyinfo(f, 10), "as one free order-10 block");
        assertEquals(List.of(
                "ERROR at 1s     t.yaml:13:5  dma_alloc 4M (order 10) by mydrv as ring  (dma_alloc 4M (order 10) by"
                        + " mydrv as ring: 'ring' is allocated already (dma_free it first))",
                "ERROR at 2s     t.yaml:16:5  dma_free ring  (dma_free ring: 'ring' is not allocated)"), lines(f));
    }

    @Test
    void aWorkloadExpectedToFailIsJudgedWhenItEnds() {
        ScenarioFixture f = ScenarioFixture.small("""
                timeline:
                  - at: 1s
                    spawn: {name: app, program: python3.11, args: [python3]}
                  - malloc: {process: app, size: 8M, name: buf}
                  - touch: {process: app, name: buf, rate: 8M/s}
                    fails: ENOMEM
                """);
        f.until(1500);
        assertEquals(List.of(), lines(f), "nothing reported while it runs");
        f.until(2500);
        assertEquals(List.of("FAIL  at 1.960s t.yaml:14:5  touch (write) buf in app at 8M/s fails with ENOMEM  (it"
                + " succeeded)"), lines(f));
    }

    private static long vmstat(ScenarioFixture f, String field) {
        for (String l : f.read("/vmstat").split("\n")) {
            if (l.startsWith(field + " ")) {
                return Long.parseLong(l.substring(field.length() + 1));
            }
        }
        throw new AssertionError(field);
    }

    private static long meminfo(ScenarioFixture f, String field) {
        for (String l : f.read("/meminfo").split("\n")) {
            if (l.startsWith(field + ":")) {
                return Long.parseLong(l.substring(field.length() + 1).replace("kB", "").trim()) * 1024;
            }
        }
        throw new AssertionError(field);
    }

    /** Free blocks of {@code order} in every zone of /proc/buddyinfo. */
    private static long buddyinfo(ScenarioFixture f, int order) {
        long n = 0;
        for (String l : f.read("/buddyinfo").split("\n")) {
            String[] w = l.trim().split("\\s+");
            n += Long.parseLong(w[4 + order]);
        }
        return n;
    }

    private static long slab(ScenarioFixture f, String cache, int column) {
        for (String l : f.read("/slabinfo").split("\n")) {
            String[] w = l.trim().split("\\s+");
            if (w[0].equals(cache)) {
                return Long.parseLong(w[1 + column]);
            }
        }
        throw new AssertionError(cache);
    }
}
