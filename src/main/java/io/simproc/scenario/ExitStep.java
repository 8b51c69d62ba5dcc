package io.simproc.scenario;

import io.simproc.kernel.YamlNode;

/** {@code exit}: the process calls exit_group with {@code code} (default 0); its memory goes back. */
final class ExitStep implements Step {
    private final String label;
    private final int code;

    private ExitStep(String label, int code) {
        this.label = label;
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
                return new ExitStep(names.process(value), 0);
            }
            value.checkKeys("process", "code");
            String label = names.process(value.require("process"));
            int code = value.get("code") == null ? 0 : (int) value.get("code").integer(0, 255);
            return new ExitStep(label, code);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        run.kernel().syscalls().exit(run.process(label), code);
    }

    @Override
    public String describe() {
        return "exit " + label + " (" + code + ")";
    }
}
