package io.simproc.control;

import io.simproc.config.ConfigException;
import io.simproc.kernel.Task;
import io.simproc.scenario.Outcome;
import io.simproc.scenario.Scenario;
import io.simproc.scenario.ScenarioRun;

/**
 * The short forms of scenario steps ({@code ctl spawn}, {@code ctl kill}) are one-step scenarios run at once, so
 * that they check and do exactly what the step does.
 */
final class ScenarioText {
    private ScenarioText() {
    }

    /** A YAML double-quoted string. */
    static String q(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Parse {@code step} (a flow mapping after "- "), run it now; returns the run, or fails the request. */
    static ScenarioRun runStep(Daemon d, String request, String step) {
        ScenarioRun run = runSteps(d, request, step);
        String failure = failure(run);
        if (failure != null) {
            throw new ControlException(ControlException.FAILED, request + ": " + failure);
        }
        return run;
    }

    /** Parse the steps (each a flow mapping after "- ") as one scenario and run them now, failed or not. */
    static ScenarioRun runSteps(Daemon d, String request, String... steps) {
        StringBuilder text = new StringBuilder("timeline:\n");
        for (String step : steps) {
            text.append("  - ").append(step).append('\n');
        }
        ScenarioSource source = new ScenarioSource("ctl " + request, text.toString(), null);
        Scenario s;
        try {
            s = source.parse(d.parser());
        } catch (ConfigException e) {
            throw ControlException.usage(request + ": " + e.problem());
        }
        return d.runScenario(source, s, false);
    }

    /** What the first failed step of a run said, or null when every step did its job. */
    static String failure(ScenarioRun run) {
        for (Outcome o : run.outcomes()) {
            if (!o.ok()) {
                return o.detail();
            }
        }
        return null;
    }

    /** The pid of the process a run named. */
    static int pid(ScenarioRun run, String label) {
        Task t = run.lastProcess(label);
        return t == null ? -1 : t.pid();
    }
}
