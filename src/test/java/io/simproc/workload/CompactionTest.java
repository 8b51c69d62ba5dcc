package io.simproc.workload;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.mm.Compaction;
import io.simproc.mm.MmStruct;
import io.simproc.mm.PageOwner;
import io.simproc.mm.Prot;
import io.simproc.mm.VmEvent;
import io.simproc.mm.Zone;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTestSupport;
import io.simproc.proc.ProcTree;
import io.simproc.sysctl.SysctlTable;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compaction (mm/compaction.c, mm/vmstat.c: fragmentation_index()) on a 512 MiB machine: a workload that leaves
 * every other page of its
 * memory free fragments the zone (no order-9 blocks), compact_memory brings the high orders back, the counters
 * move, every mapping still names the same (object, offset) page, kernel pages stay where they are, and the mm
 * invariants hold throughout (debug checks after every step). kcompactd: proactive compaction above the
 * fragmentation score's high mark, none with compaction_proactiveness 0, and a wake-up by kswapd after it reclaimed
 * for a high-order allocation (on a machine with swap, so that kswapd can reclaim the anonymous memory).
 */
class CompactionTest {
    static final long MIB = 1L << 20;
    private Kernel k;
    private ProcFs fs;

    @BeforeEach
    void machine() {
        k = Kernel.boot(MachineProfileLoader.parse("t", "memory: 512M\n"), 3);
        k.setDebugChecks(true);
        fs = new ProcFs(k, ProcTree.create(SysctlTable.create()));
    }

    /** Map and write {@code bytes}, then drop every other page: free order-0 holes all over the zone. */
    private Task fragment(long bytes) {
        Task t = OomKillerTest.spawn(k, "frag", 0);
        k.mutate(() -> {
            long a = k.syscalls().mmap(t, 0, bytes, Prot.READ | Prot.WRITE, Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS,
                    null, 0);
            assertTrue(a > 0);
            assertEquals(0, k.syscalls().touch(t, a, bytes, true));
            for (long off = 0; off < bytes; off += 2 * Page.PAGE_SIZE) {
                k.syscalls().madvise(t, a + off, Page.PAGE_SIZE, Prot.MADV_DONTNEED);
            }
            k.mm().pageAlloc().drainAllPages(null);
            return null;
        });
        return t;
    }

    private long highOrderBlocks(int minOrder) {
        return k.read(kk -> {
            long n = 0;
            for (Zone z : kk.mm().zones()) {
                for (int o = minOrder; o <= 10; o++) {
                    n += z.nrFreeBlocks(o);
                }
            }
            return n;
        });
    }

    /** Every mapped page of the mm as (address, mapping id, index), in address order. */
    private List<long[]> identities(MmStruct m) {
        return k.read(kk -> {
            List<long[]> out = new ArrayList<>();
            m.forEachPresentPage((addr, pfn) -> out.add(new long[] {addr, kk.mm().memMap().mapping(pfn),
                    kk.mm().memMap().index(pfn), pfn}));
            return out;
        });
    }

