package io.simproc.workload;

import io.simproc.kernel.Clock;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.Printk;
import io.simproc.kernel.Task;
import io.simproc.mm.MemCgroup;
import io.simproc.mm.MemcgStatItem;
import io.simproc.mm.MemcgEvent;
import io.simproc.mm.MemcgStat;
import io.simproc.mm.Memcontrol;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.NodeStatItem;
import io.simproc.mm.Prot;
import io.simproc.mm.VmEvent;
import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory controller on a booted machine (debug checks on after every step, {@code MemcgDebug} among them): a
 * task's anonymous pages and page cache are charged to its group, a limit is enforced by reclaim inside the group
 * and in the end by an OOM kill inside it while the machine has memory free, and everything is uncharged at exit.
 */
class MemcgChargeTest {
    private static final long MIB = 1L << 20;
    private final Program bash = ProgramCatalog.embedded().program("bash");

    private static Kernel machine(String swap) {
        Kernel k = Kernel.boot(io.simproc.kernel.MachineProfileLoader.parse("t", "memory: 1G\n" + swap), 1);
        k.setDebugChecks(true);
        k.advance(Clock.HZ);
        return k;
    }

    /** A bash process moved into a new group /demo (its address space charges there from now on). */
    private Task spawnIn(Kernel k, MemCgroup memcg) {
        return k.mutate(() -> {
            Task t = k.processes().fork(k.tasks().get(2));
            assertEquals(0, k.syscalls().execve(t, bash.exe(), bash.interp(), bash.libs(), List.of("bash")));
            k.mm().memcontrol().setMmMemcg(t.mm(), memcg);
            return t;
        });
    }

    private static MemCgroup group(Kernel k, String name, long maxBytes) {
        return k.mutate(() -> {
            Memcontrol mc = k.mm().memcontrol();
            MemCgroup m = mc.cssAlloc(mc.root(), name);
            mc.write().setMax(m, maxBytes / Page.PAGE_SIZE);
            return m;
        });
    }

    /** Touches {@code len} bytes of new anonymous memory 8 MiB at a time; returns the first failing result or 0. */
    private static int grow(Kernel k, Task t, long len) {
        long addr = k.mutate(() -> k.syscalls().mmap(t, 0, len, Prot.READ | Prot.WRITE,
                Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0));
        for (long off = 0; off < len; off += 8 * MIB) {
            long o = off;
            int r = k.mutate(() -> k.syscalls().touch(t, addr + o, 8 * MIB, true));
            if (r != 0) {
                return r;
            }
            k.advance(1);
        }
        return 0;
    }

    /**
     * drain_all_stock() of every group: the pages pre-charged in the per-CPU charge stocks go back, so that
     * memory.current is exactly the pages charged (as a limit write sees it after its drain).
     */
    private static void drainStocks(Kernel k) {
        k.mutate(() -> {
            k.mm().memcontrol().charging().drainAllStock(k.mm().memcontrol().root());
            return null;
        });
    }

    private static boolean gone(Kernel k, Task t) {
        return k.tasks().get(t.pid()) == null || t.state() == Task.State.ZOMBIE || t.state() == Task.State.DEAD;
    }

    private static List<String> log(Kernel k) {
        return k.read(kk -> kk.log().records().stream().map(Printk.Record::text).toList());
    }

    @Test
    void aLeakInsideItsLimitIsKilledByTheGroupsOomKillerWhileTheMachineHasMemoryFree() {
        Kernel k = machine("");
        MemoryManager mm = k.mm();
        MemCgroup demo = group(k, "demo", 64 * MIB);
        Task t = spawnIn(k, demo);
        long oomKillsBefore = mm.vmstat().event(VmEvent.OOM_KILL);
        assertEquals(-Errno.EINTR, grow(k, t, 256 * MIB));
        k.advance(Clock.HZ);
        assertTrue(gone(k, t), "the leak was killed");
        assertEquals(oomKillsBefore + 1, mm.vmstat().event(VmEvent.OOM_KILL));
        assertEquals(1, demo.event(MemcgEvent.OOM));
        assertEquals(1, demo.event(MemcgEvent.OOM_KILL));
        assertTrue(demo.event(MemcgEvent.MAX) > 0);
        assertTrue(demo.memory().failcnt() > 0);
        drainStocks(k);
        assertEquals(demo.memcgStateLocal(MemcgStatItem.MEMCG_KMEM), demo.memory().usage(),
                "the victim's user pages were uncharged at exit");
        assertTrue(demo.memory().usage() <= 1, "at most the page of pre-charged kernel bytes stays");
        assertEquals(64 * MIB / Page.PAGE_SIZE, demo.memory().watermark(), "peak at the limit");
        long freeMib = mm.vmstat().globalZoneState(io.simproc.mm.ZoneStatItem.NR_FREE_PAGES) * Page.PAGE_SIZE / MIB;
        assertTrue(freeMib > 600, "the machine had memory free: " + freeMib + " MiB");
        List<String> log = log(k);
        assertTrue(log.stream().anyMatch(l -> l.startsWith("memory: usage 65536kB, limit 65536kB, failcnt ")), log::toString);
        assertTrue(log.contains("Memory cgroup stats for /demo:"), log::toString);
        assertTrue(log.stream().anyMatch(l -> l.startsWith("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),"
                + "cpuset=/,mems_allowed=0,oom_memcg=/demo,task_memcg=/demo,task=bash,pid=" + t.pid())),
                log::toString);
        assertTrue(log.stream().anyMatch(l -> l.startsWith("Memory cgroup out of memory: Killed process " + t.pid()
                + " (bash)")), log::toString);
    }

