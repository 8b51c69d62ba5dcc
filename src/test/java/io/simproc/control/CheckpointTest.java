package io.simproc.control;

import io.simproc.config.ConfigException;
import io.simproc.kernel.Clock;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.Simulation;
import io.simproc.proc.ProcFile;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTree;
import io.simproc.proc.ProcTreeDigest;
import io.simproc.scenario.ScenarioEngine;
import io.simproc.sysctl.SysctlTable;
import io.simproc.uapi.Credentials;
import io.simproc.workload.Machines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A checkpoint replays a machine's inputs onto a fresh boot and reproduces its /proc tree byte for byte. */
class CheckpointTest {
    private static final String PROFILE = """
            name: ckpt
            memory: 1G
            cpu: 2
            processes:
              - program: systemd
                args: [/sbin/init]
                children:
                  - program: sshd
                    args: [/usr/sbin/sshd, -D]
            """;

    @TempDir
    Path tmp;

    /** A daemon as the mount command builds it, without FUSE and with its simulation thread not started. */
    private static Daemon boot(MachineSource source, long seed) {
        Machines.Machine m = Machines.start(source.load(), seed);
        Kernel kernel = m.kernel();
        ProcFs fs = new ProcFs(kernel, ProcTree.create(SysctlTable.create()));
        Journal journal = new Journal(source);
        fs.setWriteObserver(journal);
        return new Daemon(kernel, new Simulation(kernel, () -> 0L, 1), new ScenarioEngine(kernel, m.population(), fs),
                journal);
    }

    private static int write(Daemon d, String path, String value, Credentials who) {
        ProcFs fs = d.scenarios().procFs();
        ProcFile f = (ProcFile) fs.lookup(path, who);
        return fs.write(path, f, who, value.getBytes(StandardCharsets.UTF_8), 0);
    }

    private static void scenario(Daemon d, String text) {
        ScenarioSource s = new ScenarioSource("test", text, null);
        d.runScenario(s, s.parse(d.parser()), false);
    }

    /** A machine that lived: time in uneven steps, knob writes (good and bad), scenarios starting workloads. */
    private static Daemon lived() {
        Daemon d = boot(MachineSource.profile("ckpt.yaml", PROFILE), 7);
        Kernel k = d.kernel();
        k.advance(3 * Clock.HZ + 17);
        assertTrue(write(d, "/sys/vm/min_free_kbytes", "20000\n", Credentials.ROOT) > 0);
        assertTrue(write(d, "/sys/vm/min_free_kbytes", "junk\n", Credentials.ROOT) < 0);
        for (int i = 0; i < 7; i++) {
            k.advance(Clock.HZ / 3 + i);
        }
        scenario(d, """
                timeline:
                  - spawn: {name: worker, program: bash, args: [bash]}
                  - at: 2s
                    every: 1s
                    repeat: 5
                    malloc: {process: worker, size: 8M, write: true}
                """);
        k.advance(4 * Clock.HZ + 5);
        int pid = k.read(kk -> kk.tasks().all().stream().filter(t -> t.comm().equals("worker")).findFirst()
                .orElseThrow().pid());
        assertTrue(write(d, "/" + pid + "/oom_score_adj", "500\n", new Credentials(0, 0, 4242)) > 0);
        k.advance(9 * Clock.HZ + 1);
        return d;
    }

    @Test
    void savedMachineIsRestoredByteForByte() throws Exception {
        Daemon original = lived();
        Checkpoint saved = Checkpoint.capture(original);
        Path file = tmp.resolve("m.simproc");
        saved.save(file);
        Checkpoint read = Checkpoint.read(file);
        assertEquals(saved.encode(), read.encode());
        assertEquals(4, read.entries().size(), "two knob writes (one refused), a scenario, an oom_score_adj write");

        Daemon restored = boot(read.machine(), read.seed());
        assertTrue(read.replay(restored), "replaying the journal reproduces the tree");
        assertEquals(new ProcTreeDigest(original.scenarios().procFs()).digest(),
                new ProcTreeDigest(restored.scenarios().procFs()).digest());
        assertEquals(saved.encode().replaceAll("sha256 .*\n", ""),
                Checkpoint.capture(restored).encode().replaceAll("sha256 .*\n", ""),
                "the restored machine journals the same inputs, so its own checkpoints continue the original's");

        original.kernel().advance(30 * Clock.HZ);
        restored.kernel().advance(30 * Clock.HZ);
        assertEquals(new ProcTreeDigest(original.scenarios().procFs()).digest(),
                new ProcTreeDigest(restored.scenarios().procFs()).digest(), "and both continue alike");
    }

    @Test
    void aReplayThatDivergesIsDetected() {
        Checkpoint saved = Checkpoint.capture(lived());
        List<Journal.Entry> altered = new java.util.ArrayList<>(saved.entries());
        Journal.Write w = (Journal.Write) altered.get(0);
        altered.set(0, new Journal.Write(w.jiffies(), w.path(), w.who(), "30000\n".getBytes(StandardCharsets.UTF_8),
                w.offset()));
        Checkpoint edited = new Checkpoint(saved.seed(), saved.jiffies(), saved.bootEpoch(), false, saved.machine(), altered,
                saved.digest());
        assertFalse(edited.replay(boot(saved.machine(), saved.seed())));
        Checkpoint otherSeed = new Checkpoint(saved.seed() + 1, saved.jiffies(), saved.bootEpoch(), false, saved.machine(),
                saved.entries(), saved.digest());
        assertFalse(otherSeed.replay(boot(saved.machine(), otherSeed.seed())));
    }

