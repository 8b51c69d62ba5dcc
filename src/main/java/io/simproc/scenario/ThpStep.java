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
 * {@code thp: {enabled: always}} and {@code khugepaged: {pages_to_scan: 4096, scan_sleep_millisecs: 100}}:
 * {@code echo VALUE > /sys/kernel/mm/transparent_hugepage[/khugepaged]/FILE} as root for each file in order, through
 * the machine's /sys: the kernel's parsing, ranges and errnos apply. A refusal is an error of the step, the files
 * before it written. Unknown or read-only files are errors before anything runs.
 */
final class ThpStep implements Step {
    private static final String THP_DIR = "/kernel/mm/transparent_hugepage/";
    private static final List<String> THP_KNOBS = List.of("defrag", "enabled", "use_zero_page");
    private static final List<String> KHUGEPAGED_KNOBS = List.of("alloc_sleep_millisecs", "defrag", "max_ptes_none",
            "max_ptes_shared", "max_ptes_swap", "pages_to_scan", "scan_sleep_millisecs");

    private final String key;
    private final String dir;
    private final Map<String, String> values;

    private ThpStep(String key, String dir, Map<String, String> values) {
        this.key = key;
        this.dir = dir;
        this.values = values;
    }

    static final class Kind implements StepKind {
        private final boolean khugepaged;

        Kind(boolean khugepaged) {
            this.khugepaged = khugepaged;
        }

        @Override
        public String key() {
            return khugepaged ? "khugepaged" : "thp";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            String dir = khugepaged ? THP_DIR + "khugepaged/" : THP_DIR;
            List<String> knobs = khugepaged ? KHUGEPAGED_KNOBS : THP_KNOBS;
            String example = khugepaged ? "{pages_to_scan: 4096, scan_sleep_millisecs: 100}" : "{enabled: always}";
            if (!value.isMapping() || value.mapping().isEmpty()) {
                throw value.error(key() + ": expected " + example + " (files of /sys" + dir + ")");
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (Map.Entry<String, YamlNode> e : value.mapping().entrySet()) {
                if (!knobs.contains(e.getKey())) {
                    throw value.keyNode(e.getKey()).error("'" + e.getKey() + "' is not a writable file of /sys"
                            + dir.substring(0, dir.length() - 1) + " (" + String.join(", ", knobs) + ")");
                }
                if (!e.getValue().isScalar()) {
                    throw e.getValue().error(e.getKey() + ": the text to write, e.g. " + example);
                }
                values.put(e.getKey(), e.getValue().scalar());
            }
            return new ThpStep(key(), dir, values);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        ProcFs fs = run.sysFs();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String what = key + " " + e.getKey() + " = " + e.getValue();
            ProcEntry f = fs.lookup(dir + e.getKey(), Credentials.ROOT);
            if (!(f instanceof ProcFile file)) {
                throw StepException.errno(what + ": /sys" + dir + e.getKey(), -Errno.ENOENT);
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
        return key + " " + String.join(" ", parts);
    }
}
