package io.simproc.scenario;

/**
 * One entry of a scenario's timeline: a step and when it runs, in milliseconds of scenario time. It runs at
 * {@code atMillis}, then, with a period, every {@code everyMillis} until it has run {@code repeat} times or
 * {@code forMillis} have passed since the first run (whichever comes first; neither: for as long as the machine
 * runs).
 *
 * @param where       file:line:col of the entry, for reports
 * @param key         the step's kind
 * @param atMillis    first run
 * @param everyMillis period, 0 for a single run
 * @param repeat      how many runs in all, 0 for no limit
 * @param forMillis   how long it keeps repeating after the first run, 0 for no limit
 * @param step        what it does
 * @param fails       the errno the step is expected to fail with ({@code fails: ENOMEM}), 0 when it should succeed
 */
public record TimelineEntry(String where, String key, long atMillis, long everyMillis, long repeat, long forMillis,
                            Step step, int fails) {
    /** Whether the entry stops by itself. */
    public boolean bounded() {
        return everyMillis == 0 || repeat > 0 || forMillis > 0;
    }

    /** The time of its last run, or Long.MAX_VALUE when it repeats for as long as the machine runs. */
    public long lastRunMillis() {
        if (everyMillis == 0) {
            return atMillis;
        }
        long last = Long.MAX_VALUE;
        if (repeat > 0) {
            last = atMillis + (repeat - 1) * everyMillis;
        }
        if (forMillis > 0) {
            last = Math.min(last, atMillis + (forMillis - 1) / everyMillis * everyMillis);
        }
        return last;
    }

    /** Whether a run at {@code runs} (0-based count) and time {@code millis} is still part of the entry. */
    boolean runsAgain(long runs, long millis) {
        if (everyMillis == 0) {
            return false;
        }
        return (repeat == 0 || runs < repeat) && (forMillis == 0 || millis < atMillis + forMillis);
    }
}
