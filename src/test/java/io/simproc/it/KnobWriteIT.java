package io.simproc.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Writing /proc/sys/vm knobs through the mount as a shell user does: errors, permissions, effects. */
class KnobWriteIT {
    private static MountedMachine machine;

    @BeforeAll
    static void mount() throws Exception {
        machine = MountedMachine.start("--seed", "3");
    }

    @AfterAll
    static void unmount() throws Exception {
        if (machine != null) {
            machine.close();
        }
    }

    @Test
    void junkIsInvalidArgumentAndChangesNothing() throws Exception {
        String file = machine.dir().resolve("sys/vm/min_free_kbytes").toString();
        String before = machine.read("sys/vm/min_free_kbytes");
        Exec.Result r = Exec.bash("echo abc > " + file, 10);
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("Invalid argument"), r.err());
        assertEquals(before, machine.read("sys/vm/min_free_kbytes"));
        Exec.Result range = Exec.bash("echo 0 > " + machine.dir().resolve("sys/vm/watermark_scale_factor"), 10);
        assertTrue(range.err().contains("Invalid argument"), range.err());
        assertEquals("10\n", machine.read("sys/vm/watermark_scale_factor"));
    }

    @Test
    void nonRootWriteIsPermissionDenied() throws Exception {
        String file = machine.dir().resolve("sys/vm/min_free_kbytes").toString();
        String before = machine.read("sys/vm/min_free_kbytes");
        Exec.Result r = Exec.run(java.util.List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "bash", "-c", "echo 1000 > " + file), 10);
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("Permission denied"), r.err());
        assertEquals(before, machine.read("sys/vm/min_free_kbytes"));
        Exec.Result read = Exec.run(java.util.List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "cat", machine.dir().resolve("pagetypeinfo").toString()), 10);
        assertTrue(read.err().contains("Permission denied"), read.err());
        Exec.Result iomem = Exec.run(java.util.List.of("setpriv", "--reuid=65534", "--regid=65534",
                "--clear-groups", "cat", machine.dir().resolve("iomem").toString()), 10).assertOk("iomem");
        assertTrue(iomem.out().startsWith("00000000-00000000 : Reserved\n"), iomem.out());
    }

    @Test
    void minFreeKbytesMovesTheWatermarksInZoneinfo() throws Exception {
        long minBefore = normalMin(machine.read("zoneinfo"));
        String file = machine.dir().resolve("sys/vm/min_free_kbytes").toString();
        String old = machine.read("sys/vm/min_free_kbytes").trim();
        try {
            Exec.bash("echo " + (Long.parseLong(old) * 2) + " > " + file, 10).assertOk("write");
            long minAfter = normalMin(machine.read("zoneinfo"));
            assertNotEquals(minBefore, minAfter);
            assertTrue(Math.abs(minAfter - 2 * minBefore) <= 2, minBefore + " -> " + minAfter);
        } finally {
            Exec.bash("echo " + old + " > " + file, 10).assertOk("restore");
        }
        assertEquals(minBefore, normalMin(machine.read("zoneinfo")));
    }

    private static long normalMin(String zoneinfo) {
        Matcher m = Pattern.compile("zone   Normal\\n(?:.*\\n)*?        min      (\\d+)").matcher(zoneinfo);
        assertTrue(m.find(), zoneinfo);
        return Long.parseLong(m.group(1));
    }
}
