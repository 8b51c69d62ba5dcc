package io.simproc.cli;

import io.simproc.control.Checkpoint;
import io.simproc.control.Daemon;
import io.simproc.kernel.Clock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * {@code mount --checkpoint-every}: a thread that saves a checkpoint each time the simulated clock passes another
 * period, as {@code checkpoint-<uptime>s.simproc} in its directory, and deletes all but the latest few it wrote.
 */
final class PeriodicCheckpoints {
    private static final long POLL_MILLIS = 200;

    private final long everyJiffies;
    private final Path dir;
    private final int keep;
    private final Console console;
    private final Deque<Path> written = new ArrayDeque<>();
    private volatile boolean running;
    private Thread thread;

    PeriodicCheckpoints(long everyMillis, Path dir, int keep, Console console) {
        if (keep < 1) {
            throw new UserError("--checkpoint-keep must be at least 1, got " + keep);
        }
        this.everyJiffies = Math.max(1, everyMillis * Clock.HZ / 1000);
        this.dir = dir;
        this.keep = keep;
        this.console = console;
    }

    void start(Daemon daemon) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserError("cannot create the checkpoint directory " + dir + ": " + e.getMessage());
        }
        running = true;
        long first = daemon.kernel().read(k -> k.jiffies()) / everyJiffies * everyJiffies + everyJiffies;
        thread = new Thread(() -> loop(daemon, first), "simproc-checkpoints");
        thread.setDaemon(true);
        thread.start();
        console.progress("checkpoints every " + everyJiffies / Clock.HZ + " s of simulated time into " + dir
                + " (the latest " + keep + " kept)");
    }

    void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop(Daemon daemon, long first) {
        long next = first;
        while (running) {
            long now = daemon.kernel().read(k -> k.jiffies());
            if (now >= next) {
                save(daemon);
                next = (now / everyJiffies + 1) * everyJiffies;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void save(Daemon daemon) {
        Checkpoint c = Checkpoint.capture(daemon);
        Path file = dir.resolve(String.format("checkpoint-%ds.simproc", c.jiffies() / Clock.HZ));
        try {
            c.save(file);
            written.addLast(file);
            while (written.size() > keep) {
                Files.deleteIfExists(written.removeFirst());
            }
        } catch (IOException e) {
            console.error("cannot write checkpoint " + file + ": " + e.getMessage());
        }
    }
}
