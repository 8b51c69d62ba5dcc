package io.simproc.control;

import java.util.List;

/** {@code kill PID [SIGNAL]}: the short form of a kill step (SIGKILL unless a signal is named). */
final class KillRequest implements ControlRequest {
    @Override
    public String name() {
        return "kill";
    }

    @Override
    public String usage() {
        return "PID [SIGNAL]";
    }

    @Override
    public void handle(Daemon d, List<String> args, Reply reply) {
        ControlRequests.arity(this, args, 1, 2);
        String signal = args.size() > 1 ? args.get(1) : "KILL";
        ScenarioText.runStep(d, "kill", "kill: {pid: " + ScenarioText.q(args.get(0)) + ", signal: "
                + ScenarioText.q(signal) + "}");
        reply.out("killed " + args.get(0));
    }
}
