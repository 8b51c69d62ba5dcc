package io.simproc.control;

import java.util.List;

/**
 * {@code cgroup mkdir PATH}, {@code cgroup rmdir PATH}, {@code cgroup write PATH FILE VALUE}, {@code cgroup move PID
 * PATH}: the short forms of the cgroup steps (cgroup_mkdir, cgroup_rmdir, cgroup_write, cgroup_move), run now as
 * root through the machine's /sys/fs/cgroup; a refusal fails the request with the kernel's error.
 */
final class CgroupRequest implements ControlRequest {
    @Override
    public String name() {
        return "cgroup";
    }

    @Override
    public String usage() {
        return "mkdir PATH | rmdir PATH | write PATH FILE VALUE | move PID PATH";
    }

    @Override
    public void handle(Daemon d, List<String> args, Reply reply) {
        if (args.isEmpty()) {
            throw ControlException.usage("usage: ctl DIR cgroup " + usage());
        }
        String op = args.get(0);
        switch (op) {
            case "mkdir", "rmdir" -> {
                arity(args, 2);
                ScenarioText.runStep(d, "cgroup " + op, "cgroup_" + op + ": " + ScenarioText.q(args.get(1)));
                reply.out((op.equals("mkdir") ? "made " : "removed ") + args.get(1));
            }
            case "write" -> {
                arity(args, 4);
                ScenarioText.runStep(d, "cgroup write", "cgroup_write: {path: " + ScenarioText.q(args.get(1)) + ", "
                        + ScenarioText.q(args.get(2)) + ": " + ScenarioText.q(args.get(3)) + "}");
                reply.out("wrote " + args.get(3) + " to " + args.get(1) + " " + args.get(2));
            }
            case "move" -> {
                arity(args, 3);
                ScenarioText.runStep(d, "cgroup move", "cgroup_move: {pid: " + ScenarioText.q(args.get(1))
                        + ", path: " + ScenarioText.q(args.get(2)) + "}");
                reply.out("moved " + args.get(1) + " to " + args.get(2));
            }
            default -> throw ControlException.usage("cgroup: unknown operation '" + op + "'; usage: ctl DIR cgroup "
                    + usage());
        }
    }

    private void arity(List<String> args, int n) {
        if (args.size() != n) {
            throw ControlException.usage("usage: ctl DIR cgroup " + usage());
        }
    }
}
