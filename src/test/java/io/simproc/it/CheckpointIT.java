package io.simproc.it;

import io.simproc.control.Checkpoint;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ctl save, mount --restore (verified byte for byte by the daemon), refusal of a torn file, --checkpoint-every. */
class CheckpointIT {
    private static Exec.Result simproc(int timeout, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("java", "-Xmx1g", "-jar", MountedMachine.jar().toString()));
        cmd.addAll(List.of(args));
        return Exec.run(cmd, timeout);
    }

    @Test
    void saveRestoreAndRefuseATornCheckpoint() throws Exception {
        Path work = Files.createTempDirectory("simproc-ckpt-");
        Path saved = work.resolve("machine.simproc");
        String profile = MountedMachine.basedir().resolve("samples/machines/small-1g.yaml").toString();
        int workerPid;
        try (MountedMachine m = MountedMachine.start("--machine", profile, "--speed", "5")) {
            Exec.bash("echo 12345 > " + m.dir().resolve("sys/vm/min_free_kbytes"), 30).assertOk("knob write");
            String spawned = simproc(120, "ctl", m.dir().toString(), "spawn", "worker", "--program", "bash", "--rss",
                    "20M").assertOk("ctl spawn").out();
            workerPid = Integer.parseInt(spawned.trim().replaceAll(".*pid ", ""));
            simproc(120, "ctl", m.dir().toString(), "save", saved.toString()).assertOk("ctl save");
        }
        try (MountedMachine r = MountedMachine.start("--restore", saved.toString(), "--speed", "5")) {
            assertTrue(r.log().contains("restored: the tree is byte-identical to the saved one"), r.log());
            assertEquals("12345\n", r.read("sys/vm/min_free_kbytes"));
            assertEquals("worker\n", r.read(workerPid + "/comm"));
        }

        Path torn = work.resolve("torn.simproc");
        byte[] all = Files.readAllBytes(saved);
        Files.write(torn, java.util.Arrays.copyOf(all, all.length / 2));
        Path dir = Files.createTempDirectory("simproc-it-");
        try {
            Exec.Result refused = simproc(120, "mount", dir.toString(), "--restore", torn.toString());
            assertNotEquals(0, refused.exit());
            assertTrue(refused.err().contains("truncated or damaged"), refused.err());
            assertFalse(MountedMachine.isMounted(dir));
        } finally {
            MountedMachine.unmount(dir);
        }
    }

    @Test
    void periodicCheckpointsKeepTheLatestFew() throws Exception {
        Path dir;
        try (MountedMachine m = MountedMachine.start("--speed", "20", "--checkpoint-every", "5s",
                "--checkpoint-keep", "2")) {
            dir = m.dir().resolveSibling(m.dir().getFileName() + ".checkpoints");
            long deadline = System.nanoTime() + 120_000_000_000L;
            java.util.Set<String> seen = new java.util.HashSet<>();
            while (seen(dir, seen) < 3 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(m.log().contains("checkpoints every 5 s"), m.log());
            assertTrue(seen.size() >= 3, "three checkpoints written: " + seen);
        }
        List<Path> left;
        try (Stream<Path> s = Files.list(dir)) {
            left = s.sorted().toList();
        }
        try {
            assertEquals(2, left.size(), left.toString());
            for (Path p : left) {
                assertTrue(Checkpoint.read(p).jiffies() > 0, p.toString());
            }
        } finally {
            for (Path p : left) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        }
    }

    /**
     * Note the checkpoint files present now in {@code seen}; returns how many distinct ones have been seen (each
     * lives until the next save, a quarter of a second at 20x, and the test looks every 100 ms).
     */
    private static int seen(Path dir, java.util.Set<String> seen) throws Exception {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".simproc")).forEach(seen::add);
            }
        }
        return seen.size();
    }
}
