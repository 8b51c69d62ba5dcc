package io.simproc.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon killed with SIGKILL at random moments while eight readers hammer the mount (open, read, close of the
 * global and per-process files, in a loop that survives errors): each time, the next simproc-up names the stale
 * mount, recovers it, and the readers — still running — get whole files again. The kill targets only the daemon
 * this test started (the pid simproc-up records), at a seeded random delay.
 */
class DaemonKillIT {
    private static final int ROUNDS = 3;
    private static final int READERS = 8;
    private static final List<String> FILES = List.of("meminfo", "zoneinfo", "buddyinfo", "vmstat", "stat",
            "1/status", "1/smaps", "sys/vm/min_free_kbytes", "pagetypeinfo");

    @Test
    void simprocUpRecoversAfterSigkillUnderLoad() throws Exception {
        Path base = Files.createTempDirectory("simproc-kill-");
        Path dir = base.resolve("mnt");
        Path state = base.resolve("state");
        String up = MountedMachine.basedir().resolve("mount-scripts/simproc-up").toString();
        String down = MountedMachine.basedir().resolve("mount-scripts/simproc-down").toString();
        List<String> upCmd = List.of("env", "SIMPROC_STATE_DIR=" + state, up, dir.toString(), "--seed", "4",
                "--speed", "100");
        Random random = new Random(20261125L);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong wholeReads = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        try {
            Exec.run(upCmd, 120).assertOk("simproc-up");
            for (int r = 0; r < READERS; r++) {
                int reader = r;
                Thread t = new Thread(() -> {
                    for (int i = reader; !stop.get(); i++) {
                        try {
                            String text = MountedMachine.catFile(dir.resolve(FILES.get(i % FILES.size())));
                            if (!text.isEmpty() && text.endsWith("\n")) {
                                wholeReads.incrementAndGet();
                            }
                        } catch (java.io.IOException expectedWhileTheDaemonIsDead) {
                            Thread.onSpinWait();
                        }
                    }
                }, "reader-" + r);
                t.setDaemon(true);
                t.start();
                readers.add(t);
            }
            for (int round = 0; round < ROUNDS; round++) {
                long before = wholeReads.get();
                Thread.sleep(300 + random.nextInt(1500));
                assertTrue(wholeReads.get() > before, "round " + round + ": the readers read whole files");
                String pid = Files.readString(state.resolve(dir.toString().replace('/', '_') + ".pid")).trim();
                Exec.run(List.of("kill", "-KILL", pid), 10).assertOk("kill -KILL " + pid);
                for (int i = 0; i < 100 && Exec.run(List.of("kill", "-0", pid), 10).exit() == 0; i++) {
                    Thread.sleep(50);
                }
                assertTrue(MountedMachine.isMounted(dir), "a killed daemon leaves its mount behind");
                Exec.Result again = Exec.run(upCmd, 120).assertOk("simproc-up after SIGKILL in round " + round);
                assertTrue(again.out().contains("stale mount"), again.out());
                long recovered = wholeReads.get();
                for (int i = 0; i < 100 && wholeReads.get() == recovered; i++) {
                    Thread.sleep(50);
                }
                assertTrue(wholeReads.get() > recovered, "round " + round + ": the readers read again");
                assertTrue(MountedMachine.catFile(dir.resolve("meminfo")).startsWith("MemTotal:"));
            }
        } finally {
            stop.set(true);
            for (Thread t : readers) {
                t.join(10_000);
            }
            Exec.run(List.of("env", "SIMPROC_STATE_DIR=" + state, down, dir.toString()), 60);
            if (MountedMachine.isMounted(dir)) {
                MountedMachine.unmount(dir);
            }
            Exec.run(List.of("rm", "-rf", base.toString()), 30);
        }
    }
}
