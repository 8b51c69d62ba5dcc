package io.simproc.kernel;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The simulation thread of a mounted machine: it advances simulated time to follow wall time × speed, in short
 * locked steps ({@link Kernel#advanceTo}), and sleeps between ticks. The wall clock is injected (the daemon passes
 * System::nanoTime) so that the simulation itself never reads real time. Pausing freezes the machine where it is:
 * when {@link #pause()} returns, the step in flight has ended and no other starts, even if the thread was behind
 * the wall clock; changing the speed re-anchors so that simulated time never jumps.
 */
public final class Simulation {
    /** Never sleep longer than this between checks, so pause/resume/stop react quickly. */
    static final long MAX_SLEEP_NANOS = 20_000_000L;
    static final long MIN_SLEEP_NANOS = 1_000_000L;

    private final Kernel kernel;
    private final LongSupplier wallNanos;
    private volatile boolean running;
    private volatile Thread thread;
    private long anchorWall;
    private long anchorJiffies;
    private double speed;
    private boolean paused;
    /** Commands running simulated time ahead right now ({@link #advanceNow}); the pacing waits for them. */
    private int skipping;
    /** The simulation thread is running a step ({@link #loop}); {@link #pause()} waits for it to end. */
    private boolean stepping;
    /** The jiffy the pacing stops at for a live recording ({@link #followTo}); Long.MAX_VALUE when none. */
    private long holdAt = Long.MAX_VALUE;
    /** Whether a live recording holds the pacing ({@link #claimHold}). */
    private boolean held;

    public Simulation(Kernel kernel, LongSupplier wallNanos, double speed) {
        if (!(speed > 0)) {
            throw new IllegalArgumentException("speed must be positive, got " + speed);
        }
        this.kernel = kernel;
        this.wallNanos = wallNanos;
        this.speed = speed;
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        anchorWall = wallNanos.getAsLong();
        anchorJiffies = kernel.read(k -> k.clock().jiffies());
        thread = new Thread(this::loop, "simproc-simulation");
        thread.setDaemon(true);
        thread.start();
    }

    public void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Simulated seconds per wall second. */
    public synchronized double speed() {
        return speed;
    }

    public synchronized void setSpeed(double newSpeed) {
        if (!(newSpeed > 0)) {
            throw new IllegalArgumentException("speed must be positive, got " + newSpeed);
        }
        reanchor();
        speed = newSpeed;
    }

    public synchronized boolean paused() {
        return paused;
    }

    /**
     * Stop the machine where it is now, waiting for the simulation thread's step in flight (at most
     * {@link Kernel#MAX_STEP_JIFFIES}) to end; returns false if it was paused already.
     */
    public synchronized boolean pause() {
        if (paused) {
            return false;
        }
        paused = true;
        while (stepping) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        anchorJiffies = kernel.read(k -> k.clock().jiffies());
        anchorWall = wallNanos.getAsLong();
        return true;
    }

    public synchronized void resume() {
        reanchor();
        paused = false;
    }

    /**
     * Run {@code jiffies} of simulated time as fast as possible (from the calling thread, in the kernel's short
     * locked steps), telling {@code progress} how many have run; then pace on from the new time, paused or not as
     * before. Returns the jiffies actually run.
     */
    public long advanceNow(long jiffies, LongConsumer progress) {
        synchronized (this) {
            skipping++;
        }
        long start = kernel.read(k -> k.clock().jiffies());
        try {
            long target = start + jiffies;
            while (true) {
                long now = kernel.read(k -> k.clock().jiffies());
                progress.accept(now - start);
                if (now >= target) {
                    return now - start;
                }
                kernel.advanceTo(Math.min(target, now + Clock.HZ));
            }
        } finally {
            long now = kernel.read(k -> k.clock().jiffies());
            synchronized (this) {
                skipping--;
                anchorJiffies = now;
                anchorWall = wallNanos.getAsLong();
            }
        }
    }

    /**
     * Reserve the pacing's hold for one live recording ({@link #followTo}) and stop the pacing where it is now (after
     * the step in flight); false when another recording holds it already.
     */
    public synchronized boolean claimHold() {
        if (held) {
            return false;
        }
        held = true;
        holdAt = kernel.read(k -> k.clock().jiffies());
        return true;
    }

    /** End the hold: the pacing follows the wall clock again, catching up with the time the hold kept back. */
    public synchronized void releaseHold() {
        held = false;
        holdAt = Long.MAX_VALUE;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Let the paced machine run on to {@code jiffy} and stop there until the next call (or {@link #releaseHold}),
     * so that a live recording reads it at that very instant; the pacing's anchor is unchanged, so held time is made
     * up afterwards and simulated time keeps following the wall clock. Returns true once the clock is at
     * {@code jiffy} or past it (a command ran time ahead); false when it cannot get there now: the machine is
     * paused, has panicked, or the simulation has stopped. Needs {@link #claimHold}.
     */
    public boolean followTo(long jiffy) throws InterruptedException {
        synchronized (this) {
            if (!held) {
                throw new IllegalStateException("followTo without claimHold");
            }
            holdAt = jiffy;
        }
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
        synchronized (this) {
            while (kernel.read(k -> k.clock().jiffies()) < jiffy) {
                if (!running || paused || kernel.panicked()) {
                    return false;
                }
                wait(MAX_SLEEP_NANOS / 1_000_000);
            }
            return true;
        }
    }

    private void reanchor() {
        anchorJiffies = target(wallNanos.getAsLong());
        anchorWall = wallNanos.getAsLong();
    }

    private synchronized long target(long now) {
        if (paused || skipping > 0) {
            return anchorJiffies;
        }
        return anchorJiffies + (long) ((now - anchorWall) * speed * Clock.HZ / 1e9);
    }

    /**
     * Follow the wall clock one step ({@link Kernel#MAX_STEP_JIFFIES}) at a time, deciding before each whether to
     * run it, so that a pause takes effect at the next step even when the thread is behind.
     */
    private void loop() {
        while (running) {
            long now = kernel.read(k -> k.clock().jiffies());
            long goal;
            synchronized (this) {
                goal = paused || kernel.panicked() ? now : Math.min(holdAt, target(wallNanos.getAsLong()));
                stepping = goal > now;
            }
            if (goal > now) {
                try {
                    kernel.advanceTo(Math.min(goal, now + Kernel.MAX_STEP_JIFFIES));
                } finally {
                    synchronized (this) {
                        stepping = false;
                        notifyAll();
                    }
                }
                continue;
            }
            long perJiffy;
            synchronized (this) {
                perJiffy = paused ? MAX_SLEEP_NANOS : (long) (Clock.NSEC_PER_JIFFY / speed);
            }
            LockSupport.parkNanos(Math.max(MIN_SLEEP_NANOS, Math.min(MAX_SLEEP_NANOS, perJiffy)));
        }
    }
}
