package io.simproc.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGKILL of the daemon leaves its two mounts dead (/proc at DIR, /sys at DIR-sys); simproc-up recovers both and
 * serves again, and simproc-down unmounts both and removes DIR-sys. The kill targets the daemon this test started
 * (the pid simproc-up records in its state directory) and waits until that process has exited.
 */
class StaleMountIT {
    @Test
    void simprocUpRecoversAfterSigkill() throws Exception {
        Path base = Files.createTempDirectory("simproc-stale-");
        Path dir = base.resolve("mnt");
        Path sys = base.resolve("mnt-sys");
        Path state = base.resolve("state");
        String up = MountedMachine.basedir().resolve("mount-scripts/simproc-up").toString();
        String down = MountedMachine.basedir().resolve("mount-scripts/simproc-down").toString();
        List<String> upCmd = List.of("env", "SIMPROC_STATE_DIR=" + state, "SIMPROC_JAVA_OPTS="
                + MountedMachine.FIRST_TIER_ONLY, up, dir.toString(), "--seed", "2");
        try {
            Exec.run(upCmd, 120).assertOk("simproc-up");
            assertTrue(MountedMachine.catFile(dir.resolve("meminfo")).startsWith("MemTotal:"));
            killAndWait(daemonPid(state, dir));
            assertTrue(MountedMachine.isMounted(dir), "a killed daemon leaves its mount behind");
            assertTrue(MountedMachine.isMounted(sys), "...and its /sys mount");
            Exec.Result again = Exec.run(upCmd, 120).assertOk("simproc-up again");
            assertTrue(again.out().contains("stale mount"), again.out());
            assertTrue(MountedMachine.catFile(dir.resolve("meminfo")).startsWith("MemTotal:"));
            assertEquals("0\n", MountedMachine.catFile(sys.resolve("devices/system/node/online")));
            Exec.run(List.of("env", "SIMPROC_STATE_DIR=" + state, down, dir.toString()), 60).assertOk("simproc-down");
            assertFalse(MountedMachine.isMounted(dir) || MountedMachine.isMounted(sys), "both unmounted");
            assertFalse(Files.exists(sys), "the /sys mount point the daemon made is gone");
        } finally {
            Exec.run(List.of("env", "SIMPROC_STATE_DIR=" + state, down, dir.toString()), 60);
            for (Path p : List.of(dir, sys)) {
                if (MountedMachine.isMounted(p)) {
                    MountedMachine.unmount(p);
                }
            }
            Exec.run(List.of("rm", "-rf", base.toString()), 30);
        }
    }

    /** The pid of the daemon simproc-up started for {@code dir}, from the file it keeps in its state directory. */
    static long daemonPid(Path state, Path dir) throws Exception {
        return Long.parseLong(Files.readString(state.resolve(dir.toString().replace('/', '_') + ".pid")).trim());
    }

    /**
     * SIGKILL to {@code pid}, then wait until it has exited (gone, or a zombie its new parent has not reaped yet: its
     * files, the FUSE connection among them, are closed either way); fails after 30 s.
     */
    static void killAndWait(long pid) throws Exception {
        Optional<ProcessHandle> daemon = ProcessHandle.of(pid);
        assertTrue(daemon.isPresent(), "daemon pid " + pid + " is running");
        Exec.run(List.of("kill", "-KILL", Long.toString(pid)), 10).assertOk("kill -KILL " + pid);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (daemon.get().isAlive() && !Exec.run(List.of("ps", "-o", "stat=", "-p", Long.toString(pid)), 10)
                .out().startsWith("Z")) {
            assertTrue(System.nanoTime() < deadline, "daemon " + pid + " still alive 30 s after SIGKILL");
            Thread.sleep(20);
        }
    }
}
