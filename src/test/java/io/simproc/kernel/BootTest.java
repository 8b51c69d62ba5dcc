package io.simproc.kernel;

import io.simproc.mm.MemoryManager;
import io.simproc.mm.MigrateType;
import io.simproc.mm.MmDebug;
import io.simproc.mm.NumaStatItem;
import io.simproc.mm.PageAlloc;
import io.simproc.mm.PgData;
import io.simproc.mm.VmEvent;
import io.simproc.mm.Zone;
import io.simproc.mm.ZoneType;
import io.simproc.uapi.Page;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Boot of machine profiles (setup_arch, free_area_init, memblock_free_all, the reserves, then the first seconds of
 * activity): the zones as /proc/zoneinfo shows them, the legacy low-memory layout of ZONE_DMA, conservation of
 * pages, the invariant checker, and determinism in the seed.
 */
class BootTest {
    static Stream<Arguments> profiles() {
        return Stream.of(
                Arguments.of("default 8G", MachineProfileLoader.loadDefault()),
                Arguments.of("1G", MachineProfileLoader.parse("1G", "memory: 1G\n")),
                Arguments.of("64G, 2 nodes", MachineProfileLoader.parse("64G", "memory: 64G\nnodes: 2\n")));
    }

    /** Page-trimmed RAM of the e820 map inside [startPfn, endPfn), computed from the profile alone. */
    private static long ramPages(MachineProfile p, long startPfn, long endPfn) {
        long n = 0;
        for (E820Entry e : p.e820()) {
            if (e.type() != E820Entry.Type.RAM) {
                continue;
            }
            long s = Math.max(startPfn, Page.pfnUp(e.start()));
            long end = Math.min(endPfn, Page.pfnDown(e.end() + 1));
            n += Math.max(0, end - s);
        }
        return n;
    }

    /**
     * Per zone spanned ≥ present ≥ managed, present = the RAM the e820 map has in the zone's span, Σ present = all
     * RAM; MemTotal (totalram_pages) = Σ managed; MmDebug finds nothing after the boot activity.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("profiles")
    void zonesAccountForEveryPageOfRam(String name, MachineProfile p) {
        Kernel k = Kernel.boot(p, 7);
        k.read(kernel -> {
            MemoryManager mm = kernel.mm();
            long present = 0;
            long managed = 0;
            for (Zone z : mm.zones()) {
                assertTrue(z.spannedPages() >= z.presentPages(), z + " spanned < present");
                assertTrue(z.presentPages() >= z.managedPages(), z + " present < managed");
                assertEquals(ramPages(p, z.zoneStartPfn(), z.zoneEndPfn()), z.presentPages(), z + " present");
                present += z.presentPages();
                managed += z.managedPages();
            }
            assertEquals(ramPages(p, 0, Long.MAX_VALUE), present, "Σ present = RAM");
            assertEquals(managed, mm.vmstat().totalramPages(), "MemTotal = Σ managed");
            assertEquals(List.of(), MmDebug.violations(mm));
            return null;
        });
    }

    /**
     * ZONE_DMA on x86_64: pfn 0 is a hole (e820 reserves the first 4 KiB) so the zone starts at pfn 1 and spans
     * to 16 MiB (4095); the BIOS area 0x9fc00-0xfffff is a hole too (present 3998), and the whole first MiB is
     * memblock-reserved (managed 3840), as in the live sample.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("profiles")
    void dmaZoneHasTheLegacyLowMemoryLayout(String name, MachineProfile p) {
        MemoryManager mm = Kernel.boot(p, 7).mm();
        Zone dma = mm.node(0).zone(ZoneType.DMA);
        assertEquals(1, dma.zoneStartPfn());
        assertEquals(4095, dma.spannedPages());
        assertEquals(3998, dma.presentPages());
        assertEquals(3840, dma.managedPages());
    }

    /** Which zones are populated on each node; every node still has all MAX_NR_ZONES zones for zoneinfo. */
    @Test
    void populatedZonesPerNode() {
        assertEquals(List.of(List.of(ZoneType.DMA, ZoneType.DMA32, ZoneType.NORMAL)),
                populated(Kernel.boot(MachineProfileLoader.loadDefault(), 1).mm()));
        assertEquals(List.of(List.of(ZoneType.DMA, ZoneType.DMA32)),
                populated(Kernel.boot(MachineProfileLoader.parse("1G", "memory: 1G\n"), 1).mm()));
        MemoryManager twoNodes = Kernel.boot(MachineProfileLoader.parse("64G", "memory: 64G\nnodes: 2\n"), 1).mm();
        assertEquals(List.of(List.of(ZoneType.DMA, ZoneType.DMA32, ZoneType.NORMAL), List.of(ZoneType.NORMAL)),
                populated(twoNodes));
        for (PgData node : twoNodes.nodes()) {
            assertEquals(Arrays.asList(ZoneType.values()), node.zones().stream().map(Zone::type).toList());
        }
        Zone node1Normal = twoNodes.node(1).zone(ZoneType.NORMAL);
        assertEquals(0, node1Normal.zoneStartPfn() % (128L << 20 >>> Page.PAGE_SHIFT),
                "node 1 starts on a 128 MiB memory section");
        assertEquals(node1Normal.zoneStartPfn(), twoNodes.node(0).zone(ZoneType.NORMAL).zoneEndPfn());
        long half = ramPages(MachineProfileLoader.parse("64G", "memory: 64G\nnodes: 2\n"), 0, Long.MAX_VALUE) / 2;
        assertTrue(Math.abs(twoNodes.node(1).nodePresentPages() - half) < (128L << 20 >>> Page.PAGE_SHIFT),
                "the nodes split the RAM in halves, to a section");
    }