    @Test
    void theSameLeakUnderAFourGibLimitIsNotKilled() {
        Kernel k = machine("");
        MemCgroup demo = group(k, "demo", 4096 * MIB);
        Task t = spawnIn(k, demo);
        assertEquals(0, grow(k, t, 256 * MIB));
        assertEquals(0, demo.event(MemcgEvent.OOM_KILL));
        assertTrue(demo.memory().usage() >= 256 * MIB / Page.PAGE_SIZE);
        drainStocks(k);
        assertEquals(demo.memory().usage(), demo.state(NodeStatItem.NR_ANON_MAPPED)
                + demo.state(NodeStatItem.NR_FILE_PAGES) + demo.memcgState(MemcgStatItem.MEMCG_KMEM),
                "memory.current = anon + file + kernel");
        assertTrue(demo.state(NodeStatItem.NR_PAGETABLE) >= 256 * MIB / Page.PAGE_SIZE / 512,
                "the grower's page tables are charged to it");
    }

    @Test
    void aReaderInsideItsLimitHasItsCacheReclaimedAndIsNeverKilled() {
        Kernel k = machine("");
        MemoryManager mm = k.mm();
        MemCgroup demo = group(k, "demo", 32 * MIB);
        Task t = spawnIn(k, demo);
        long directBefore = mm.vmstat().event(VmEvent.PGSCAN_DIRECT);
        k.mutate(() -> k.syscalls().create(t, "/srv/big", 128 * MIB));
        for (long off = 0; off < 128 * MIB; off += 8 * MIB) {
            long o = off;
            assertEquals(8 * MIB, (long) k.mutate(() -> k.syscalls().read(t, "/srv/big", o, 8 * MIB)));
            k.advance(1);
        }
        assertTrue(demo.memory().usage() <= 32 * MIB / Page.PAGE_SIZE);
        assertTrue(demo.state(NodeStatItem.NR_FILE_PAGES) > 16 * MIB / Page.PAGE_SIZE, "the group holds cache");
        assertEquals(0, demo.event(MemcgEvent.OOM));
        assertTrue(demo.event(MemcgEvent.MAX) > 0);
        assertTrue(demo.vmEvents(VmEvent.PGSTEAL_DIRECT) > 0, "limit reclaim counts in the group's pgsteal_direct");
        assertEquals(directBefore, mm.vmstat().event(VmEvent.PGSCAN_DIRECT),
                "limit reclaim is not global direct reclaim");
        assertFalse(gone(k, t));
        List<String> stat = k.read(kk -> MemcgStat.format(demo));
        assertEquals("file " + demo.state(NodeStatItem.NR_FILE_PAGES) * Page.PAGE_SIZE, stat.get(1));
    }

    @Test
    void withSwapTheGroupSwapsInsteadOfDyingAndSwapMaxStopsIt() {
        Kernel k = machine("swap:\n  - path: /dev/vda2\n    size: 256M\n");
        MemCgroup demo = group(k, "demo", 64 * MIB);
        Task t = spawnIn(k, demo);
        assertEquals(0, grow(k, t, 96 * MIB));
        assertEquals(0, demo.event(MemcgEvent.OOM_KILL));
        assertTrue(demo.swap().usage() >= 32 * MIB / Page.PAGE_SIZE, "swap.current " + demo.swap().usage());
        assertTrue(demo.vmEvents(VmEvent.PSWPOUT) >= demo.swap().usage());
        Task u = spawnIn(k, demo);
        long swapMax = demo.swap().usage();
        k.mutate(() -> {
            k.mm().memcontrol().write().setSwapMax(demo, swapMax);
            return null;
        });
        assertEquals(0, grow(k, u, 96 * MIB));
        k.advance(Clock.HZ);
        assertTrue(demo.swap().watermark() <= swapMax, "no slot beyond swap.max");
        assertEquals(1, demo.event(MemcgEvent.OOM_KILL), "with no swap left, the group's OOM killer ran");
        assertTrue(gone(k, t), "and chose the task with the most memory and swap");
        assertFalse(gone(k, u));
    }

    @Test
    void aRemovedGroupLivesOnUntilItsLastPageIsFreed() {
        Kernel k = machine("");
        Memcontrol mc = k.mm().memcontrol();
        MemCgroup demo = group(k, "demo", 4096 * MIB);
        Task t = spawnIn(k, demo);
        assertEquals(0, grow(k, t, 16 * MIB));
        k.mutate(() -> {
            mc.setMmMemcg(t.mm(), mc.root());
            mc.cssOffline(demo);
            return null;
        });
        assertFalse(demo.isOnline());
        assertNotNull(mc.fromId(demo.id()), "dying while its pages are charged");
        assertEquals(1, (int) k.read(kk -> mc.nrDying()));
        k.mutate(() -> {
            k.processes().kill(t, io.simproc.kernel.Processes.SIGKILL);
            return null;
        });
        k.advance(Clock.HZ);
        assertNull(mc.fromId(demo.id()), "freed with its last page");
    }
}