    @Test
    void tornAndForeignCheckpointsAreRefused() throws Exception {
        String text = Checkpoint.capture(lived()).encode();
        for (int cut : new int[] {1, text.length() / 3, text.length() / 2, text.length() - 2}) {
            ConfigException e = assertThrows(ConfigException.class, () -> Checkpoint.decode("c", text.substring(0, cut)));
            assertTrue(e.getMessage().contains("truncated or damaged") || e.getMessage().contains("not a simproc"),
                    e.getMessage());
        }
        String flipped = text.replaceFirst("seed 7", "seed 8");
        assertNotEquals(text, flipped);
        assertTrue(assertThrows(ConfigException.class, () -> Checkpoint.decode("c", flipped)).getMessage()
                .contains("truncated or damaged"));
        Path foreign = tmp.resolve("foreign");
        Files.writeString(foreign, "MemTotal:  1024 kB\n");
        assertTrue(assertThrows(ConfigException.class, () -> Checkpoint.read(foreign)).getMessage()
                .contains("not a simproc checkpoint"));
    }

    /** Every file of the tree as root reads it, by path: its bytes, a link's target, or the errno of a refusal. */
    private static java.util.Map<String, String> tree(Daemon d) {
        ProcFs fs = d.scenarios().procFs();
        return d.kernel().read(k -> {
            java.util.Map<String, String> out = new java.util.TreeMap<>();
            walk(fs, (io.simproc.proc.ProcDir) fs.lookup("/", Credentials.ROOT), "", out);
            return out;
        });
    }

    private static void walk(ProcFs fs, io.simproc.proc.ProcDir dir, String at, java.util.Map<String, String> out) {
        for (io.simproc.proc.ProcEntry e : fs.list(dir, Credentials.ROOT)) {
            String path = at + "/" + e.name();
            if (e instanceof io.simproc.proc.ProcDir sub) {
                walk(fs, sub, path, out);
            } else if (e instanceof io.simproc.proc.ProcLink l) {
                out.put(path, "-> " + fs.readlink(l, Credentials.ROOT));
            } else if (e instanceof ProcFile f) {
                try {
                    out.put(path, new String(fs.render(f, Credentials.ROOT), StandardCharsets.ISO_8859_1));
                } catch (io.simproc.proc.ProcException ex) {
                    out.put(path, "errno " + ex.errno());
                }
            }
        }
    }

    /**
     * Saved while paused, a machine restores paused: its tree, read file by file, is the saved one byte for byte and
     * stays so (the clock does not move until resumed). Saved running, it restores running.
     */
    @Test
    void aCheckpointSavedWhilePausedRestoresPaused() throws Exception {
        Daemon original = lived();
        original.simulation().pause();
        java.util.Map<String, String> atSave = tree(original);
        Checkpoint saved = Checkpoint.capture(original);
        assertTrue(saved.paused());
        Path file = tmp.resolve("paused.simproc");
        saved.save(file);
        Checkpoint read = Checkpoint.read(file);
        assertTrue(read.paused());

        Daemon restored = boot(read.machine(), read.seed());
        assertFalse(restored.simulation().paused());
        assertTrue(read.replay(restored));
        assertTrue(restored.simulation().paused(), "restored paused, as it was saved");
        java.util.Map<String, String> atRestore = tree(restored);
        assertEquals(atSave.keySet(), atRestore.keySet());
        assertTrue(atSave.size() > 500, atSave.size() + " files");
        for (String path : atSave.keySet()) {
            assertEquals(atSave.get(path), atRestore.get(path), path);
        }

        original.simulation().resume();
        Checkpoint running = Checkpoint.read(save(Checkpoint.capture(original), "running.simproc"));
        assertFalse(running.paused());
        Daemon again = boot(running.machine(), running.seed());
        assertTrue(running.replay(again));
        assertFalse(again.simulation().paused(), "saved running, it restores running");
    }

    private Path save(Checkpoint c, String name) throws Exception {
        Path file = tmp.resolve(name);
        c.save(file);
        return file;
    }

    /** A checkpoint written before the paused line existed still reads, and restores running. */
    @Test
    void aCheckpointWithoutThePausedLineRestoresRunning() throws Exception {
        String text = Checkpoint.capture(lived()).encode();
        assertTrue(text.contains("\npaused 0\n"), text);
        String body = text.substring(0, text.lastIndexOf("sha256 ")).replace("\npaused 0\n", "\n");
        String old = body + "sha256 " + java.util.HexFormat.of().formatHex(java.security.MessageDigest
                .getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8))) + "\n";
        Checkpoint c = Checkpoint.decode("old", old);
        assertFalse(c.paused());
        assertEquals(text, c.encode());
        String bad = body.replace("\nmachine ", "\npaused 2\nmachine ");
        assertTrue(assertThrows(ConfigException.class, () -> Checkpoint.decode("bad", bad + "sha256 "
                + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(bad.getBytes(StandardCharsets.UTF_8))) + "\n")).getMessage().contains("paused must be 0 or 1"));
    }
}
