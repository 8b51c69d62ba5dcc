package io.simproc.fuse;

import io.simproc.kernel.Clock;
import io.simproc.kernel.Task;
import io.simproc.proc.PidFixture;
import io.simproc.proc.ReadOracle;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;
import ru.serce.jnrfuse.struct.FuseFileInfo;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The FUSE binding under load, driven without a mount: 32 reader threads open, read to end of file with 1-byte,
 * 64-byte and 128 KiB buffers, and release the global files and the files of processes that come and go, while
 * the simulation advances and a churn thread forks, execs and kills processes. Every callback answers with data
 * or with the errno of a process that is gone (ENOENT at open, nothing else); no read is torn: meminfo, zoneinfo,
 * vmstat and stat are judged by what their numbers must mean within one read-through of a handle and against the
 * reader's previous one ({@link ReadOracle}), the other global files by the line shape of a whole rendering (of a
 * /proc/sys file, its first read's worth); between its rounds, when nothing else moves the machine, the churn thread
 * reads zoneinfo and buddyinfo through the binding and each zone's free pages are its buddyinfo row. Every global
 * file and every per-process file is read successfully at least once; an open of a pid that was just killed is
 * ENOENT, and a handle opened before the kill still reads its snapshot. Bounded by a fixed number of churn rounds.
 */
class ProcFuseConcurrencyTest {
    private static final Runtime RT = Runtime.getSystemRuntime();
    private static final int READERS = 32;
    private static final int CHURN_ROUNDS = 150;
    private static final int[] BUFFERS = {1, 64, 128 * 1024};
    private static final List<String> GLOBAL = List.of("/meminfo", "/buddyinfo", "/zoneinfo", "/vmstat", "/stat",
            "/pagetypeinfo", "/loadavg", "/uptime", "/sys/vm/min_free_kbytes", "/sys/vm/lowmem_reserve_ratio");
    private static final List<String> PER_PID = List.of("status", "stat", "statm", "maps", "smaps_rollup",
            "cmdline", "comm", "oom_score", "oom_score_adj", "task");

    private static FuseFileInfo fileInfo() {
        FuseFileInfo fi = FuseFileInfo.of(Memory.allocateDirect(RT, 64));
        fi.flags.set(0);
        return fi;
    }

    /** Read an open handle from offset 0 to end of file with reads of {@code size}; null if a read failed. */
    private static String readThrough(ProcFuse fuse, String path, FuseFileInfo fi, int size, List<String> problems) {
        Pointer buf = Memory.allocateDirect(RT, size);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long off = 0;
        while (true) {
            int n = fuse.read(path, buf, size, off, fi);
            if (n < 0) {
                problems.add("read " + path + " at " + off + " with a " + size + "-byte buffer: " + Errno.describe(-n));
                return null;
            }
            if (n == 0) {
                return out.toString(StandardCharsets.UTF_8);
            }
            byte[] b = new byte[n];
            buf.get(0, b, 0, n);
            out.write(b, 0, n);
            off += n;
        }
    }

    /**
     * The shape a read-through of a global file must have: that of a whole rendering, except that a /proc/sys
     * file, as on Linux, ends at the first read (a read at a non-zero offset is end of file).
     */
    static String expectedShape(String path, String whole, int size) {
        return ReadOracle.shape(path.startsWith("/sys/") ? whole.substring(0, Math.min(size, whole.length())) : whole);
    }

    /** Open, read through with {@code size}-byte reads and release; null (and a problem) if a callback failed. */
    private static String readWhole(ProcFuse fuse, String path, int size, List<String> problems) {
        FuseFileInfo fi = fileInfo();
        int rc = fuse.open(path, fi);
        if (rc != 0) {
            problems.add("open " + path + ": " + Errno.describe(-rc));
            return null;
        }
        String text = readThrough(fuse, path, fi, size, problems);
        fuse.release(path, fi);
        return text;
    }