    @Test
    void compactMemoryRestoresHighOrdersAndKeepsEveryMapping() {
        long before = highOrderBlocks(9);
        Task t = fragment(300 * MIB);
        long fragmented = highOrderBlocks(9);
        assertTrue(fragmented < before / 2, "fragmented: " + fragmented + " order-9+ blocks, was " + before);
        List<long[]> ids = identities(t.mm());
        List<Integer> kernelPages = k.mutate(() -> {
            List<Integer> pfns = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                pfns.add(k.mm().pageAlloc().allocPages(io.simproc.mm.Gfp.GFP_KERNEL, 0, 0, 0, PageOwner.KERNEL));
            }
            return pfns;
        });
        assertEquals(2, ProcTestSupport.write(fs, "/sys/vm/compact_memory", "1\n", 0));
        long compacted = highOrderBlocks(9);
        assertTrue(compacted > fragmented + 25, "after compaction " + compacted + " order-9+ blocks, fragmented "
                + fragmented);
        assertTrue(k.read(kk -> kk.mm().vmstat().event(VmEvent.PGMIGRATE_SUCCESS)) > 10_000);
        assertTrue(k.read(kk -> kk.mm().vmstat().event(VmEvent.COMPACT_MIGRATE_SCANNED)) > 0);
        assertTrue(k.read(kk -> kk.mm().vmstat().event(VmEvent.COMPACT_FREE_SCANNED)) > 0);
        assertTrue(k.read(kk -> kk.mm().vmstat().event(VmEvent.COMPACT_ISOLATED)) > 0);
        assertEquals(0L, (long) k.read(kk -> kk.mm().vmstat().event(VmEvent.COMPACT_STALL)), "not direct compaction");
        List<long[]> after = identities(t.mm());
        assertEquals(ids.size(), after.size());
        int moved = 0;
        for (int i = 0; i < ids.size(); i++) {
            assertEquals(ids.get(i)[0], after.get(i)[0]);
            assertEquals(ids.get(i)[1], after.get(i)[1], "same anon_vma at " + Long.toHexString(ids.get(i)[0]));
            assertEquals(ids.get(i)[2], after.get(i)[2], "same page index");
            if (ids.get(i)[3] != after.get(i)[3]) {
                moved++;
            }
        }
        assertTrue(moved > 1000, "pages moved: " + moved);
        for (int pfn : kernelPages) {
            assertEquals(PageOwner.KERNEL, k.read(kk -> kk.mm().memMap().owner(pfn)), "kernel pages stay");
        }
        String buddyinfo = ProcTestSupport.read(fs, "/buddyinfo");
        assertTrue(buddyinfo.contains("DMA32"));
    }

    @Test
    void compactMemoryKnobAcceptsOnlyOneAndIsWriteOnly() {
        assertEquals(-Errno.EINVAL, ProcTestSupport.write(fs, "/sys/vm/compact_memory", "2\n", 0));
        assertEquals(-Errno.EINVAL, ProcTestSupport.write(fs, "/sys/vm/compact_memory", "0\n", 0));
        assertEquals(-Errno.EINVAL, ProcTestSupport.write(fs, "/sys/vm/compact_memory", "abc\n", 0));
        assertEquals(0L, (long) k.read(kk -> kk.mm().vmstat().event(VmEvent.COMPACT_MIGRATE_SCANNED)));
        assertEquals(-Errno.EACCES, ProcFs.permission(ProcTestSupport.file(fs, "/sys/vm/compact_memory"),
                Credentials.ROOT, 4));
        assertEquals(0200, ProcTestSupport.file(fs, "/sys/vm/compact_memory").mode());
        assertEquals(2, ProcTestSupport.write(fs, "/sys/vm/compact_memory", "1\n", 0));
        assertTrue(k.read(kk -> kk.mm().vmstat().event(VmEvent.COMPACT_MIGRATE_SCANNED)) > 0);
        assertEquals(-Errno.EINVAL, ProcTestSupport.write(fs, "/sys/vm/extfrag_threshold", "1001\n", 0));
        assertEquals(4, ProcTestSupport.write(fs, "/sys/vm/extfrag_threshold", "200\n", 0));
        assertEquals("200\n", ProcTestSupport.read(fs, "/sys/vm/extfrag_threshold"));
        assertEquals(-Errno.EINVAL, ProcTestSupport.write(fs, "/sys/vm/compact_unevictable_allowed", "2\n", 0));
    }

    @Test
    void fragmentationIndexFollowsTheKernelFormula() {
        fragment(300 * MIB);
        k.read(kk -> {
            for (Zone z : kk.mm().zones()) {
                if (!z.isPopulated()) {
                    continue;
                }
                long blocks = 0;
                long free = 0;
                long suitable = 0;
                for (int o = 0; o <= 10; o++) {
                    blocks += z.nrFreeBlocks(o);
                    free += z.nrFreeBlocks(o) << o;
                    if (o >= 9) {
                        suitable += z.nrFreeBlocks(o) << (o - 9);
                    }
                }
                int expected = blocks == 0 ? 0 : suitable > 0 ? -1000 : (int) (1000 - (1000 + free * 1000 / 512)
                        / blocks);
                assertEquals(expected, Compaction.fragmentationIndex(z, 9), z.toString());
            }
            return null;
        });
    }

    @Test
    void directCompactionServesACostlyOrder() {
        fragment(300 * MIB);
        int noCompaction = (io.simproc.mm.Gfp.GFP_KERNEL & ~io.simproc.mm.Gfp.__GFP_DIRECT_RECLAIM)
                | io.simproc.mm.Gfp.__GFP_NOWARN;
        int taken = k.mutate(() -> {
            int n = 0;
            while (k.mm().pageAlloc().allocPages(noCompaction, 9, 0, 0, PageOwner.KERNEL) >= 0) {
                n++;
            }
            return n;
        });
        assertEquals(0L, (long) k.read(kk -> kk.mm().vmstat().event(VmEvent.COMPACT_STALL)), "no compaction without reclaim");
        int pfn = k.mutate(() -> k.mm().pageAlloc().allocPages(io.simproc.mm.Gfp.GFP_KERNEL, 9, 0, 0,
                PageOwner.KERNEL));
        assertTrue(pfn >= 0, "compaction made an order-9 block (after " + taken + " were taken)");
        assertEquals(0, pfn % 512, "an order-9 block is aligned");
        assertEquals(1L, (long) k.read(kk -> kk.mm().vmstat().event(VmEvent.COMPACT_STALL)));
        assertEquals(1L, (long) k.read(kk -> kk.mm().vmstat().event(VmEvent.COMPACT_SUCCESS)));
        assertEquals(0L, (long) k.read(kk -> kk.mm().vmstat().event(VmEvent.COMPACT_FAIL)));
    }

    private int nodeScore() {
        return k.read(kk -> io.simproc.mm.Kcompactd.fragmentationScoreNode(kk.mm().node(0)));
    }

    private long event(VmEvent e) {
        return k.read(kk -> kk.mm().vmstat().event(e));
    }

    /** Fill most of the zone and punch holes: the free memory is almost all order-0, the score near 100. */
    private Task fragmentAlmostAll() {
        long free = k.read(kk -> kk.mm().vmstat().globalZoneState(io.simproc.mm.ZoneStatItem.NR_FREE_PAGES)) * Page.PAGE_SIZE;
        return fragment(free - 12 * MIB);
    }

    @Test
    void fragmentationScoreIsTheShareOfFreePagesOutsideOrderNineBlocks() {
        fragment(300 * MIB);
        k.read(kk -> {
            long weighted = 0;
            io.simproc.mm.PgData node = kk.mm().node(0);
            for (Zone z : node.zones()) {
                if (!z.isPopulated()) {
                    continue;
                }
                long free = 0;
                long inBlocks = 0;
                for (int o = 0; o <= 10; o++) {
                    free += z.nrFreeBlocks(o) << o;
                    inBlocks += o >= 9 ? z.nrFreeBlocks(o) << o : 0;
                }
                long score = free == 0 ? 0 : (free - inBlocks) * 100 / free;
                assertEquals(score, io.simproc.mm.Kcompactd.fragmentationScoreZone(z), z.toString());
                weighted += z.presentPages() * score / (node.nodePresentPages() + 1);
            }
            assertEquals(weighted, io.simproc.mm.Kcompactd.fragmentationScoreNode(node));
            return null;
        });
    }

    @Test
    void kcompactdCompactsProactivelyAboveTheHighMarkAndNotWithProactivenessZero() {
        assertEquals("20\n", ProcTestSupport.read(fs, "/sys/vm/compaction_proactiveness"));
        assertEquals(2, ProcTestSupport.write(fs, "/sys/vm/compaction_proactiveness", "0\n", 0));
        fragmentAlmostAll();
        int fragmented = nodeScore();
        assertTrue(fragmented > 90, "score " + fragmented);
        long blocks = highOrderBlocks(9);
        k.advance(5 * io.simproc.kernel.Clock.HZ);
        assertEquals(0L, event(VmEvent.COMPACT_DAEMON_MIGRATE_SCANNED), "proactiveness 0: kcompactd idle");
        assertTrue(highOrderBlocks(9) <= blocks + 2, "no compaction happened");

        assertEquals(3, ProcTestSupport.write(fs, "/sys/vm/compaction_proactiveness", "20\n", 0));
        k.advance(1);
        assertTrue(event(VmEvent.COMPACT_DAEMON_MIGRATE_SCANNED) > 0, "the write ran the check at once");
        assertTrue(event(VmEvent.COMPACT_DAEMON_FREE_SCANNED) > 0);
        assertEquals(0L, event(VmEvent.COMPACT_DAEMON_WAKE), "proactive compaction is not a wake-up");
        assertEquals(0L, event(VmEvent.COMPACT_STALL));
        k.mutate(() -> {
            k.mm().pageAlloc().drainAllPages(null);
            return null;
        });
        assertTrue(highOrderBlocks(9) > blocks + 10, "order-9+ blocks " + highOrderBlocks(9) + ", were " + blocks);
        assertTrue(nodeScore() < fragmented, "score " + nodeScore() + ", was " + fragmented);
    }

    @Test
    void compactionProactivenessTakesZeroToOneHundred() {
        for (String bad : List.of("101\n", "-1\n", "abc\n", "2147483648\n", "20x\n")) {
            assertEquals(-Errno.EINVAL, ProcTestSupport.write(fs, "/sys/vm/compaction_proactiveness", bad, 0), bad);
            assertEquals("20\n", ProcTestSupport.read(fs, "/sys/vm/compaction_proactiveness"), bad);
        }
        assertEquals(4, ProcTestSupport.write(fs, "/sys/vm/compaction_proactiveness", "100\n", 0));
        assertEquals("100\n", ProcTestSupport.read(fs, "/sys/vm/compaction_proactiveness"));
    }

    @Test
    void kswapdWakesKcompactdAfterReclaimingForAHighOrder() {
        k = Kernel.boot(MachineProfileLoader.parse("t", "memory: 512M\nswap:\n  - path: /dev/vda2\n    size: 256M\n"),
                3);
        k.setDebugChecks(true);
        k.advance(2 * io.simproc.kernel.Clock.HZ);
        Task t = fragmentAlmostAll();
        long wakes = event(VmEvent.COMPACT_DAEMON_WAKE);
        int atomic = io.simproc.mm.Gfp.GFP_ATOMIC | io.simproc.mm.Gfp.__GFP_NOWARN;
        k.mutate(() -> {
            while (k.mm().pageAlloc().allocPages(atomic, 4, 0, 0, PageOwner.KERNEL) >= 0) {
                continue;
            }
            return null;
        });
        k.advance(io.simproc.kernel.Clock.HZ);
        assertTrue(event(VmEvent.COMPACT_DAEMON_WAKE) > wakes, "kcompactd woken for order 4: "
                + event(VmEvent.COMPACT_DAEMON_WAKE));
        assertTrue(event(VmEvent.COMPACT_DAEMON_MIGRATE_SCANNED) > 0);
        assertTrue(t.mm().rss(MmStruct.MM_ANONPAGES) > 0);
    }
}
