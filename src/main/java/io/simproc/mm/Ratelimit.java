package io.simproc.mm;

/**
 * struct ratelimit_state (lib/ratelimit.c): at most {@code burst} events per {@code interval} jiffies; when a new
 * interval starts after events were dropped, the caller is told how many, to log "callbacks suppressed".
 */
public final class Ratelimit {
    /** DEFAULT_RATELIMIT_INTERVAL (5 s) and DEFAULT_RATELIMIT_BURST. */
    public static final long DEFAULT_INTERVAL_SECONDS = 5;
    public static final int DEFAULT_BURST = 10;

    private final long intervalJiffies;
    private final int burst;
    private long begin = Long.MIN_VALUE;
    private int printed;
    private int missed;

    public Ratelimit(long intervalJiffies, int burst) {
        this.intervalJiffies = intervalJiffies;
        this.burst = burst;
    }

    /**
     * __ratelimit(): whether this event may be logged now. {@code suppressed[0]} receives the number of events
     * dropped in the interval that just ended (0 if none).
     */
    public boolean allow(long now, int[] suppressed) {
        suppressed[0] = 0;
        if (begin == Long.MIN_VALUE || now - begin >= intervalJiffies) {
            suppressed[0] = missed;
            begin = now;
            printed = 0;
            missed = 0;
        }
        if (printed < burst) {
            printed++;
            return true;
        }
        missed++;
        return false;
    }
}
