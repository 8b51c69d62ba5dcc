package io.simproc.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** compact_memory and the overcommit knob through the mount, as a shell user meets them. */
class CompactionKnobsIT {
    private static MountedMachine machine;

    @BeforeAll
    static void mount() throws Exception {
        machine = MountedMachine.start("--seed", "4");
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
        Exec.bash("echo 1 > " + file, 60).assertOk("compact");
        assertTrue(counter("compact_migrate_scanned") > before, "a full compaction scanned the zones");
        assertEquals(0, counter("compact_stall"), "compact_memory is not direct compaction");
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
