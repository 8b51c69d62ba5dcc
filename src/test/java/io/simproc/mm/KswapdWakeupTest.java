package io.simproc.mm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * wakeup_kswapd() on a node kswapd cannot help — hopeless (kswapd_failures at MAX_RECLAIM_RETRIES) or balanced —
 * leaves kswapd asleep and, for a request that will not compact by itself (no __GFP_DIRECT_RECLAIM: a THP fault
 * under defrag "defer"), wakes kcompactd, which compacts when the zone's free memory is only too fragmented.
 */
class KswapdWakeupTest {
    private static final int ORDER = 4;
    private static final int NO_RECLAIM = (Gfp.GFP_KERNEL & ~Gfp.__GFP_RECLAIM) | Gfp.__GFP_NOWARN;

    private final FakeKernelServices services = new FakeKernelServices();
    private final MemoryManager mm = TestMachine.pcLowMemory(32).cpus(0, 0).boot(services);
    private final Zone dma32 = mm.node(0).zone(ZoneType.DMA32);

    /** Every page taken, then every other one of DMA32 given back: free memory only in single pages. */
    private void fragmentAndGiveUp() {
        mm.watermarks().setMinFreeKbytes(0);
        mm.watermarks().setWatermarkScaleFactor(1);
        List<Integer> taken = new ArrayList<>();
        for (int pfn; (pfn = mm.pageAlloc().allocPages(NO_RECLAIM, 0, 0, 0, PageOwner.ANON)) >= 0; ) {
            taken.add(pfn);
        }
        for (int pfn : taken) {
            if (dma32.contains(pfn) && pfn % 2 == 0) {
                mm.pageAlloc().freePages(pfn, 0, 0);
            }
        }
        mm.pageAlloc().drainAllPages(null);
        assertTrue(Compaction.fragmentationIndex(dma32, ORDER) > 900, "free memory is fragmented");
        mm.node(0).kswapdFailures = PageAlloc.MAX_RECLAIM_RETRIES;
    }

    private long wakeups(int gfp) {
        long wakes = mm.vmstat().event(VmEvent.COMPACT_DAEMON_WAKE);
        long runs = mm.vmstat().event(VmEvent.PAGEOUTRUN);
        mm.kswapd().wakeupKswapd(dma32, gfp, ORDER, ZoneType.DMA32.ordinal());
        services.advance(1);
        assertEquals(runs, mm.vmstat().event(VmEvent.PAGEOUTRUN), "kswapd stays asleep on a hopeless node");
        return mm.vmstat().event(VmEvent.COMPACT_DAEMON_WAKE) - wakes;
    }

    @Test
    void aRequestThatWillNotCompactWakesKcompactdInstead() {
        fragmentAndGiveUp();
        assertEquals(0, wakeups(Gfp.GFP_TRANSHUGE), "direct reclaim allowed: it compacts itself");
        assertEquals(1, wakeups(Gfp.GFP_TRANSHUGE_LIGHT | Gfp.__GFP_KSWAPD_RECLAIM), "kcompactd is woken");
    }
}
