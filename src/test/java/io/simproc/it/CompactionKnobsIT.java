package io.simproc.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * compact_memory and the overcommit knob through the mount, as a shell user meets them. The machine is paused
 * (simproc ctl DIR pause) so that only the writes change it: kcompactd and direct compaction cannot move the
 * counters the checks read.
 */
class CompactionKnobsIT {
    private static MountedMachine machine;

    @BeforeAll
    static void mount() throws Exception {
        machine = MountedMachine.start("--seed", "4");
        machine.ctl("pause").assertOk("ctl pause");
    }

    @AfterAll
    static void unmount() throws Exception {
        if (machine != null) {
            machine.close();
        }
    }

    @Test
    void compactMemoryAcceptsOnlyOneAndCannotBeRead() throws Exception {
        String file = machine.dir().resolve("sys/vm/compact_memory").toString();
        Exec.Result two = Exec.bash("echo 2 > " + file, 10);
        assertEquals(1, two.exit());
        assertTrue(two.err().contains("Invalid argument"), two.err());
        Exec.Result cat = Exec.bash("cat " + file, 10);
        assertEquals(1, cat.exit());
        assertTrue(cat.err().contains("Permission denied"), cat.err());
        long before = counter("compact_migrate_scanned");
        long daemonBefore = counter("compact_daemon_migrate_scanned");
        long stalls = counter("compact_stall");
        Exec.bash("echo 1 > " + file, 60).assertOk("compact");
        assertTrue(counter("compact_migrate_scanned") > before, "a full compaction scanned the zones");
        assertEquals(daemonBefore, counter("compact_daemon_migrate_scanned"), "kcompactd did not run");
        assertEquals(stalls, counter("compact_stall"), "compact_memory is not direct compaction");
    }

    @Test
    void overcommitMemoryRangeIsTheKernels() throws Exception {
        String file = machine.dir().resolve("sys/vm/overcommit_memory").toString();
        Exec.Result r = Exec.bash("echo 3 > " + file, 10);
        assertTrue(r.err().contains("Invalid argument"), r.err());
        assertEquals("0\n", machine.read("sys/vm/overcommit_memory"));
    }

    private static long counter(String name) throws Exception {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\d+)$").matcher(machine.read("vmstat"));
        assertTrue(m.find(), name);
        return Long.parseLong(m.group(1));
    }
}
