package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.kernel.Cgroup;
import io.simproc.kernel.Processes;
import io.simproc.kernel.Task;
import io.simproc.mm.DataClass;
import io.simproc.workload.ProcessSpec;
import io.simproc.workload.ProcessSpecParser;
import io.simproc.uapi.Errno;
import io.simproc.workload.ProgramCatalog;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code spawn}: start a program from the catalog — fork of its parent (init unless {@code parent} names a process
 * of the scenario) and execve — and replay what it does with memory as it starts, with the keys of a machine
 * profile's processes (docs/MACHINES.md). Its {@code name} is its comm and the name later steps use. With
 * {@code cgroup: PATH} it starts in that cgroup (moved there between fork and exec, as cgexec does) instead of where
 * systemd would put it.
 */
final class SpawnStep implements Step {
    /** Process keys that have no meaning for a single spawn at a timeline time. */
    private static final String[] NOT_HERE = {"start", "count", "fork", "children"};

    private final String label;
    private final String parent;
    private final ProcessSpec spec;
    /** The cgroup it starts in (null: where systemd puts what init starts, or its parent's). */
    private final String cgroup;
    /** What its anonymous memory holds, for zram (null: the default, a heap). */
    private final DataClass data;

    private SpawnStep(String label, String parent, ProcessSpec spec, String cgroup, DataClass data) {
        this.label = label;
        this.parent = parent;
        this.spec = spec;
        this.cgroup = cgroup;
        this.data = data;
    }

    static final class Kind implements StepKind {
        @Override
        public String key() {
            return "spawn";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            for (String k : NOT_HERE) {
                if (value.get(k) != null) {
                    throw value.keyNode(k).error("'" + k + "' is not a spawn key (use the entry's at/every for"
                            + " timing, one spawn per process, fork steps for children)");
                }
            }
            ProgramCatalog catalog = ProgramCatalog.embedded();
            ProcessSpec spec = new ProcessSpecParser(n -> catalog.programNames().contains(n))
                    .parse(value, false, "parent", "cmdline", "cgroup", "data_class");
            YamlNode nameNode = value.require("name");
            YamlNode cmdline = value.get("cmdline");
            if (cmdline != null) {
                if (value.get("args") != null) {
                    throw cmdline.error("give 'cmdline' or 'args', not both");
                }
                spec = withArgs(spec, words(cmdline));
            }
            String parent = value.get("parent") == null ? null : names.process(value.get("parent"));
            String cgroup = value.get("cgroup") == null ? null : CgroupSteps.path(value.get("cgroup"));
            DataClass data = null;
            if (value.get("data_class") != null) {
                data = DataClass.of(value.get("data_class").scalar());
                if (data == null) {
                    throw value.get("data_class").error("data_class: one of heap, text, random, same, zero (what its"
                            + " anonymous memory holds, for zram's compression)");
                }
            }
            names.defineProcess(nameNode, spec.name(), null);
            return new SpawnStep(spec.name(), parent, spec, cgroup, data);
        }
    }

    static List<String> words(YamlNode n) {
        List<String> out = new ArrayList<>();
        if (n.isScalar()) {
            out.addAll(List.of(n.string().trim().split("\\s+")));
        } else {
            for (YamlNode x : n.sequence()) {
                out.add(x.string());
            }
        }
        return out;
    }

    private static ProcessSpec withArgs(ProcessSpec s, List<String> args) {
        return new ProcessSpec(s.name(), s.program(), args, s.uid(), s.startMillis(), s.count(), s.fork(),
                s.heapBytes(), s.mmapBytes(), s.textShare(), s.reserve(), s.shm(), s.files(), s.threads(),
                s.oomScoreAdj(), s.nice(), s.lockedBytes(), s.children(), s.io(), s.mempolicy());
    }

    @Override
    public void run(ScenarioRun run) {
        Task p = parent == null ? run.kernel().tasks().get(Processes.INIT_PID) : run.process(parent);
        if (p == null) {
            throw new StepException("there is no init (pid 1) to start " + label + " from");
        }
        Cgroup into = null;
        if (cgroup != null) {
            String path = CgroupSteps.hierarchyPath(run.kernel().cgroups(), cgroup);
            into = path == null ? null : run.kernel().cgroups().lookup(path);
            if (into == null) {
                throw StepException.errno(describe() + ": cgroup " + cgroup, -Errno.ENOENT);
            }
            int r = run.kernel().cgroups().migrate().vetDst(into);
            if (r < 0) {
                throw StepException.errno(describe() + " into " + cgroup, r);
            }
        }
        Task t = run.population().launch(spec, p, null, into);
        if (t == null) {
            throw new StepException("could not start " + label + " (see dmesg)");
        }
        if (data != null && t.mm() != null) {
            t.mm().setDataClass(data);
        }
        run.bind(label, t, null);
    }

    @Override
    public String startsProcess() {
        return label;
    }

    @Override
    public String describe() {
        return "spawn " + label + " (" + spec.program() + ")";
    }
}
