package io.simproc.control;

import io.simproc.kernel.Processes;
import io.simproc.kernel.Task;
import io.simproc.scenario.ScenarioRun;
import io.simproc.workload.ProgramCatalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code spawn NAME [--program P | --exe PATH] [--rss SIZE] [--file PATH:SIZE]... [--cgroup PATH]}: the short form of a
 * spawn step ({@code --cgroup}: started in that cgroup, its spawn key). The program is
 * NAME when the catalog has it, the catalog program P with {@code --program}, the catalog program whose executable is
 * PATH with {@code --exe} (simproc-exec's stand-in for a real command: its /proc/PID/exe must be the command's own
 * file, which the dynamic loader reads to expand $ORIGIN and the java launcher to find its JDK), else a generic
 * program: the catalog's /usr/bin/sleep (linked with libc only) started with argv [NAME]. NAME is the comm either way (truncated to 15
 * characters, as TASK_COMM_LEN does). {@code --rss} makes it allocate and write SIZE through malloc, one call as a
 * program asking for its working set does — when malloc returns NULL (the kernel refused the mapping: overcommit,
 * no memory) the program exits with status 1 and the request fails with the reason; when the OOM killer takes the
 * program while it writes, it dies of SIGKILL (its parent's wait status: killed by signal 9) and the request fails
 * saying so; each {@code --file} maps a file of that size and reads all of it.
 */
final class SpawnRequest implements ControlRequest {
    /** The program of a NAME the catalog does not have. */
    static final String GENERIC_PROGRAM = "sleep";
    /** TASK_COMM_LEN − 1: the characters of a comm. */
    private static final int TASK_COMM_MAX = 15;

    @Override
    public String name() {
        return "spawn";
    }

    @Override
    public String usage() {
        return "NAME [--program P | --exe PATH] [--rss SIZE] [--file PATH:SIZE]... [--cgroup PATH]";
    }

    @Override
    public void handle(Daemon d, List<String> args, Reply reply) {
        if (args.isEmpty() || args.get(0).startsWith("-")) {
            throw ControlException.usage("usage: ctl DIR spawn " + usage());
        }
        String name = args.get(0);
        ProgramCatalog programs = ProgramCatalog.embedded();
        Set<String> catalog = programs.programNames();
        String program = catalog.contains(name) ? name : null;
        String rss = null;
        String cgroup = null;
        List<String> files = new ArrayList<>();
        for (int i = 1; i < args.size(); i += 2) {
            if (i + 1 >= args.size()) {
                throw ControlException.usage("spawn: " + args.get(i) + " needs a value; usage: ctl DIR spawn "
                        + usage());
            }
            String v = args.get(i + 1);
            switch (args.get(i)) {
                case "--program" -> {
                    if (!catalog.contains(v)) {
                        throw ControlException.usage("spawn: '" + v + "' is not a program of the catalog ("
                                + String.join(", ", catalog) + ")");
                    }
                    program = v;
                }
                case "--exe" -> program = programs.programWithExe(v);
                case "--rss" -> rss = v;
                case "--cgroup" -> cgroup = v;
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
        // The comm, and the spawn step's name for the process: TASK_COMM_LEN − 1 characters at most.
        String comm = name.length() > TASK_COMM_MAX ? name.substring(0, TASK_COMM_MAX) : name;
        boolean generic = program == null;
        String what = generic ? "a generic program" : program;
        if (generic) {
            program = GENERIC_PROGRAM;
        }
        StringBuilder step = new StringBuilder("spawn: {name: " + ScenarioText.q(comm) + ", program: "
                + ScenarioText.q(program));
        if (generic) {
            step.append(", args: [").append(ScenarioText.q(name)).append(']');
        }
        if (!files.isEmpty()) {
            step.append(", files: [").append(String.join(", ", files)).append(']');
        }
        if (cgroup != null) {
            step.append(", cgroup: ").append(ScenarioText.q(cgroup));
        }
        step.append('}');
        if (rss == null) {
            ScenarioRun run = ScenarioText.runStep(d, "spawn", step.toString());
            reply.out("spawned " + name + " (" + what + "), pid " + ScenarioText.pid(run, comm));
            return;
        }
        ScenarioRun run = ScenarioText.runSteps(d, "spawn", step.toString(), "malloc: {process: " + ScenarioText.q(comm)
                + ", size: " + ScenarioText.q(rss) + ", write: true}");
        String failure = ScenarioText.failure(run);
        Task t = run.lastProcess(comm);
        if (failure != null && t != null && (t.state() == Task.State.ZOMBIE || t.state() == Task.State.DEAD)) {
            throw new ControlException(ControlException.FAILED, "spawn: " + name + " (pid " + t.pid() + ") was "
                    + (t.isOomVictim() ? "killed by the OOM killer" : "killed") + " while writing its memory ("
                    + waitStatus(t.exitCode()) + ")");
        }
        if (failure != null && t != null) {
            ScenarioText.runSteps(d, "spawn", "exit: {pid: " + t.pid() + ", code: 1}");
            throw new ControlException(ControlException.FAILED, "spawn: " + failure + " (" + name + ", pid " + t.pid()
                    + ", " + waitStatus(t.exitCode()) + ")");
        }
        if (failure != null) {
            throw new ControlException(ControlException.FAILED, "spawn: " + failure);
        }
        reply.out("spawned " + name + " (" + what + "), pid " + t.pid());
    }

    /** A wait status as its parent would read it: WIFSIGNALED (WTERMSIG) or WIFEXITED (WEXITSTATUS). */
    static String waitStatus(int status) {
        int signal = status & 0x7f;
        if (signal == 0) {
            return "exited with status " + ((status >> 8) & 0xff);
        }
        String name = switch (signal) {
            case Processes.SIGKILL -> ", SIGKILL";
            case Processes.SIGSEGV -> ", SIGSEGV";
            case Processes.SIGTERM -> ", SIGTERM";
            default -> "";
        };
        return "killed by signal " + signal + name;
    }
}
