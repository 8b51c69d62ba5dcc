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

/**
 * ctl save, mount --restore (verified byte for byte by the daemon), a checkpoint saved paused restores paused (its
 * tree read through the mount equals the saved one file by file), mount --paused, refusal of a torn file,
 * --checkpoint-every.
 */
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

    /** Every entry under {@code root} as read through the mount: a file's bytes, a link's target, or the error. */
    private static java.util.Map<String, String> tree(Path root) throws Exception {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path p, java.nio.file.attribute.BasicFileAttributes a) {
                String key = root.relativize(p).toString();
                try {
                    out.put(key, a.isSymbolicLink() ? "-> " + Files.readSymbolicLink(p) : new String(bytes(p),
                            java.nio.charset.StandardCharsets.ISO_8859_1));
                } catch (java.io.IOException e) {
                    out.put(key, "error " + e.getClass().getSimpleName());
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path p, java.io.IOException e) {
                out.put(root.relativize(p).toString(), "error " + e.getClass().getSimpleName());
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return out;
    }

    /** A file's bytes as cat reads them: large reads until end of file. */
    private static byte[] bytes(Path file) throws java.io.IOException {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[128 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }

    private static double uptime(MountedMachine m) throws Exception {
        return Double.parseDouble(m.read("uptime").split(" ")[0]);
    }

    @Test
    void aCheckpointSavedPausedRestoresPausedWithTheSavedTree() throws Exception {
        Path work = Files.createTempDirectory("simproc-ckpt-");
        Path saved = work.resolve("paused.simproc");
        String profile = MountedMachine.basedir().resolve("samples/machines/small-1g.yaml").toString();
        java.util.Map<String, String> atSave;
        try (MountedMachine m = MountedMachine.start("--machine", profile, "--speed", "5")) {
            m.ctl("spawn", "worker", "--program", "bash", "--rss", "20M").assertOk("ctl spawn");
            m.ctl("pause").assertOk("ctl pause");
            atSave = tree(m.dir());
            String out = m.ctl("save", saved.toString()).assertOk("ctl save").out();
            assertTrue(out.contains(", paused (it restores paused)"), out);
            assertEquals(atSave, tree(m.dir()), "saving changes nothing");
        }
        try (MountedMachine r = MountedMachine.start("--restore", saved.toString())) {
            assertTrue(r.log().contains("restored: the tree is byte-identical to the saved one (paused, as it was"
                    + " saved"), r.log());
            java.util.Map<String, String> atRestore = tree(r.dir());
            assertTrue(atSave.size() > 500, atSave.size() + " entries");
            assertEquals(atSave.keySet(), atRestore.keySet());
            for (String path : atSave.keySet()) {
                assertEquals(atSave.get(path), atRestore.get(path), path);
            }
            double before = uptime(r);
            Thread.sleep(300);
            assertEquals(before, uptime(r), "paused: simulated time stands still");
            assertTrue(r.ctl("status").assertOk("ctl status").out().contains(", paused"));
            r.ctl("resume").assertOk("ctl resume");
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (uptime(r) == before && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(uptime(r) > before, "resumed, the clock runs");
        } finally {
            Files.deleteIfExists(saved);
            Files.deleteIfExists(work);
        }
        try (MountedMachine p = MountedMachine.start("--machine", profile, "--paused")) {
            assertTrue(p.log().contains(", paused); stop with"), p.log());
            double before = uptime(p);
            Thread.sleep(300);
            assertEquals(before, uptime(p), "mount --paused: simulated time stands still");
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
