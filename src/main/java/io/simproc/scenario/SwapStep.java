package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.kernel.Processes;
import io.simproc.kernel.Task;

/**
 * {@code swapon} and {@code swapoff}: init enables a swap area the machine profile declares ({@code path}, at
 * {@code priority} or the profile's), or disables one, its pages read back into memory. The kernel's refusals
 * (EBUSY: already on, EINVAL: not active, ENOMEM: its pages do not fit, ENOENT: no such area) are failed steps.
 */
final class SwapStep implements Step {
    private final boolean on;
    private final String path;
    private final int priority;

    private SwapStep(boolean on, String path, int priority) {
        this.on = on;
        this.path = path;
        this.priority = priority;
    }

    static final class Kind implements StepKind {
        private final boolean on;

        Kind(boolean on) {
            this.on = on;
        }

        @Override
        public String key() {
            return on ? "swapon" : "swapoff";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            if (value.isScalar()) {
                return new SwapStep(on, value.scalar(), Integer.MIN_VALUE);
            }
            if (on) {
                value.checkKeys("path", "priority");
            } else {
                value.checkKeys("path");
            }
            int prio = on && value.get("priority") != null ? (int) value.get("priority").integer(-1, 32767)
                    : Integer.MIN_VALUE;
            return new SwapStep(on, value.require("path").scalar(), prio);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        Task init = run.kernel().tasks().get(Processes.INIT_PID);
        if (init == null) {
            throw new StepException(describe() + ": init is not running");
        }
        int r = on ? run.kernel().syscalls().swapon(init, path, priority) : run.kernel().syscalls().swapoff(init, path);
        if (r < 0) {
            throw StepException.errno(describe(), r);
        }
    }

    @Override
    public String describe() {
        return (on ? "swapon " : "swapoff ") + path + (priority != Integer.MIN_VALUE ? " priority " + priority : "");
    }
}
