package io.simproc.control;

import io.simproc.config.ConfigException;
import io.simproc.config.Durations;
import io.simproc.scenario.Outcome;
import io.simproc.scenario.Scenario;
import io.simproc.scenario.ScenarioRun;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code apply FILE}: parse a scenario (an absolute path; the daemon runs as the same user and reads it) and
 * schedule its timeline starting now. A mistake in it fails the request with file:line:col and nothing runs.
 */
final class ApplyRequest implements ControlRequest {
    @Override
    public String name() {
        return "apply";
    }

    @Override
    public String usage() {
        return "FILE";
    }

    @Override
    public void handle(Daemon d, List<String> args, Reply reply) {
        ControlRequests.arity(this, args, 1, 1);
        ScenarioSource source;
        Scenario s;
        try {
            source = ScenarioSource.read(Path.of(args.get(0)));
            s = source.parse(d.parser());
        } catch (ConfigException e) {
            throw new ControlException(ControlException.FAILED, e.getMessage());
        }
        if (s.machine() != null) {
            reply.err("warning: " + s.file() + " names a machine; the mounted machine keeps running as it is");
        }
        ScenarioRun run = d.runScenario(source, s, false);
        for (Outcome o : run.outcomes()) {
            reply.out(o.line());
        }
        reply.out(String.format("applied %s: %d steps over %s of simulated time, from %.2f s since boot", s.name(),
                s.entries().size(), Durations.format(s.endMillis()),
                run.startJiffies() / (double) io.simproc.kernel.Clock.HZ));
    }
}
