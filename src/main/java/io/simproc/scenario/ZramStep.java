package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.ProcFile;
import io.simproc.proc.ProcFs;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code zram: {comp_algorithm: lz4, disksize: 1G, mem_limit: 256M}}: {@code echo VALUE >
 * /sys/block/zram0/FILE} as root for each file in the order given (comp_algorithm before disksize, as the kernel
 * requires), through the machine's /sys: the kernel's parsing and errnos apply (EBUSY for disksize or
 * comp_algorithm once initialised, for reset while swap uses the device). A refusal is an error of the step, the
 * files before it written. Unknown or read-only files are errors before anything runs.
 */
final class ZramStep implements Step {
    private static final String DIR = "/block/zram0/";
    private static final List<String> KNOBS = List.of("comp_algorithm", "compact", "disksize", "idle", "mem_limit",
            "mem_used_max", "reset");

    private final Map<String, String> values;

    private ZramStep(Map<String, String> values) {
        this.values = values;
    }

    static final class Kind implements StepKind {
        @Override
        public String key() {
            return "zram";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            if (!value.isMapping() || value.mapping().isEmpty()) {
                throw value.error("zram: expected {comp_algorithm: lz4, disksize: 1G, ...} (files of"
                        + " /sys/block/zram0)");
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (Map.Entry<String, YamlNode> e : value.mapping().entrySet()) {
                if (!KNOBS.contains(e.getKey())) {
                    throw value.keyNode(e.getKey()).error("'" + e.getKey() + "' is not a writable file of"
                            + " /sys/block/zram0 (" + String.join(", ", KNOBS) + ")");
                }
                if (!e.getValue().isScalar()) {
                    throw e.getValue().error(e.getKey() + ": the text to write, e.g. 1G");
                }
                values.put(e.getKey(), e.getValue().scalar());
            }
            return new ZramStep(values);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        ProcFs fs = run.sysFs();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String what = "zram " + e.getKey() + " = " + e.getValue();
            ProcEntry f = fs.lookup(DIR + e.getKey(), Credentials.ROOT);
            if (!(f instanceof ProcFile file)) {
                throw StepException.errno(what + ": /sys" + DIR + e.getKey(), -Errno.ENOENT);
            }
            int r = fs.write(file, Credentials.ROOT, (e.getValue() + "\n").getBytes(StandardCharsets.UTF_8), 0);
            if (r < 0) {
                throw StepException.errno(what, r);
            }
        }
    }

    @Override
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            parts.add(e.getKey() + "=" + e.getValue());
        }
        return "zram " + String.join(" ", parts);
    }
}
