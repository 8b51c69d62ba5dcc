package io.simproc.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress display on a terminal: simulated time reached out of the target, and the speed (simulated
 * seconds per wall second), redrawn in place at most ten times a second and erased when done.
 */
final class ProgressLine {
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream err;
    private final boolean enabled;
    private final long startNanos = System.nanoTime();
    private final long delayNanos;
    private long lastDraw;
    private boolean drawn;

    ProgressLine(PrintStream err, boolean enabled) {
        this(err, enabled, 0);
    }

    /** A display that appears only once the work has taken {@code delayNanos}. */
    ProgressLine(PrintStream err, boolean enabled, long delayNanos) {
        this.err = err;
        this.enabled = enabled;
        this.delayNanos = delayNanos;
    }

    /** Whether stderr is a terminal (the default for --progress). */
    static boolean terminal() {
        return System.console() != null;
    }

    /** Show that {@code doneSeconds} of {@code totalSeconds} simulated seconds have run. */
    void update(double doneSeconds, double totalSeconds, String label) {
        long now = System.nanoTime();
        if (!enabled || now - lastDraw < REDRAW_NANOS || now - startNanos < delayNanos) {
            return;
        }
        lastDraw = now;
        double wall = (now - startNanos) / 1e9;
        double speed = wall > 0 ? doneSeconds / wall : 0;
        int width = 30;
        int filled = totalSeconds <= 0 ? width : (int) Math.min(width, Math.round(width * doneSeconds / totalSeconds));
        err.print(String.format(Locale.ROOT, "\r%s [%s%s] %.1f/%.1f s simulated, %.1fx ", label,
                "#".repeat(filled), ".".repeat(width - filled), doneSeconds, totalSeconds, speed));
        err.flush();
        drawn = true;
    }

    /** Erase the line. */
    void done() {
        if (drawn) {
            err.print("\r" + " ".repeat(100) + "\r");
            err.flush();
        }
    }
}
