package io.simproc.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon killed with SIGKILL at random moments while eight readers hammer the mount (open, read, close of the
 * global and per-process files, in a loop that goes on through errors): each time, the next simproc-up names the
 * stale mount, recovers it, and the readers — still running — get whole files again. Errors are allowed only for
 * reads that overlap the time between the kill and the recovery: a read that starts and ends while a daemon serves
 * the mount must succeed with a whole file. The kill targets only the daemon this test started (the pid simproc-up
 * records), at a seeded random delay.
 */
class DaemonKillIT {
    private static final int ROUNDS = 3;
    private static final int READERS = 8;
    private static final List<String> FILES = List.of("meminfo", "zoneinfo", "buddyinfo", "vmstat", "stat",
            "1/status", "1/smaps", "sys/vm/min_free_kbytes", "pagetypeinfo");

    /** Generations count the daemon's lives: odd while one serves the mount, even from a kill to the recovery. */
    private static boolean serving(long generation) {
        return generation % 2 == 1;
    }

    @Test
    void simprocUpRecoversAfterSigkillUnderLoad() throws Exception {
        Path base = Files.createTempDirectory("simproc-kill-");
        Path dir = base.resolve("mnt");
        Path state = base.resolve("state");
        String up = MountedMachine.basedir().resolve("mount-scripts/simproc-up").toString();
        String down = MountedMachine.basedir().resolve("mount-scripts/simproc-down").toString();
        List<String> upCmd = List.of("env", "SIMPROC_STATE_DIR=" + state, "SIMPROC_JAVA_OPTS="
                + MountedMachine.FIRST_TIER_ONLY, up, dir.toString(), "--seed", "4",
                "--speed", "100");
        Random random = new Random(20261125L);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong wholeReads = new AtomicLong();
        AtomicLong generation = new AtomicLong();
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        List<Thread> readers = new ArrayList<>();
        try {
            Exec.run(upCmd, 120).assertOk("simproc-up");
            generation.incrementAndGet();
            for (int r = 0; r < READERS; r++) {
                int reader = r;
                Thread t = new Thread(() -> {
                    for (int i = reader; !stop.get(); i++) {
                        long g = generation.get();
                        String file = FILES.get(i % FILES.size());
                        String failure;
                        try {
                            String text = MountedMachine.catFile(dir.resolve(file));
                            if (!text.isEmpty() && text.endsWith("\n")) {
                                wholeReads.incrementAndGet();
                                continue;
                            }
                            failure = "not a whole file:\n" + text;
                        } catch (java.io.IOException e) {
                            failure = e.toString();
                        }
                        if (serving(g) && generation.get() == g) {
                            problems.add(file + " read while the daemon served: " + failure);
                        }
                        // A dead mount fails at once: back off rather than spin, so that eight readers do not
                        // starve the JVM simproc-up starts to recover it.
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
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
                long pid = StaleMountIT.daemonPid(state, dir);
                generation.incrementAndGet();
                StaleMountIT.killAndWait(pid);
                assertTrue(MountedMachine.isMounted(dir), "a killed daemon leaves its mount behind");
                Exec.Result again = Exec.run(upCmd, 120).assertOk("simproc-up after SIGKILL in round " + round);
                generation.incrementAndGet();
                assertTrue(again.out().contains("stale mount"), again.out());
                long recovered = wholeReads.get();
                for (int i = 0; i < 100 && wholeReads.get() == recovered; i++) {
                    Thread.sleep(50);
                }
                assertTrue(wholeReads.get() > recovered, "round " + round + ": the readers read again");
                assertTrue(MountedMachine.catFile(dir.resolve("meminfo")).startsWith("MemTotal:"));
            }
            Thread.sleep(500);
            stop.set(true);
            for (Thread t : readers) {
                t.join(10_000);
            }
            assertEquals(List.of(), problems.subList(0, Math.min(5, problems.size())));
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
