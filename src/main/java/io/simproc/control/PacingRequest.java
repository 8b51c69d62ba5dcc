package io.simproc.control;

import java.util.List;

/**
 * {@code pause}, {@code resume} and {@code speed X}: how simulated time follows the wall clock. {@code pause} answers
 * once the machine has stopped, "paused", or "already paused" when it was, so that a script that pauses the machine
 * for a while knows whether to resume it afterwards.
 */
final class PacingRequest implements ControlRequest {
    static final double MAX_SPEED = 1_000_000;

    private final String name;

    PacingRequest(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String usage() {
        return name.equals("speed") ? "X" : "";
    }

    @Override
    public void handle(Daemon d, List<String> args, Reply reply) {
        switch (name) {
            case "pause" -> {
                ControlRequests.arity(this, args, 0, 0);
                reply.out(d.simulation().pause() ? "paused" : "already paused");
            }
            case "resume" -> {
                ControlRequests.arity(this, args, 0, 0);
                d.simulation().resume();
                reply.out("running at " + StatusRequest.trim(d.simulation().speed()) + "x");
            }
            default -> {
                ControlRequests.arity(this, args, 1, 1);
                double x;
                try {
                    x = Double.parseDouble(args.get(0));
                } catch (NumberFormatException e) {
                    throw ControlException.usage("speed: '" + args.get(0) + "' is not a number");
                }
                if (!(x > 0) || x > MAX_SPEED) {
                    throw ControlException.usage("speed: must be between 0 (exclusive) and 1000000, got " + args.get(0));
                }
                d.simulation().setSpeed(x);
                reply.out("speed " + StatusRequest.trim(x) + "x" + (d.simulation().paused() ? " (paused)" : ""));
            }
        }
    }
}
