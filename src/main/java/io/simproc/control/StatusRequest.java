package io.simproc.control;

import io.simproc.config.Sizes;
import io.simproc.kernel.Task;
import io.simproc.scenario.Outcome;
import io.simproc.scenario.ScenarioRun;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code status}: the machine, simulated time and speed, task count, the scenarios applied and the workloads
 * running, and the latest expectations.
 */
final class StatusRequest implements ControlRequest {
    /** Expectations shown. */
    static final int LAST = 10;

    @Override
    public String name() {
        return "status";
    }

    @Override
    public String usage() {
        return "";
    }

    @Override
    public void handle(Daemon d, List<String> args, Reply reply) {
        ControlRequests.arity(this, args, 0, 0);
        double speed = d.simulation().speed();
        boolean paused = d.simulation().paused();
        List<String> lines = d.kernel().read(k -> {
            List<String> out = new ArrayList<>();
            int processes = 0;
            for (Task t : k.tasks().all()) {
                if (t.isLeader()) {
                    processes++;
                }
            }
            out.add(String.format(Locale.ROOT, "machine:      %s (%s RAM, %d CPUs)", k.profile().name(),
                    Sizes.human(k.profile().ramBytes()), k.profile().nrCpus()));
            out.add(String.format(Locale.ROOT, "time:         %.2f s since boot, speed %sx, %s",
                    k.clock().nanos() / 1e9, trim(speed), paused ? "paused" : "running"));
            out.add(String.format(Locale.ROOT, "tasks:        %d (%d processes)", k.tasks().size(), processes));
            List<String> names = new ArrayList<>();
            for (ScenarioRun r : d.scenarios().runs()) {
                names.add(String.format(Locale.ROOT, "%s (applied at %.2f s)", r.scenario().name(),
                        r.startJiffies() / (double) io.simproc.kernel.Clock.HZ));
            }
            out.add("scenarios:    " + (names.isEmpty() ? "none" : String.join(", ", names)));
            List<String> w = d.scenarios().workloads();
            out.add("workloads:    " + (w.isEmpty() ? "none" : w.get(0)));
            for (int i = 1; i < w.size(); i++) {
                out.add("              " + w.get(i));
            }
            out.add("expectations: " + d.scenarios().passed() + " passed, " + d.scenarios().failed() + " failed"
                    + " (failed steps included)");
            List<Outcome> o = d.scenarios().outcomes();
            for (Outcome x : o.subList(Math.max(0, o.size() - LAST), o.size())) {
                out.add("  " + x.line());
            }
            return out;
        });
        for (String l : lines) {
            reply.out(l);
        }
    }

    static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
