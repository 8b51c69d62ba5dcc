package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.ProcFile;
import io.simproc.proc.ProcFs;
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
            Map<String, String> values = new LinkedHashMap<>();
            for (Map.Entry<String, YamlNode> e : value.mapping().entrySet()) {
                String path;
                try {
                    path = writablePath(e.getKey());
                } catch (IllegalArgumentException ex) {
                    throw value.keyNode(e.getKey()).error(ex.getMessage());
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

    /**
     * The /proc/sys path ({@code vm/swappiness}) of a writable knob named as sysctl(8) names it
     * ({@code vm.swappiness}); an IllegalArgumentException saying why not (unknown: with the writable ones; or
     * read-only) otherwise.
     */
    public static String writablePath(String name) {
        SysctlTable table = SysctlTable.create();
        String path = name.replace('.', '/');
        Sysctl s = table.find(path);
        if (s == null) {
            List<String> known = new ArrayList<>();
            for (Sysctl x : table.entries()) {
                if ((x.mode() & 0200) != 0) {
                    known.add(x.name());
                }
            }
            throw new IllegalArgumentException("unknown sysctl '" + name + "' (writable: " + String.join(", ", known)
                    + ")");
        }
        if ((s.mode() & 0200) == 0) {
            throw new IllegalArgumentException("sysctl '" + name + "' is read-only");
        }
        return path;
    }

    /** Knobs the run holds at a value of its own ({@link ScenarioEngine#hold}) are left as they are. */
    @Override
    public void run(ScenarioRun run) {
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (run.knobHeld(e.getKey())) {
                continue;
            }
            write(run.procFs(), e.getKey(), e.getValue());
        }
    }

    /** Write {@code value} to /proc/sys/{@code path} as root does; a StepException with the errno if refused. */
    static void write(ProcFs procFs, String path, String value) {
        ProcEntry f = procFs.lookup("/sys/" + path, Credentials.ROOT);
        if (!(f instanceof ProcFile file)) {
            throw new StepException("sysctl " + path.replace('/', '.') + ": No such file or directory");
        }
        int r = procFs.write(file, Credentials.ROOT, (value + "\n").getBytes(StandardCharsets.UTF_8), 0);
        if (r < 0) {
            throw StepException.errno("sysctl " + path.replace('/', '.') + " = " + value, r);
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