    private static List<List<ZoneType>> populated(MemoryManager mm) {
        List<List<ZoneType>> out = new ArrayList<>();
        for (PgData node : mm.nodes()) {
            out.add(node.zones().stream().filter(Zone::isPopulated).map(Zone::type).toList());
        }
        return out;
    }

    /**
     * The buddy allocator and counters after boot, as numbers: free blocks per zone, order and migrate type
     * (buddyinfo and pagetypeinfo), every vm event, every zone's NUMA events, pcp counts and watermark boosts.
     */
    private static long[] state(Kernel k) {
        return k.read(kernel -> {
            MemoryManager mm = kernel.mm();
            List<Long> out = new ArrayList<>();
            for (Zone z : mm.zones()) {
                for (int order = 0; order < PageAlloc.NR_PAGE_ORDERS; order++) {
                    for (MigrateType mt : MigrateType.values()) {
                        out.add(z.nrFreeBlocks(order, mt));
                    }
                }
                for (NumaStatItem item : NumaStatItem.values()) {
                    out.add(z.numaEvent(item));
                }
                for (int cpu = 0; cpu < z.nrCpus(); cpu++) {
                    out.add((long) z.pcp(cpu).count());
                }
                out.add(z.watermarkBoost());
            }
            for (VmEvent e : VmEvent.values()) {
                out.add(mm.vmstat().event(e));
            }
            return out.stream().mapToLong(Long::longValue).toArray();
        });
    }

    /** Same profile and seed, same machine; another seed, another machine. */
    @Test
    void bootIsDeterministicInTheSeed() {
        MachineProfile p = MachineProfileLoader.parse("1G", "memory: 1G\n");
        long[] first = state(Kernel.boot(p, 42));
        long[] again = state(Kernel.boot(p, 42));
        long[] other = state(Kernel.boot(p, 43));
        assertArrayEquals(first, again);
        assertFalse(Arrays.equals(first, other), "seed 43 booted the same state as seed 42");
        assertTrue(first[first.length - VmEvent.values().length + VmEvent.PGALLOC_DMA32.ordinal()] > 0,
                "the boot activity allocated pages");
    }
}
