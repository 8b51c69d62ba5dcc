package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.kernel.Task;

/**
 * {@code cgroup_move: {process: NAME or pid: N, path: PATH, thread: false}}: {@code echo PID > cgroup.procs} of the
 * cgroup as root — the whole process moves (with {@code thread: true}, {@code echo TID > cgroup.threads}, on the
 * v1 hierarchy {@code tasks}: that
 * thread alone, inside its threaded subtree). The kernel's refusals are errors of the step: ESRCH for a pid that is
 * gone, EBUSY for a cgroup that enables controllers for its children, EINVAL for a kernel thread that may not move.
 */
final class CgroupMoveStep implements Step {
    private final String label;
    private final int pid;
    private final String path;
    private final boolean thread;

    private CgroupMoveStep(String label, int pid, String path, boolean thread) {
        this.label = label;
        this.pid = pid;
        this.path = path;
        this.thread = thread;
    }

    static final class Kind implements StepKind {
        @Override
        public String key() {
            return "cgroup_move";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            if (!value.isMapping()) {
                throw value.error("cgroup_move: expected {process: NAME, path: /demo.slice} or {pid: N, path: ...}");
            }
            value.checkKeys("process", "pid", "path", "thread");
            YamlNode proc = value.get("process");
            YamlNode pid = value.get("pid");
            if ((proc == null) == (pid == null)) {
                throw value.error("cgroup_move: give 'process' or 'pid', one of them");
            }
            String path = CgroupSteps.path(value.require("path"));
            boolean thread = value.get("thread") != null && value.get("thread").bool();
            return new CgroupMoveStep(proc == null ? null : names.process(proc),
                    pid == null ? 0 : (int) pid.integer(1, Integer.MAX_VALUE), path, thread);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        int target = pid;
        if (label != null) {
            Task t = run.process(label);
            if (t == null) {
                throw new StepException(describe() + ": No such process");
            }
            target = t.pid();
        }
        String file = !thread ? "cgroup.procs" : run.kernel().cgroups().onDfl() ? "cgroup.threads" : "tasks";
        CgroupSteps.write(run, path, file, Integer.toString(target),
                describe());
    }

    @Override
    public String describe() {
        return "cgroup_move " + (label != null ? label : Integer.toString(pid)) + " to " + path
                + (thread ? " (thread)" : "");
    }
}
