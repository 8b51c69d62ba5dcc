package io.simproc.control;

import io.simproc.scenario.ScenarioRun;
import io.simproc.workload.ProgramCatalog;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code spawn NAME [--program P] [--rss SIZE] [--file PATH:SIZE]...}: the short form of a spawn step. The program is
 * NAME when the catalog has it; {@code --rss} makes it allocate and write SIZE through malloc, one call as a program
 * asking for its working set does — when malloc returns NULL (the kernel refused the mapping: overcommit, no
 * memory) the program exits with status 1 and the request fails with the reason; each {@code --file} maps a file of
 * that size and reads all of it.
 */
final class SpawnRequest implements ControlRequest {
    @Override
    public String name() {
        return "spawn";
    }

    @Override
    public String usage() {
        return "NAME [--program P] [--rss SIZE] [--file PATH:SIZE]...";
    }

    @Override
    public void handle(Daemon d, List<String> args, Reply reply) {
        if (args.isEmpty() || args.get(0).startsWith("-")) {
            throw ControlException.usage("usage: ctl DIR spawn " + usage());
        }
        String name = args.get(0);
        String program = ProgramCatalog.embedded().programNames().contains(name) ? name : null;
        String rss = null;
        List<String> files = new ArrayList<>();
        for (int i = 1; i < args.size(); i += 2) {
            if (i + 1 >= args.size()) {
                throw ControlException.usage("spawn: " + args.get(i) + " needs a value; usage: ctl DIR spawn "
                        + usage());
            }
            String v = args.get(i + 1);
            switch (args.get(i)) {
                case "--program" -> program = v;
                case "--rss" -> rss = v;
                case "--file" -> {
                    int colon = v.lastIndexOf(':');
                    if (colon <= 0) {
                        throw ControlException.usage("spawn: --file wants PATH:SIZE, got '" + v + "'");
                    }
                    String size = ScenarioText.q(v.substring(colon + 1));
                    files.add("{path: " + ScenarioText.q(v.substring(0, colon)) + ", size: " + size + ", touch: "
                            + size + "}");
                }
                default -> throw ControlException.usage("spawn: unknown option '" + args.get(i) + "'; usage: ctl DIR"
                        + " spawn " + usage());
            }
        }
        if (program == null) {
            throw ControlException.usage("spawn: '" + name + "' is not a program of the catalog; give one with"
                    + " --program (" + String.join(", ", ProgramCatalog.embedded().programNames()) + ")");
        }
        StringBuilder step = new StringBuilder("spawn: {name: " + ScenarioText.q(name) + ", program: "
                + ScenarioText.q(program));
        if (!files.isEmpty()) {
            step.append(", files: [").append(String.join(", ", files)).append(']');
        }
        step.append('}');
        if (rss == null) {
            ScenarioRun run = ScenarioText.runStep(d, "spawn", step.toString());
            reply.out("spawned " + name + " (" + program + "), pid " + ScenarioText.pid(run, name));
            return;
        }
        ScenarioRun run = ScenarioText.runSteps(d, "spawn", step.toString(), "malloc: {process: " + ScenarioText.q(name)
                + ", size: " + ScenarioText.q(rss) + ", write: true}");
        String failure = ScenarioText.failure(run);
        int pid = ScenarioText.pid(run, name);
        if (failure != null && pid > 0) {
            ScenarioText.runSteps(d, "spawn", "exit: {pid: " + pid + ", code: 1}");
            throw new ControlException(ControlException.FAILED, "spawn: " + failure + " (" + name + ", pid " + pid
                    + ", exited with status 1)");
        }
        if (failure != null) {
            throw new ControlException(ControlException.FAILED, "spawn: " + failure);
        }
        reply.out("spawned " + name + " (" + program + "), pid " + pid);
    }
}
