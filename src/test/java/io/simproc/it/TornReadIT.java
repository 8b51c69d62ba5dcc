package io.simproc.it;

import io.simproc.proc.ReadOracle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Readers with a small buffer ({@code dd bs=64}) while the simulation runs fast (200× real time): each read must be
 * one coherent rendering. meminfo, zoneinfo, vmstat and stat are judged by what their numbers must mean within one
 * read and against the reader's previous read ({@link ReadOracle}); the other files, which relate no figures within
 * a read, must have the lines of a whole-file read (same count, same labels). Every file is read successfully.
 */
class TornReadIT {
    private static final List<String> FILES = List.of("meminfo", "buddyinfo", "pagetypeinfo", "zoneinfo", "vmstat",
            "stat", "uptime", "loadavg", "iomem", "cpuinfo", "version", "sys/vm/min_free_kbytes",
            "sys/vm/lowmem_reserve_ratio");
    private static final int READERS = 6;
    private static final int ROUNDS = 8;
    private static MountedMachine machine;

    @BeforeAll
    static void mount() throws Exception {
        machine = MountedMachine.startSimulating("--seed", "5", "--speed", "200");
    }

    @AfterAll
    static void unmount() throws Exception {
        if (machine != null) {
            machine.close();
        }
    }

    private static String dd(String file) throws Exception {
        String path = machine.dir().resolve(file).toString();
        return Exec.run(List.of("dd", "if=" + path, "bs=64", "status=none"), 30).assertOk("dd " + file).out();
    }

    @Test
    void smallBufferReadsNeverTear() throws Exception {
        ReadOracle oracle = new ReadOracle(machine.read("meminfo"), machine.read("zoneinfo"), machine.read("vmstat"),
                machine.read("stat"));
        List<String> shapes = new ArrayList<>();
        for (String f : FILES) {
            shapes.add(ReadOracle.shape(machine.read(f)));
        }
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(READERS);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                int reader = r;
                jobs.add(pool.submit(() -> {
                    ReadOracle.Reader judge = oracle.reader();
                    for (int i = 0; i < ROUNDS * FILES.size(); i++) {
                        int k = (i + reader) % FILES.size();
                        String f = FILES.get(k);
                        String text = dd(f);
                        try {
                            if (ReadOracle.judges(f)) {
                                judge.check(f, text);
                            } else {
                                assertEquals(shapes.get(k), ReadOracle.shape(text), f + " read with bs=64:\n" + text);
                                oracle.countRead(f);
                            }
                        } catch (AssertionError e) {
                            problems.add("reader " + reader + ", dd bs=64 " + e.getMessage());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> j : jobs) {
                j.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of(), problems.subList(0, Math.min(5, problems.size())));
        oracle.assertEachRead(FILES);
    }

    /**
     * zoneinfo carries no free-area figures: its zones' free pages are checked against buddyinfo read at the same
     * simulated instant, with the machine paused for the two reads (a few times, resumed in between).
     */
    @Test
    void zoneFreePagesAreTheirBuddyinfoRowsAtOneInstant() throws Exception {
        try {
            for (int round = 0; round < 3; round++) {
                machine.ctl("pause").assertOk("ctl pause");
                ReadOracle.assertZoneFreeMatchesBuddyinfo(dd("zoneinfo"), dd("buddyinfo"));
                machine.ctl("resume").assertOk("ctl resume");
                Thread.sleep(200);
            }
        } finally {
            machine.ctl("resume");
        }
    }
}
