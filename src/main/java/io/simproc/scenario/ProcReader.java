package io.simproc.scenario;

/**
 * The machine's /proc and /sys files at one instant, as root reads them, for {@link SeriesExpr#read}: each file
 * is rendered once, however many expressions read it. Use one per instant, under the machine's read lock (or as
 * its writer); rendering never changes the machine.
 */
public final class ProcReader {
    private final ProcValues values;

    public ProcReader(ScenarioRun run) {
        this.values = new ProcValues(run);
    }

    ProcValues values() {
        return values;
    }
}
