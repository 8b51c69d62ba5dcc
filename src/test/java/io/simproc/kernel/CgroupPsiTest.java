package io.simproc.kernel;

import io.simproc.uapi.Credentials;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each cgroup's pressure (kernel/sched/psi.c, psi_cgroup_alloc()): a task's stalls count in its cgroup and every
 * ancestor up to the system group; they move with the task; a disabled group accrues nothing.
 */
class CgroupPsiTest {
    private static final long MS = 1_000_000L;

    private static long total(String pressure, String line) {
        for (String l : pressure.split("\n")) {
            if (l.startsWith(line + " ")) {
                return Long.parseLong(l.substring(l.indexOf("total=") + 6));
            }
        }
        throw new AssertionError(line + " in " + pressure);
    }

    /** {@code t} waits for the disk (a throttled writer) 50 ms in every 100 ms, for {@code seconds}. */
    private static void stall(Kernel k, Task t, int seconds) {
        for (int i = 0; i < seconds * 10; i++) {
            k.mutate(() -> k.sched().work(t, () -> {
                k.sched().throttle(t, 50 * MS);
                return null;
            }));
            k.advance(Clock.secondsToJiffies(0.1));
        }
    }

    @Test
    void stallsCountInTheTasksCgroupItsAncestorsAndTheSystemOnly() {
        Kernel k = Kernel.boot(MachineProfileLoader.parse("t", "memory: 256M\n"), 1);
        k.setDebugChecks(true);
        Cgroups cg = k.cgroups();
        Cgroup a = k.mutate(() -> {
            cg.mkdir(cg.root(), "a", 0755, Credentials.ROOT);
            cg.mkdir(cg.root().child("a"), "a1", 0755, Credentials.ROOT);
            cg.mkdir(cg.root(), "b", 0755, Credentials.ROOT);
            return cg.root().child("a");
        });
        Cgroup a1 = a.child("a1");
        Cgroup b = cg.root().child("b");
        Task p = k.mutate(() -> k.processes().fork(k.tasks().get(1)));
        assertEquals(0, k.mutate(() -> cg.migrate().attachTask(a1, p, true)));
        long system0 = total(k.sched().pressure("io"), "some");
        stall(k, p, 6);
        long inA1 = total(k.sched().cgroupPsi().pressure(a1, "io"), "some");
        long inA = total(k.sched().cgroupPsi().pressure(a, "io"), "some");
        assertTrue(inA1 > 2_000_000, "about half of 6 s waited: " + inA1);
        assertEquals(inA1, inA, "a has no other task");
        assertEquals(0, total(k.sched().cgroupPsi().pressure(b, "io"), "some"));
        assertTrue(total(k.sched().pressure("io"), "some") - system0 >= inA1, "the system saw it too");
        assertEquals(k.sched().pressure("io"), k.sched().cgroupPsi().pressure(cg.root(), "io"),
                "the root's is the system's");
        assertTrue(total(k.sched().cgroupPsi().pressure(a1, "cpu"), "full") == 0,
                "cpu full is defined in a cgroup, and 0 here");

        assertEquals(0, k.mutate(() -> cg.migrate().attachTask(b, p, true)));
        stall(k, p, 6);
        long a1Later = total(k.sched().cgroupPsi().pressure(a1, "io"), "some");
        assertTrue(a1Later - inA1 <= 1_000_000, "only what a1 integrated before the move but had not averaged yet");
        assertTrue(total(k.sched().cgroupPsi().pressure(b, "io"), "some") > 2_000_000, "b took over");
        stall(k, p, 2);
        assertEquals(a1Later, total(k.sched().cgroupPsi().pressure(a1, "io"), "some"), "a1 stopped growing");

        assertEquals(0, k.mutate(() -> k.sched().cgroupPsi().setPsiEnabled(b, false)));
        stall(k, p, 3);
        long frozen = total(k.sched().cgroupPsi().pressure(b, "io"), "some");
        stall(k, p, 4);
        assertEquals(frozen, total(k.sched().cgroupPsi().pressure(b, "io"), "some"),
                "a disabled group accrues nothing (once what it recorded before is averaged)");
        assertEquals(0, k.mutate(() -> k.sched().cgroupPsi().setPsiEnabled(b, true)));
        stall(k, p, 4);
        assertTrue(total(k.sched().cgroupPsi().pressure(b, "io"), "some") > frozen);
    }
}
