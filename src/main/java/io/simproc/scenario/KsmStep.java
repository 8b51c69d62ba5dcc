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
 * {@code ksm: {run: 1, pages_to_scan: 1000, ...}}: {@code echo VALUE > /sys/kernel/mm/ksm/FILE} as root for each
 * file in order, through the machine's /sys: the kernel's parsing, ranges and errnos apply ({@code run: 2}
 * unmerges everything; {@code merge_across_nodes} is EBUSY while pages are shared). A refusal is an error of the
 * step, the files before it written. Unknown or read-only files are errors before anything runs.
 */
final class KsmStep implements Step {
    private static final String DIR = "/kernel/mm/ksm/";
    private static final List<String> KNOBS = List.of("advisor_max_cpu", "advisor_max_pages_to_scan",
            "advisor_min_pages_to_scan", "advisor_mode", "advisor_target_scan_time", "max_page_sharing",
            "merge_across_nodes", "pages_to_scan", "run", "sleep_millisecs", "smart_scan",
            "stable_node_chains_prune_millisecs", "use_zero_pages");

    private final Map<String, String> values;

    private KsmStep(Map<String, String> values) {
        this.values = values;
    }

    static final class Kind implements StepKind {
        @Override
        public String key() {
            return "ksm";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            if (!value.isMapping() || value.mapping().isEmpty()) {
                throw value.error("ksm: expected {run: 1, pages_to_scan: 1000, ...} (files of /sys/kernel/mm/ksm)");
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (Map.Entry<String, YamlNode> e : value.mapping().entrySet()) {
                if (!KNOBS.contains(e.getKey())) {
                    throw value.keyNode(e.getKey()).error("'" + e.getKey() + "' is not a writable file of"
                            + " /sys/kernel/mm/ksm (" + String.join(", ", KNOBS) + ")");
                }
                if (!e.getValue().isScalar()) {
                    throw e.getValue().error(e.getKey() + ": the text to write, e.g. 1");
                }
                values.put(e.getKey(), e.getValue().scalar());
            }
            return new KsmStep(values);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        ProcFs fs = run.sysFs();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String what = "ksm " + e.getKey() + " = " + e.getValue();
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
        return "ksm " + String.join(" ", parts);
    }
}
