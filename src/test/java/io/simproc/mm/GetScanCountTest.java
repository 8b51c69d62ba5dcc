package io.simproc.mm;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * get_scan_count() (mm/vmscan.c) for the root memcg, which is always online: each list's {@code size >> priority},
 * split by the SCAN_FRACT fractions with div64_u64 (rounding down), and no minimum scan. Upstream rounds up and
 * scans at least min(size, SWAP_CLUSTER_MAX) only for an offline memcg ("scrape out the remaining cache"). The
 * expected values are written out from the kernel's formula below, with the list sizes and costs set directly.
 */
class GetScanCountTest {
    private final MemoryManager mm = TestMachine.pcLowMemory(64).cpus(0, 0).boot(new FakeKernelServices());
    private final PgData pgdat = mm.node(0);
    private final Lruvec lruvec = pgdat.lruvec;

    private void lists(long inactiveAnon, long activeAnon, long inactiveFile, long activeFile) {
        lruvec.state[NodeStatItem.NR_INACTIVE_ANON.ordinal()] = inactiveAnon;
        lruvec.state[NodeStatItem.NR_ACTIVE_ANON.ordinal()] = activeAnon;
        lruvec.state[NodeStatItem.NR_INACTIVE_FILE.ordinal()] = inactiveFile;
        lruvec.state[NodeStatItem.NR_ACTIVE_FILE.ordinal()] = activeFile;
    }

    private static ScanControl sc(int priority, boolean kswapd) {
        ScanControl sc = new ScanControl();
        sc.priority = priority;
        sc.kswapd = kswapd;
        return sc;
    }

    /** Without swap only the file lists are scanned; a list shorter than 2^priority gets no minimum, not even for kswapd. */
    @Test
    void noMinimumScanForShortLists() {
        lists(0, 0, 100, 3000);
        for (boolean kswapd : new boolean[] {true, false}) {
            assertArrayEquals(new long[] {0, 0, 100 >> 11, 3000 >> 11, 0},
                    mm.vmscan().getScanCount(lruvec, sc(11, kswapd)), "kswapd " + kswapd);
        }
        assertArrayEquals(new long[] {0, 0, 100 >> 2, 3000 >> 2, 0}, mm.vmscan().getScanCount(lruvec, sc(2, true)));
    }

    /** SCAN_FRACT with swap: the shares of size >> priority round down (div64_u64). */
    @Test
    void fractionalSharesRoundDown() {
        assertEquals(0, mm.swap().swapon("/swapfile", true, 64L << 20, -2));
        int swappiness = mm.tunables().swappiness;
        lruvec.anonCost = 70;
        lruvec.fileCost = 30;
        long total = lruvec.anonCost + lruvec.fileCost;
        long anonCost = total + lruvec.anonCost;
        long fileCost = total + lruvec.fileCost;
        long ap = swappiness * (anonCost + fileCost + 1) / (anonCost + 1);
        long fp = (Vmscan.MAX_SWAPPINESS - swappiness) * (anonCost + fileCost + 1) / (fileCost + 1);
        long[] sizes = {5000, 9000, 20000, 4100};
        lists(sizes[0], sizes[1], sizes[2], sizes[3]);
        for (int priority = Vmscan.DEF_PRIORITY; priority >= 9; priority--) {
            long[] expected = new long[Lruvec.NR_LRU_LISTS];
            for (int lru = 0; lru < 4; lru++) {
                expected[lru] = (sizes[lru] >> priority) * (lru >= Lruvec.LRU_INACTIVE_FILE ? fp : ap) / (ap + fp);
            }
            assertArrayEquals(expected, mm.vmscan().getScanCount(lruvec, sc(priority, true)), "priority " + priority);
        }
        // At DEF_PRIORITY each list holds one or two pages' worth: rounding up would scan every list.
        assertArrayEquals(new long[] {0, 0, 3, 0, 0}, mm.vmscan().getScanCount(lruvec, sc(Vmscan.DEF_PRIORITY, true)));
    }
}
