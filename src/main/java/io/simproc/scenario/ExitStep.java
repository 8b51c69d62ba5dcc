package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.kernel.Processes;
import io.simproc.kernel.Task;

/**
 * {@code exit}: the process — one of the scenario ({@code process}) or any pid ({@code pid}) — calls exit_group with
 * {@code code} (default 0); its memory goes back.
 */
final class ExitStep implements Step {
    private final String label;
    private final int pid;
    private final int code;

    private ExitStep(String label, int pid, int code) {
        this.label = label;
        this.pid = pid;
        this.code = code;
    }

    static final class Kind implements StepKind {
        @Override
        public String key() {
            return "exit";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            if (value.isScalar()) {
                return new ExitStep(names.process(value), 0, 0);
            }
            value.checkKeys("process", "pid", "code");
            YamlNode p = value.get("process");
            YamlNode pid = value.get("pid");
            if ((p == null) == (pid == null)) {
                throw value.error("exit: give 'process' (a name from the scenario) or 'pid', one of them");
            }
            int code = value.get("code") == null ? 0 : (int) value.get("code").integer(0, 255);
            return p != null ? new ExitStep(names.process(p), 0, code)
                    : new ExitStep(null, (int) pid.integer(1, Integer.MAX_VALUE), code);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        Task t = label != null ? run.process(label) : run.kernel().tasks().get(pid);
        if (t == null || t.state() == Task.State.ZOMBIE || t.state() == Task.State.DEAD || t.isKthread()) {
            throw new StepException(describe() + ": No such process");
        }
        if (t.pid() == Processes.INIT_PID) {
            throw new StepException(describe() + ": init does not exit (the kernel would panic)");
        }
        run.kernel().syscalls().exit(t, code);
    }

    @Override
    public String describe() {
        return "exit " + (label != null ? label : String.valueOf(pid)) + " (" + code + ")";
    }
}
