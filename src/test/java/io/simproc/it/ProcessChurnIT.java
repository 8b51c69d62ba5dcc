package io.simproc.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tasks coming and going under readers, while a pressure scenario swaps: a file of a process opened before it was
 * killed still reads the whole rendering taken at open; opening it afterwards is ENOENT; eight readers walking every
 * pid's status, statm, smaps_rollup and oom_score as pids appear and vanish only ever see a whole rendering, or an
 * error at open: ENOENT for a task that is gone, ESRCH for smaps_rollup of a task without memory, as on Linux. Once
 * a file is open, no error at all — never EIO, never ENOENT, never a torn file — and the daemon logs no failed
 * callback.
 */
class ProcessChurnIT {
    private static final int READERS = 8;
    private static final List<String> FILES = List.of("status", "statm", "smaps_rollup", "oom_score");
    /** What {@link #readOne} counts. */
    private static final int WHOLE = 0;
    private static final int ENOENT_AT_OPEN = 1;
    private static final int ESRCH_AT_OPEN = 2;

    @Test
    void processesDieUnderReadersWithSnapshotsAndEnoent() throws Exception {
        Path pressure = MountedMachine.basedir().resolve("src/test/resources/scenarios/pressure-8g.yaml");
        try (MountedMachine m = MountedMachine.start("--seed", "9", "--speed", "1", "--scenario",
                pressure.toString())) {
            m.ctl("advance", "9s").assertOk("ctl advance 9s");
            String meminfo = m.read("meminfo");
            assertTrue(ProcText.meminfo(meminfo).get("SwapFree") < ProcText.meminfo(meminfo).get("SwapTotal"),
                    "the pressure scenario is swapping:\n" + meminfo);
            List<String> problems = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean stop = new AtomicBoolean();
            long[] counts = new long[3];
            ExecutorService pool = Executors.newFixedThreadPool(READERS);
            List<Future<?>> readers = new ArrayList<>();
            try {
                for (int r = 0; r < READERS; r++) {
                    int reader = r;
                    readers.add(pool.submit(() -> {
                        while (!stop.get()) {
                            List<String> pids = pids(m.dir());
                            for (int i = reader; i < pids.size() && !stop.get(); i += READERS) {
                                for (String f : FILES) {
                                    readOne(m.dir().resolve(pids.get(i)).resolve(f), problems, counts);
                                }
                            }
                        }
                        return null;
                    }));
                }
                for (int round = 0; round < 4; round++) {
                    Exec.Result spawned = m.ctl("spawn", "churn" + round, "--program", "bash", "--rss", "16M")
                            .assertOk("ctl spawn");
                    String pid = spawned.out().trim().replaceAll(".*pid ", "");
                    Path status = m.dir().resolve(pid).resolve("status");
                    try (InputStream open = Files.newInputStream(status)) {
                        m.ctl("kill", pid).assertOk("ctl kill " + pid);
                        String text = new String(open.readAllBytes(), StandardCharsets.UTF_8);
                        assertTrue(text.startsWith("Name:\tchurn" + round + "\n"), text);
                        assertTrue(text.endsWith("\n") && text.contains("\nVmRSS:"), "whole snapshot:\n" + text);
                    }
                    assertThrows(NoSuchFileException.class, () -> Files.newInputStream(status).close(),
                            "opening a dead task's file after the kill");
                }
            } finally {
                stop.set(true);
                for (Future<?> f : readers) {
                    f.get();
                }
                pool.shutdownNow();
            }
            assertEquals(List.of(), problems.subList(0, Math.min(10, problems.size())));
            assertTrue(counts[WHOLE] > 100, "whole reads: " + counts[WHOLE]);
            assertTrue(counts[ESRCH_AT_OPEN] > 0, "smaps_rollup of kernel threads was opened: ESRCH");
            assertTrue(m.daemon().isAlive());
            assertFalse(m.log().contains("failed:"), m.log());
        }
    }

    private static List<String> pids(Path dir) throws Exception {
        try (Stream<Path> top = Files.list(dir)) {
            return top.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+")).toList();
        }
    }

    /**
     * Open, then read: ENOENT at open is a task that is gone, and for smaps_rollup ESRCH at open is a task without an
     * mm (a kernel thread, an exiting task), as on Linux — both allowed and counted as such. Any other error at open,
     * and any error once the file is open (the read, or the fstat Files.readAllBytes makes, which must work on an
     * open file of a dead task as on Linux), is a problem; so is a text that is not a whole rendering.
     */
    private static void readOne(Path file, List<String> problems, long[] counts) {
        String name = file.getFileName().toString();
        InputStream in;
        try {
            in = Files.newInputStream(file);
        } catch (NoSuchFileException gone) {
            count(counts, ENOENT_AT_OPEN);
            return;
        } catch (FileSystemException e) {
            if (name.equals("smaps_rollup") && "No such process".equals(e.getReason())) {
                count(counts, ESRCH_AT_OPEN);
            } else {
                problems.add("open " + file + ": " + e);
            }
            return;
        } catch (IOException e) {
            problems.add("open " + file + ": " + e);
            return;
        }
        String text;
        try (in) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            problems.add(file + ": error after a successful open: " + e);
            return;
        }
        boolean whole = switch (name) {
            case "status" -> text.startsWith("Name:\t") && text.endsWith("\n")
                    && text.contains("\nnonvoluntary_ctxt_switches:");
            case "statm" -> text.matches("(\\d+ ){6}\\d+\n");
            case "oom_score" -> text.matches("\\d+\n");
            default -> text.endsWith("\n") && text.contains("\nSwapPss:");
        };
        if (whole) {
            count(counts, WHOLE);
        } else {
            problems.add(file + " is not a whole rendering:\n" + text);
        }
    }

    private static void count(long[] counts, int what) {
        synchronized (counts) {
            counts[what]++;
        }
    }
}
