package io.simproc.sysfs;

import io.simproc.kernel.Clock;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.Task;
import io.simproc.mm.Prot;
import io.simproc.uapi.Credentials;
import io.simproc.workload.Program;
import io.simproc.workload.ProgramCatalog;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * memory.high (mm/memcontrol.c: mem_cgroup_handle_over_high()) and limit reclaim as memory stalls: a group whose
 * anonymous memory cannot be reclaimed grows past its high, is reclaimed ("high" events) and then sleeps its penalty
 * in D state inside a memory stall — its memory.pressure rises, full as much as some, and no OOM kill happens —
 * while the same growth under no high sleeps nothing; and a reader held at memory.max by limit reclaim stalls in
 * reclaim (try_charge_memcg() reclaims inside psi_memstall_enter()), which its group's memory.pressure shows.
 */
class MemcgHighTest {
    private static final String ROOT = SysFixture.CGROUP_ROOT;
    private static final long MIB = 1L << 20;

    private SysFixture f;

    @BeforeEach
    void boot() {
        f = SysFixture.boot("memory: 512M\ncpu: {count: 2}\nprocesses:\n  - {program: systemd, args: [/sbin/init]}\n", 1);
        f.kernel.setDebugChecks(true);
    }

    private static long total(String pressure, String line) {
        for (String l : pressure.split("\n")) {
            if (l.startsWith(line + " ")) {
                return Long.parseLong(l.substring(l.indexOf("total=") + 6));
            }
        }
        throw new AssertionError(line + " in " + pressure);
    }

    /** A bash process in the new group /demo, whose files are written first ({@code file value} pairs). */
    private Task inGroup(String... files) {
        Kernel k = f.kernel;
        assertEquals(0, f.sys.mkdir(ROOT + "/demo", 0755, Credentials.ROOT, false));
        for (int i = 0; i < files.length; i += 2) {
            assertTrue(f.writeCgroupFile("/demo/" + files[i], files[i + 1]) > 0, files[i]);
        }
        Program bash = ProgramCatalog.embedded().program("bash");
        Task t = k.mutate(() -> {
            Task c = k.processes().fork(k.tasks().get(1));
            assertEquals(0, k.syscalls().execve(c, bash.exe(), bash.interp(), bash.libs(), List.of("bash")));
            return c;
        });
        assertTrue(f.writeCgroupFile("/demo/cgroup.procs", Integer.toString(t.pid())) > 0);
        return t;
    }

    /**
     * Writes {@code len} bytes of new anonymous memory 1 MiB per 40 ms, then lets psi average for 2 s; returns how
     * many of the instants just after a write found the task in D state.
     */
    private int grow(Task t, long len) {
        Kernel k = f.kernel;
        long addr = k.mutate(() -> k.syscalls().mmap(t, 0, len, Prot.READ | Prot.WRITE,
                Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0));
        int asleep = 0;
        for (long off = 0; off < len; off += MIB) {
            long o = off;
            assertEquals(0, (int) k.mutate(() -> k.syscalls().touch(t, addr + o, MIB, true)));
            k.advance(1);
            if (k.read(kk -> kk.sched().state(t)) == Task.State.DISK_SLEEP) {
                asleep++;
            }
            k.advance(Clock.secondsToJiffies(0.04) - 1);
        }
        k.advance(2 * Clock.HZ);
        return asleep;
    }

    @Test
    void aGrowerPastItsHighIsReclaimedThenSleepsInAMemoryStallAndIsNeverKilled() {
        Task t = inGroup("memory.high", "16M", "memory.swap.max", "0");
        int asleep = grow(t, 40 * MIB);
        assertTrue(Long.parseLong(f.cgroupFile("/demo/memory.current").trim()) >= 40 * MIB, "nothing to reclaim");
        Map<String, Long> events = SysFixture.pairs(f.cgroupFile("/demo/memory.events"));
        assertTrue(events.get("high") > 0, events.toString());
        assertEquals(0, events.get("max"));
        assertEquals(0, events.get("oom_kill"));
        assertTrue(asleep > 15, "in D state after most writes past high: " + asleep);
        String pressure = f.cgroupFile("/demo/memory.pressure");
        assertTrue(total(pressure, "some") > 500_000, "the penalty's sleeps: " + pressure);
        assertEquals(total(pressure, "some"), total(pressure, "full"), "its only task stalls: " + pressure);
        assertEquals(0, total(f.cgroupFile("/demo/io.pressure"), "some"), "the penalty is not I/O");
    }

    @Test
    void theSameGrowthWithoutAHighSleepsNothing() {
        Task t = inGroup("memory.swap.max", "0");
        assertEquals(0, grow(t, 40 * MIB));
        assertTrue(Long.parseLong(f.cgroupFile("/demo/memory.current").trim()) >= 40 * MIB);
        assertEquals(0, SysFixture.pairs(f.cgroupFile("/demo/memory.events")).get("high"));
        long some = total(f.cgroupFile("/demo/memory.pressure"), "some");
        assertTrue(some < 1000, "at most a THP fault's compaction, no sleep: " + some + " us");
    }

    @Test
    void limitReclaimIsAMemoryStallOfTheCharger() {
        Kernel k = f.kernel;
        Task t = inGroup("memory.max", "16M");
        k.mutate(() -> k.vfs().file("/srv/big.dat", 40 * MIB));
        long stime = t.stimeNanos();
        for (int i = 0; i < 20; i++) {
            int n = i;
            long r = k.mutate(() -> k.syscalls().read(t, "/srv/big.dat", n * 2 * MIB, 2 * MIB));
            assertEquals(2 * MIB, r);
            k.advance(Clock.secondsToJiffies(0.04));
        }
        k.advance(2 * Clock.HZ);
        assertTrue(SysFixture.pairs(f.cgroupFile("/demo/memory.stat")).get("pgsteal") > 0, "the limit reclaimed");
        assertTrue(t.stimeNanos() > stime, "the reclaim was the reader's system time");
        assertTrue(total(f.cgroupFile("/demo/memory.pressure"), "some") > 0, f.cgroupFile("/demo/memory.pressure"));
    }
}
