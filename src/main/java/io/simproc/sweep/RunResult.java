package io.simproc.sweep;

import io.simproc.record.Recording;
import io.simproc.scenario.Outcome;

import java.util.List;

/**
 * How one run of a sweep went: its recording and the scenario's reports, or the error that stopped it (a knob that
 * refused the run's value, for instance), in which case the recording is null.
 */
public record RunResult(SweepPlan.Point point, Recording recording, List<Outcome> outcomes, String error) {
    public RunResult {
        outcomes = List.copyOf(outcomes);
    }

    public static RunResult failed(SweepPlan.Point point, String error) {
        return new RunResult(point, null, List.of(), error);
    }
}
