package io.simproc.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIGKILL of the daemon leaves a dead mount; simproc-up recovers it and serves again. */
class StaleMountIT {
    @Test
    void simprocUpRecoversAfterSigkill() throws Exception {
        Path base = Files.createTempDirectory("simproc-stale-");
        Path dir = base.resolve("mnt");
        String up = MountedMachine.basedir().resolve("mount-scripts/simproc-up").toString();
        String down = MountedMachine.basedir().resolve("mount-scripts/simproc-down").toString();
        try {
            Exec.run(List.of(up, dir.toString(), "--seed", "2"), 120).assertOk("simproc-up");
            assertTrue(MountedMachine.catFile(dir.resolve("meminfo")).startsWith("MemTotal:"));
            Exec.run(List.of("pkill", "-KILL", "-f", "simproc.jar mount " + dir), 10);
            Thread.sleep(500);
            assertTrue(MountedMachine.isMounted(dir), "a killed daemon leaves its mount behind");
            Exec.Result again = Exec.run(List.of(up, dir.toString(), "--seed", "2"), 120).assertOk("simproc-up again");
            assertTrue(again.out().contains("stale mount"), again.out());
            assertTrue(MountedMachine.catFile(dir.resolve("meminfo")).startsWith("MemTotal:"));
        } finally {
            Exec.run(List.of(down, dir.toString()), 60);
            if (MountedMachine.isMounted(dir)) {
                MountedMachine.unmount(dir);
            }
            Files.deleteIfExists(dir);
            Files.deleteIfExists(base);
        }
    }
}