    @Test
    void readersOfComingAndGoingProcessesNeverSeeEioOrTornFiles() throws Exception {
        PidFixture f = new PidFixture();
        List<String> errors = new CopyOnWriteArrayList<>();
        ProcFuse fuse = new ProcFuse(f.fs, errors::add, () -> Credentials.ROOT, pid -> 0);
        List<String> globalTexts = new ArrayList<>();
        for (String g : GLOBAL) {
            globalTexts.add(f.read(g));
        }
        ReadOracle oracle = new ReadOracle(f.read("/meminfo"), f.read("/zoneinfo"), f.read("/vmstat"),
                f.read("/stat"));
        List<Integer> pids = Collections.synchronizedList(new ArrayList<>());
        Deque<Task> alive = new ArrayDeque<>();
        for (int i = 0; i < 8; i++) {
            Task t = f.spawn(List.of("bash", "-c", "sleep " + i));
            alive.add(t);
            pids.add(t.pid());
        }
        List<String> problems = new CopyOnWriteArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(READERS);
        List<Future<?>> jobs = new ArrayList<>();
        for (int r = 0; r < READERS; r++) {
            int reader = r;
            jobs.add(pool.submit(() -> {
                ReadOracle.Reader judge = oracle.reader();
                go.await();
                for (int i = reader; !done.get(); i++) {
                    int size = BUFFERS[i % BUFFERS.length];
                    boolean global = i % 3 == 0;
                    String path;
                    String counted;
                    if (global) {
                        path = GLOBAL.get(i % GLOBAL.size());
                        counted = path;
                    } else {
                        Integer pid;
                        synchronized (pids) {
                            pid = pids.get(i % pids.size());
                        }
                        String file = PER_PID.get(i % PER_PID.size());
                        counted = "PID/" + file;
                        path = "/" + pid + "/" + (file.equals("task") ? "task/" + pid + "/status" : file);
                    }
                    FuseFileInfo fi = fileInfo();
                    int rc = fuse.open(path, fi);
                    if (rc == -Errno.ENOENT && !global) {
                        continue;
                    }
                    if (rc != 0) {
                        problems.add("open " + path + ": " + Errno.describe(-rc));
                        continue;
                    }
                    String text = readThrough(fuse, path, fi, size, problems);
                    fuse.release(path, fi);
                    if (text == null) {
                        continue;
                    }
                    if (ReadOracle.judges(path)) {
                        try {
                            judge.check(path, text);
                        } catch (AssertionError e) {
                            problems.add("read with a " + size + "-byte buffer: " + e.getMessage());
                        }
                    } else if (global && !ReadOracle.shape(text).equals(expectedShape(path,
                            globalTexts.get(GLOBAL.indexOf(path)), size))) {
                        problems.add(path + " read with a " + size + "-byte buffer is torn:\n" + text);
                    } else if (!global && !text.isEmpty() && !text.endsWith("\n") && !path.endsWith("cmdline")) {
                        problems.add(path + " read with a " + size + "-byte buffer is cut short:\n" + text);
                    } else {
                        oracle.countRead(counted);
                    }
                }
                return null;
            }));
        }
        go.countDown();
        try {
            for (int round = 0; round < CHURN_ROUNDS; round++) {
                Task victim = alive.pollFirst();
                String status = "/" + victim.pid() + "/status";
                FuseFileInfo held = fileInfo();
                assertEquals(0, fuse.open(status, held), status);
                String snapshot = f.read(status);
                f.kernel.mutate(() -> {
                    f.kernel.processes().kill(victim, 9);
                    return null;
                });
                assertEquals(-Errno.ENOENT, fuse.open(status, fileInfo()), "open of a pid that just died");
                assertEquals(snapshot, readThrough(fuse, status, held, 64, problems),
                        "an open handle of a dead task reads its snapshot");
                fuse.release(status, held);
                Task born = f.spawn(List.of("bash", "-c", "round " + round));
                alive.addLast(born);
                synchronized (pids) {
                    pids.set(pids.indexOf(victim.pid()), born.pid());
                }
                f.kernel.advance(Clock.HZ / 10);
                String zoneinfo = readWhole(fuse, "/zoneinfo", 64, problems);
                String buddyinfo = readWhole(fuse, "/buddyinfo", 64, problems);
                if (zoneinfo != null && buddyinfo != null) {
                    ReadOracle.assertZoneFreeMatchesBuddyinfo(zoneinfo, buddyinfo);
                }
            }
        } finally {
            done.set(true);
            for (Future<?> j : jobs) {
                j.get();
            }
            pool.shutdownNow();
        }
        assertEquals(List.of(), problems.subList(0, Math.min(10, problems.size())));
        assertEquals(List.of(), errors, "no callback failed unexpectedly");
        assertTrue(fuse.openHandles() == 0, "every handle released");
        oracle.assertEachRead(GLOBAL);
        oracle.assertEachRead(PER_PID.stream().map(p -> "PID/" + p).toList());
    }
}
