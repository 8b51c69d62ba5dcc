package io.simproc.scenario;

import io.simproc.config.YamlNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cgroup_write: {path: PATH, FILE: VALUE, ...}}: {@code echo VALUE > /sys/fs/cgroup/PATH/FILE} as root for each
 * file in order (cgroup.subtree_control, cgroup.max.depth, a controller's files...). A refusal is an error of the
 * step with the file's errno, the files before it written.
 */
final class CgroupWriteStep implements Step {
    private final String path;
    private final Map<String, String> values;

    private CgroupWriteStep(String path, Map<String, String> values) {
        this.path = path;
        this.values = values;
    }

    static final class Kind implements StepKind {
        @Override
        public String key() {
            return "cgroup_write";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            if (!value.isMapping()) {
                throw value.error("cgroup_write: expected {path: /demo.slice, FILE: VALUE, ...}");
            }
            String path = CgroupSteps.path(value.require("path"));
            Map<String, String> values = new LinkedHashMap<>();
            for (Map.Entry<String, YamlNode> e : value.mapping().entrySet()) {
                if (e.getKey().equals("path")) {
                    continue;
                }
                if (!e.getKey().contains(".") || e.getKey().contains("/")) {
                    throw value.keyNode(e.getKey()).error("'" + e.getKey() + "' is not a cgroup file (cgroup.procs,"
                            + " cgroup.subtree_control, memory.max...)");
                }
                YamlNode v = e.getValue();
                if (!v.isScalar()) {
                    throw v.error(e.getKey() + ": the text to write, e.g. '+memory' or 256M");
                }
                values.put(e.getKey(), v.scalar());
            }
            if (values.isEmpty()) {
                throw value.error("cgroup_write: name at least one file, e.g. {path: /demo.slice,"
                        + " cgroup.subtree_control: +memory}");
            }
            return new CgroupWriteStep(path, values);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        for (Map.Entry<String, String> e : values.entrySet()) {
            CgroupSteps.write(run, path, e.getKey(), e.getValue(), "cgroup_write " + path + " " + e.getKey() + " = "
                    + e.getValue());
        }
    }

    @Override
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            parts.add(e.getKey() + "=" + e.getValue());
        }
        return "cgroup_write " + path + " " + String.join(" ", parts);
    }
}
