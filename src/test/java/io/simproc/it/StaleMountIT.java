package io.simproc.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGKILL of the daemon leaves its two mounts dead (/proc at DIR, /sys at DIR-sys); simproc-up recovers both and
 * serves again, and simproc-down unmounts both and removes DIR-sys.
 */
class StaleMountIT {
    @Test
    void simprocUpRecoversAfterSigkill() throws Exception {
        Path base = Files.createTempDirectory("simproc-stale-");
        Path dir = base.resolve("mnt");
        Path sys = base.resolve("mnt-sys");
        String up = MountedMachine.basedir().resolve("mount-scripts/simproc-up").toString();
        String down = MountedMachine.basedir().resolve("mount-scripts/simproc-down").toString();
        try {
            Exec.run(List.of(up, dir.toString(), "--seed", "2"), 120).assertOk("simproc-up");
            assertTrue(MountedMachine.catFile(dir.resolve("meminfo")).startsWith("MemTotal:"));
            Exec.run(List.of("pkill", "-KILL", "-f", "simproc.jar mount " + dir), 10);
            Thread.sleep(500);
            assertTrue(MountedMachine.isMounted(dir), "a killed daemon leaves its mount behind");
            assertTrue(MountedMachine.isMounted(sys), "...and its /sys mount");
            Exec.Result again = Exec.run(List.of(up, dir.toString(), "--seed", "2"), 120).assertOk("simproc-up again");
            assertTrue(again.out().contains("stale mount"), again.out());
            assertTrue(MountedMachine.catFile(dir.resolve("meminfo")).startsWith("MemTotal:"));
            assertEquals("0\n", MountedMachine.catFile(sys.resolve("devices/system/node/online")));
            Exec.run(List.of(down, dir.toString()), 60).assertOk("simproc-down");
            assertFalse(MountedMachine.isMounted(dir) || MountedMachine.isMounted(sys), "both unmounted");
            assertFalse(Files.exists(sys), "the daemon removed the /sys mount point it made");
        } finally {
            Exec.run(List.of(down, dir.toString()), 60);
            for (Path p : List.of(dir, sys)) {
                if (MountedMachine.isMounted(p)) {
                    MountedMachine.unmount(p);
                }
            }
            Files.deleteIfExists(sys);
            Files.deleteIfExists(dir);
            Files.deleteIfExists(base);
        }
    }
}
