package io.simproc.kernel;

import io.simproc.mm.MemoryManager;
import io.simproc.mm.NodeStatItem;
import io.simproc.mm.VmEvent;
import io.simproc.mm.Zone;
import io.simproc.mm.ZoneStatItem;
import io.simproc.uapi.Page;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads and writes through the page cache, readahead, Buffers, LRU activation, reclaim by kswapd and directly. */
class PageCacheTest {
    static Kernel machine(String extra) {
        return machine("512M", extra);
    }

    static Kernel machine(String memory, String extra) {
        Kernel k = Kernel.boot(MachineProfileLoader.parse("t", "memory: " + memory + "\n" + extra), 1);
        k.setDebugChecks(true);
        return k;
    }

    static Task task(Kernel k) {
        return k.tasks().get(1) != null ? k.tasks().get(1) : k.tasks().get(2);
    }

    static long highWmark(MemoryManager mm) {
        long n = 0;
        for (Zone z : mm.zones()) {
            n += z.highWmarkPages();
        }
        return n;
    }

    @Test
    void readsFillTheCacheWithReadaheadAndMarkAccessed() {
        Kernel k = machine("");
        MemoryManager mm = k.mm();
        k.mutate(() -> {
            Task t = task(k);
            assertEquals(0, k.syscalls().create(t, "/srv/data", 8L << 20));
            long cached = mm.vmstat().globalNodeState(NodeStatItem.NR_FILE_PAGES);
            long pgpgin = mm.vmstat().event(VmEvent.PGPGIN);
            assertEquals(4096, k.syscalls().read(t, "/srv/data", 0, 4096));
            assertEquals(4, k.vfs().lookup("/srv/data").nrPages(), "a 1-page read reads ahead 4 pages");
            assertEquals(3 * 4096, k.syscalls().read(t, "/srv/data", 4096, 3 * 4096));
            assertEquals(4, k.vfs().lookup("/srv/data").nrPages(), "hits read nothing");
            assertEquals(4096, k.syscalls().read(t, "/srv/data", 4 * 4096, 4096));
            assertEquals(4 + 8, k.vfs().lookup("/srv/data").nrPages(), "sequential: the window doubles");
            assertEquals(8L << 20, k.syscalls().read(t, "/srv/data", 0, 8L << 20));
            assertEquals(2048, k.vfs().lookup("/srv/data").nrPages());
            assertTrue(mm.vmstat().globalNodeState(NodeStatItem.NR_FILE_PAGES) >= cached + 2048);
            assertTrue(mm.vmstat().event(VmEvent.PGPGIN) >= pgpgin + 2048 * 4);
            long active = mm.vmstat().globalNodeState(NodeStatItem.NR_ACTIVE_FILE);
            long activate = mm.vmstat().event(VmEvent.PGACTIVATE);
            assertEquals(8L << 20, k.syscalls().read(t, "/srv/data", 0, 8L << 20));
            assertTrue(mm.vmstat().event(VmEvent.PGACTIVATE) >= activate + 2000, "second reference activates");
            assertTrue(mm.vmstat().globalNodeState(NodeStatItem.NR_ACTIVE_FILE) >= active + 2000);
            return null;
        });
    }

    @Test
    void rawDeviceReadsAreBuffers() {
        Kernel k = machine("");
        k.mutate(() -> {
            long before = k.mm().inodes().nrBlockdevPages();
            assertEquals(1L << 20, k.syscalls().readBlockDevice(task(k), 0, 1L << 20));
            assertEquals(before + 256, k.mm().inodes().nrBlockdevPages());
            return null;
        });
    }

    @Test
    void kswapdKeepsFreeNearHighWhileReadsFillMemory() {
        Kernel k = machine("");
        MemoryManager mm = k.mm();
        k.mutate(() -> k.syscalls().create(task(k), "/srv/big", 2L << 30));
        long chunk = 16L << 20;
        for (long off = 0; off < (1L << 30); off += chunk) {
            long o = off;
            k.mutate(() -> k.syscalls().read(task(k), "/srv/big", o, chunk));
            k.advance(2);
        }
        k.advance(Clock.HZ);
        long free = mm.vmstat().globalZoneState(ZoneStatItem.NR_FREE_PAGES);
        long high = highWmark(mm);
        assertTrue(mm.vmstat().event(VmEvent.PGSTEAL_KSWAPD) > 100_000, "kswapd reclaimed: " + mm.vmstat().event(VmEvent.PGSTEAL_KSWAPD));
        assertTrue(mm.vmstat().event(VmEvent.PGSCAN_KSWAPD) >= mm.vmstat().event(VmEvent.PGSTEAL_KSWAPD));
        assertTrue(free < high * 3, "free " + free + " near high " + high);
        long cachedPages = mm.vmstat().globalNodeState(NodeStatItem.NR_FILE_PAGES);
        assertTrue(cachedPages > mm.vmstat().totalramPages() / 2, "cache fills memory: " + cachedPages);
    }

    @Test
    void writesDirtyPagesThatTheFlusherWritesBack() {
        // 4 MiB are below the dirty background threshold (dirty_background_ratio 10 % of what is available) of a
        // 128 MiB machine as of a larger one, so only their age sends them to disk; the small machine makes the
        // MmDebug pass after each timer of the 31 simulated seconds cheap.
        Kernel k = machine("128M", "");
        MemoryManager mm = k.mm();
        long written = k.mutate(() -> k.syscalls().write(task(k), "/var/log/app.log", 0, 4L << 20));
        assertEquals(4L << 20, written);
        assertTrue(mm.vmstat().globalNodeState(NodeStatItem.NR_FILE_DIRTY) >= 1024);
        k.advance(31L * Clock.HZ);
        assertTrue(mm.vmstat().globalNodeState(NodeStatItem.NR_FILE_DIRTY) < 1024, "expired pages written back");
        k.advance(Clock.HZ);
        assertEquals(0, mm.vmstat().globalNodeState(NodeStatItem.NR_WRITEBACK));
        assertTrue(mm.vmstat().globalNodeState(NodeStatItem.NR_WRITTEN) >= 1024);
    }
}
