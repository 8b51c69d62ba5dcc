package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.kernel.Task;
import io.simproc.mm.Mempolicy;

/**
 * {@code set_mempolicy}: a running process changes its NUMA memory policy (set_mempolicy(2)); the pages it faults
 * in from then on follow the new one, those it has stay where they are. The policy is written as a process's
 * {@code mempolicy} key (docs/MACHINES.md): {@code default}, {@code local}, {@code prefer:N}, {@code bind:NODES},
 * {@code interleave[:NODES]}.
 */
final class MempolicyStep implements Step {
    private final String label;
    private final String text;
    private final Mempolicy.Request request;

    private MempolicyStep(String label, String text, Mempolicy.Request request) {
        this.label = label;
        this.text = text;
        this.request = request;
    }

    static final class Kind implements StepKind {
        @Override
        public String key() {
            return "set_mempolicy";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            value.checkKeys("process", "policy");
            String label = names.process(value.require("process"));
            YamlNode policy = value.require("policy");
            try {
                return new MempolicyStep(label, policy.string(), Mempolicy.parse(policy.string()));
            } catch (IllegalArgumentException e) {
                throw policy.error(e.getMessage());
            }
        }
    }

    @Override
    public void run(ScenarioRun run) {
        Task t = run.process(label);
        int r = run.kernel().syscalls().setMempolicy(t, request);
        if (r < 0) {
            throw StepException.errno(describe(), r);
        }
    }

    @Override
    public String describe() {
        return "set_mempolicy " + text + " in " + label;
    }
}
