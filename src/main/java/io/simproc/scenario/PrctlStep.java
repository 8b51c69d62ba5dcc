package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.kernel.Syscalls;

/**
 * {@code prctl: {process: P, memory_merge: 1}}: the process calls prctl(PR_SET_MEMORY_MERGE, 1) — KSM may merge
 * every compatible mapping it has and will have (ksm_merge_any in /proc/PID/ksm_stat) — or with 0 takes that back,
 * unmerging what was merged.
 */
final class PrctlStep implements Step {
    private final String label;
    private final boolean on;

    private PrctlStep(String label, boolean on) {
        this.label = label;
        this.on = on;
    }

    static final class Kind implements StepKind {
        @Override
        public String key() {
            return "prctl";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            value.checkKeys("process", "memory_merge");
            String label = names.process(value.require("process"));
            return new PrctlStep(label, value.require("memory_merge").integer(0, 1) == 1);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        int r = run.kernel().syscalls().prctl(run.process(label), Syscalls.PR_SET_MEMORY_MERGE, on ? 1 : 0);
        if (r < 0) {
            throw StepException.errno(describe(), r);
        }
    }

    @Override
    public String describe() {
        return "prctl PR_SET_MEMORY_MERGE " + (on ? 1 : 0) + " in " + label;
    }
}
