package io.simproc.kernel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The simulation thread's pacing against a test wall clock: pause stops the machine where it is. */
class SimulationTest {
    private final AtomicLong wall = new AtomicLong();
    private Kernel kernel;
    private Simulation sim;

    @BeforeEach
    void start() {
        kernel = Kernel.boot(MachineProfileLoader.parse("t", "memory: 1G\n"), 1);
        sim = new Simulation(kernel, wall::get, 1);
        sim.start();
    }

    @AfterEach
    void stop() {
        sim.stop();
    }

    private long jiffies() {
        return kernel.read(k -> k.clock().jiffies());
    }

    private void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(5);
        }
    }

    /**
     * The wall clock jumps an hour ahead, so the thread runs far behind it; a pause while it catches up stops the
     * machine at once (not at the hour), says so only the first time, and resume goes on from there.
     */
    @Test
    void pauseStopsAMachineBehindTheWallClockWhereItIs() throws Exception {
        long start = jiffies();
        long hour = 3600L * Clock.HZ;
        wall.set(TimeUnit.SECONDS.toNanos(3600));
        waitFor(() -> jiffies() > start + Clock.HZ, "the machine catches up");
        assertTrue(sim.pause());
        long stopped = jiffies();
        assertTrue(stopped < start + hour, "paused before it caught up: " + (stopped - start));
        Thread.sleep(200);
        assertEquals(stopped, jiffies(), "a paused machine stands still");
        assertFalse(sim.pause(), "already paused");
        assertTrue(sim.paused());

        sim.resume();
        Thread.sleep(100);
        assertEquals(stopped, jiffies(), "resumed where it stopped, the wall clock has not moved since");
        wall.addAndGet(TimeUnit.SECONDS.toNanos(1));
        waitFor(() -> jiffies() >= stopped + Clock.HZ, "one second later");
        Thread.sleep(100);
        assertEquals(stopped + Clock.HZ, jiffies(), "and no further");
    }
}
