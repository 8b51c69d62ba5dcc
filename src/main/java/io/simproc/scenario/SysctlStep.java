package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.ProcFile;
import io.simproc.sysctl.Sysctl;
import io.simproc.sysctl.SysctlTable;
import io.simproc.uapi.Credentials;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code sysctl}: set kernel knobs by their sysctl(8) names, {@code {vm.min_free_kbytes: 65536}}, by writing
 * /proc/sys as root does (`sysctl -w`): the kernel's parser, range checks and side effects apply, and a value the
 * kernel refuses is a failed step (its errno), the knob unchanged. A list value is written space-separated
 * ({@code vm.lowmem_reserve_ratio: [256, 256, 32, 0, 0]}). Unknown knobs are errors before anything runs.
 */
final class SysctlStep implements Step {
    private final Map<String, String> values;

    private SysctlStep(Map<String, String> values) {
        this.values = values;
    }

    static final class Kind implements StepKind {
        @Override
        public String key() {
            return "sysctl";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            SysctlTable table = SysctlTable.create();
            Map<String, String> values = new LinkedHashMap<>();
            for (Map.Entry<String, YamlNode> e : value.mapping().entrySet()) {
                String path = e.getKey().replace('.', '/');
                Sysctl s = table.find(path);
                if (s == null) {
                    List<String> known = new ArrayList<>();
                    for (Sysctl x : table.entries()) {
                        if ((x.mode() & 0200) != 0) {
                            known.add(x.name());
                        }
                    }
                    throw value.keyNode(e.getKey()).error("unknown sysctl '" + e.getKey() + "' (writable: "
                            + String.join(", ", known) + ")");
                }
                if ((s.mode() & 0200) == 0) {
                    throw value.keyNode(e.getKey()).error("sysctl '" + e.getKey() + "' is read-only");
                }
                YamlNode v = e.getValue();
                String text;
                if (v.isSequence()) {
                    List<String> parts = new ArrayList<>();
                    for (YamlNode x : v.sequence()) {
                        parts.add(x.scalar());
                    }
                    text = String.join(" ", parts);
                } else {
                    text = v.scalar();
                }
                values.put(path, text);
            }
            if (values.isEmpty()) {
                throw value.error("sysctl: give at least one knob, e.g. {vm.min_free_kbytes: 65536}");
            }
            return new SysctlStep(values);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        for (Map.Entry<String, String> e : values.entrySet()) {
            ProcEntry f = run.procFs().lookup("/sys/" + e.getKey(), Credentials.ROOT);
            if (!(f instanceof ProcFile file)) {
                throw new StepException("sysctl " + e.getKey().replace('/', '.') + ": No such file or directory");
            }
            int r = run.procFs().write(file, Credentials.ROOT, (e.getValue() + "\n").getBytes(StandardCharsets.UTF_8),
                    0);
            if (r < 0) {
                throw StepException.errno("sysctl " + e.getKey().replace('/', '.') + " = " + e.getValue(), r);
            }
        }
    }

    @Override
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            parts.add(e.getKey().replace('/', '.') + "=" + e.getValue());
        }
        return "sysctl " + String.join(" ", parts);
    }
}
