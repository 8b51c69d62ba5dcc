package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.kernel.Task;
import io.simproc.workload.ProcessSpec;
import io.simproc.workload.ProcessSpecParser;
import io.simproc.workload.ProgramCatalog;

import java.util.List;

/**
 * {@code fork}: process {@code process} forks a child called {@code name}. Without {@code exec} the child shares
 * the parent's memory copy-on-write and inherits its regions and malloc state; {@code args} rewrites its command
 * line (setproctitle). With {@code exec: PROGRAM} the child execs that catalog program (fork + exec) and starts
 * with a fresh address space.
 */
final class ForkStep implements Step {
    private final String parent;
    private final String label;
    private final String exec;
    private final List<String> args;

    private ForkStep(String parent, String label, String exec, List<String> args) {
        this.parent = parent;
        this.label = label;
        this.exec = exec;
        this.args = args;
    }

    static final class Kind implements StepKind {
        @Override
        public String key() {
            return "fork";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            value.checkKeys("process", "name", "exec", "args");
            String parent = names.process(value.require("process"));
            YamlNode nameNode = value.require("name");
            String label = nameNode.string();
            String exec = null;
            if (value.get("exec") != null) {
                exec = value.get("exec").string();
                if (!ProgramCatalog.embedded().programNames().contains(exec)) {
                    throw value.get("exec").error("unknown program '" + exec + "' (not in the program catalog)");
                }
                if (label.length() > 15) {
                    throw nameNode.error("name (comm) must be 1 to 15 characters, got '" + label + "'");
                }
            }
            List<String> args = value.get("args") == null ? List.of() : SpawnStep.words(value.get("args"));
            names.defineProcess(nameNode, label, exec == null ? parent : null);
            return new ForkStep(parent, label, exec, args);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        Task p = run.process(parent);
        if (exec != null) {
            ProcessSpec spec = new ProcessSpec(label, exec, args, null, 0, 1, false, 0, 0,
                    ProcessSpecParser.DEFAULT_TEXT_SHARE, null, null, List.of(), 1, null, null, 0, List.of(), List.of(), null);
            Task t = run.population().launch(spec, p, null);
            if (t == null) {
                throw new StepException("fork + exec of " + exec + " by " + parent + " failed (see dmesg)");
            }
            run.bind(label, t, null);
            return;
        }
        Task child = run.kernel().syscalls().fork(p);
        if (child == null) {
            throw StepException.errno("fork by " + parent, run.kernel().processes().forkErrno());
        }
        run.population().forkMalloc(p, child);
        if (!args.isEmpty()) {
            run.kernel().processes().setArgv(child, args);
        }
        run.bind(label, child, parent);
    }

    @Override
    public String startsProcess() {
        return label;
    }

    @Override
    public String describe() {
        return "fork " + label + " from " + parent + (exec == null ? "" : " and exec " + exec);
    }
}
