package io.simproc.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Readers with a small buffer ({@code dd bs=64}) while the simulation runs fast: each read of a file must be one
 * coherent rendering, so its lines have exactly the shapes of a whole-file read (same count, same labels), never
 * a line cut between two renderings.
 */
class TornReadIT {
    private static final List<String> FILES = List.of("meminfo", "buddyinfo", "pagetypeinfo", "zoneinfo", "vmstat",
            "stat", "uptime", "loadavg", "iomem", "cpuinfo", "version", "sys/vm/min_free_kbytes",
            "sys/vm/lowmem_reserve_ratio");
    private static MountedMachine machine;

    @BeforeAll
    static void mount() throws Exception {
        machine = MountedMachine.start("--seed", "5", "--speed", "200");
    }

    @AfterAll
    static void unmount() throws Exception {
        if (machine != null) {
            machine.close();
        }
    }

    @Test
    void smallBufferReadsNeverTear() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (String f : FILES) {
                String expected = shape(machine.read(f));
                for (int round = 0; round < 8; round++) {
                    jobs.add(pool.submit(() -> {
                        String path = machine.dir().resolve(f).toString();
                        Exec.Result r = Exec.run(List.of("dd", "if=" + path, "bs=64", "status=none"), 30)
                                .assertOk("dd " + f);
                        assertEquals(expected, shape(r.out()), f + " read with bs=64:\n" + r.out());
                        if (f.equals("stat")) {
                            assertCpuLineIsSumOfCpus(r.out());
                        }
                        return null;
                    }));
                }
            }
            for (Future<?> j : jobs) {
                j.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * In one rendering of /proc/stat each column of the "cpu" line is the sum of the per-CPU lines (up to one tick
     * of rounding per CPU). The machine runs 200× faster than real time, so lines taken from two renderings
     * differ by far more than that.
     */
    static void assertCpuLineIsSumOfCpus(String stat) {
        long[] total = null;
        long[] sum = new long[10];
        int cpus = 0;
        for (String line : stat.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f[0].equals("cpu")) {
                total = new long[10];
                for (int i = 0; i < 10; i++) {
                    total[i] = Long.parseLong(f[i + 1]);
                }
            } else if (f[0].matches("cpu\\d+")) {
                cpus++;
                for (int i = 0; i < 10; i++) {
                    sum[i] += Long.parseLong(f[i + 1]);
                }
            }
        }
        for (int i = 0; i < 10; i++) {
            org.junit.jupiter.api.Assertions.assertTrue(Math.abs(total[i] - sum[i]) <= cpus,
                    "column " + i + ": cpu line " + total[i] + " but the CPUs add up to " + sum[i] + ":\n" + stat);
        }
    }

    /** A file's line structure: every run of digits becomes '#', so only coherent renderings compare equal. */
    static String shape(String text) {
        return text.replaceAll("\\d+", "#").replaceAll(" +", " ");
    }
}
