package io.simproc.it;

import io.simproc.proc.ReadOracle;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 32 concurrent readers of every readable file of the mount (the global files, /proc/sys, and every file of init's
 * and another process's directory and task directory) with {@code dd bs=1}, {@code bs=64} and {@code bs=1M} while
 * the simulation runs 500× faster than real time and a writer flips min_free_kbytes (every zone's watermarks and
 * reserves change) every 20 ms: every read succeeds (no EIO) and is one coherent rendering — meminfo, zoneinfo,
 * vmstat and stat judged by what their numbers must mean within the read and against the reader's previous read
 * ({@link ReadOracle}); the other files by their shape (digits masked), that of a whole-file read, or for a
 * /proc/sys file, as on Linux, that of its first read's worth, a read at a non-zero offset being end of file — every
 * file is read successfully at least once, and the daemon logs no failed callback. The readers take the files in
 * turn from one shared counter, so the first pass reads each file once however slow the host. Bounded: the readers
 * stop after {@value #SECONDS} seconds (or that first pass); byte-at-a-time reads only for files under 8 KiB.
 */
class ConcurrentReadersIT {
    private static final int READERS = 32;
    private static final int SECONDS = 8;
    private static final int[] BLOCK_SIZES = {1, 64, 1 << 20};
    /**
     * Whole lines of show_numa_map() (fs/proc/task_mmu.c): the start, the policy, then only the counters a VMA has
     * (which come and go as its pages do, so the file's shape is not constant): every line whole is the check.
     */
    private static final java.util.regex.Pattern NUMA_MAPS_LINE = java.util.regex.Pattern.compile("[0-9a-f]+ "
            + "(default|local|prefer[:=]\\S+|bind:\\S+|interleave:\\S+)( (file=\\S+|heap|stack|huge|(anon|dirty|mapped|"
            + "mapmax|swapcache|active|writeback|N\\d+|kernelpagesize_kB)=\\d+))*");

    private static boolean wholeNumaMaps(String text) {
        return text.isEmpty() || text.endsWith("\n")
                && text.lines().allMatch(l -> NUMA_MAPS_LINE.matcher(l).matches());
    }

    private static List<String> readableFiles(MountedMachine m) throws Exception {
        List<String> files = new ArrayList<>();
        Path dir = m.dir();
        try (Stream<Path> top = Files.list(dir)) {
            top.filter(p -> Files.isRegularFile(p)).forEach(p -> files.add(dir.relativize(p).toString()));
        }
        try (Stream<Path> sys = Files.walk(dir.resolve("sys"))) {
            sys.filter(Files::isRegularFile).forEach(p -> files.add(dir.relativize(p).toString()));
        }
        List<String> pids = new ArrayList<>();
        try (Stream<Path> top = Files.list(dir)) {
            top.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+")).forEach(pids::add);
        }
        pids.sort(java.util.Comparator.comparingInt(Integer::parseInt));
        for (String pid : List.of(pids.get(0), pids.get(pids.size() - 1))) {
            for (String sub : List.of(pid, pid + "/task/" + pid)) {
                try (Stream<Path> files1 = Files.list(dir.resolve(sub))) {
                    files1.filter(Files::isRegularFile).forEach(p -> files.add(dir.relativize(p).toString()));
                }
            }
        }
        List<String> readable = new ArrayList<>();
        for (String f : files) {
            if (Files.getPosixFilePermissions(dir.resolve(f)).contains(
                    java.nio.file.attribute.PosixFilePermission.OWNER_READ)) {
                readable.add(f);
            }
        }
        return readable;
    }

    @Test
    void thirtyTwoReadersOfEveryFileGetWholeRenderingsWithoutErrors() throws Exception {
        try (MountedMachine m = MountedMachine.startSimulating("--seed", "8", "--speed", "500")) {
            List<String> files = readableFiles(m);
            assertTrue(files.size() > 40, files.toString());
            Map<String, String> texts = new LinkedHashMap<>();
            for (String f : files) {
                texts.put(f, m.read(f));
            }
            ReadOracle oracle = new ReadOracle(texts.get("meminfo"), texts.get("zoneinfo"), texts.get("vmstat"),
                    texts.get("stat"));
            List<String> problems = Collections.synchronizedList(new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(READERS + 1);
            CountDownLatch go = new CountDownLatch(1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            AtomicInteger next = new AtomicInteger();
            int[] reads = new int[READERS];
            try {
                List<Future<?>> jobs = new ArrayList<>();
                for (int r = 0; r < READERS; r++) {
                    int reader = r;
                    jobs.add(pool.submit(() -> {
                        ReadOracle.Reader judge = oracle.reader();
                        go.await();
                        for (int i = next.getAndIncrement(); reads[reader] == 0 || System.nanoTime() < deadline
                                || i < files.size(); i = next.getAndIncrement()) {
                            String f = files.get(i % files.size());
                            int bs = BLOCK_SIZES[(i / files.size() + i % files.size()) % BLOCK_SIZES.length];
                            String whole = texts.get(f);
                            if (bs == 1 && whole.length() > 8192) {
                                bs = 64;
                            }
                            Exec.Result res = Exec.run(List.of("dd", "if=" + m.dir().resolve(f), "bs=" + bs,
                                    "status=none"), 60);
                            reads[reader]++;
                            if (res.exit() != 0) {
                                problems.add("dd bs=" + bs + " " + f + ": exit " + res.exit() + " " + res.err());
                            } else if (ReadOracle.judges(f)) {
                                try {
                                    judge.check(f, res.out());
                                } catch (AssertionError e) {
                                    problems.add("dd bs=" + bs + " " + e.getMessage());
                                }
                            } else if (f.endsWith("/numa_maps")) {
                                if (!wholeNumaMaps(res.out())) {
                                    problems.add("dd bs=" + bs + " " + f + " has a line that is not a numa_maps line:\n"
                                            + res.out());
                                } else {
                                    oracle.countRead(f);
                                }
                            } else if (!ReadOracle.shape(res.out()).equals(ReadOracle.shape(
                                    f.startsWith("sys/") ? whole.substring(0, Math.min(bs, whole.length())) : whole))) {
                                problems.add("dd bs=" + bs + " " + f + " is not one whole rendering:\n" + res.out());
                            } else {
                                oracle.countRead(f);
                            }
                        }
                        return null;
                    }));
                }
                jobs.add(pool.submit(() -> {
                    go.await();
                    Path knob = m.dir().resolve("sys/vm/min_free_kbytes");
                    for (int i = 0; System.nanoTime() < deadline; i++) {
                        Files.writeString(knob, (i % 2 == 0 ? 90112 : 67584) + "\n");
                        Thread.sleep(20);
                    }
                    Files.writeString(knob, texts.get("sys/vm/min_free_kbytes"));
                    return null;
                }));
                go.countDown();
                for (Future<?> j : jobs) {
                    j.get();
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(List.of(), problems.subList(0, Math.min(10, problems.size())));
            for (int r = 0; r < READERS; r++) {
                assertTrue(reads[r] > 0, "reader " + r + " got to read");
            }
            oracle.assertEachRead(files);
            assertTrue(m.daemon().isAlive());
            assertFalse(m.log().contains("failed:"), m.log());
        }
    }
}
