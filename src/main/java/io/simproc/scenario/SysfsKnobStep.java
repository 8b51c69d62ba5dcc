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
 * A step writing knobs of one /sys directory: {@code echo VALUE > /sys/DIR/FILE} as root for each file in the order
 * given, through the machine's /sys, so the kernel's parsing, ranges and errnos apply. A refusal is an error of the
 * step, the files before it written; unknown or read-only files are errors before anything runs. The directories:
 * <ul>
 * <li>{@code ksm: {run: 1, pages_to_scan: 1000}}: /sys/kernel/mm/ksm ({@code run: 2} unmerges everything;
 * merge_across_nodes is EBUSY while pages are shared);</li>
 * <li>{@code zram: {comp_algorithm: lz4, disksize: 1G}}: /sys/block/zram0 (comp_algorithm before disksize, as the
 * kernel requires; EBUSY for disksize or comp_algorithm once initialised, for reset while swap uses the device);</li>
 * <li>{@code thp: {enabled: always}}: /sys/kernel/mm/transparent_hugepage;</li>
 * <li>{@code khugepaged: {pages_to_scan: 4096, scan_sleep_millisecs: 100}}: its khugepaged/ directory.</li>
 * </ul>
 */
final class SysfsKnobStep implements Step {
    private static final String THP_DIR = "/kernel/mm/transparent_hugepage";

    static final StepKind KSM = new Kind("ksm", "/kernel/mm/ksm", List.of("advisor_max_cpu",
            "advisor_max_pages_to_scan", "advisor_min_pages_to_scan", "advisor_mode", "advisor_target_scan_time",
            "max_page_sharing", "merge_across_nodes", "pages_to_scan", "run", "sleep_millisecs", "smart_scan",
            "stable_node_chains_prune_millisecs", "use_zero_pages"), "{run: 1, pages_to_scan: 1000, ...}", "1");
    static final StepKind ZRAM = new Kind("zram", "/block/zram0", List.of("comp_algorithm", "compact", "disksize",
            "idle", "mem_limit", "mem_used_max", "reset"), "{comp_algorithm: lz4, disksize: 1G, ...}", "1G");
    static final StepKind THP = new Kind("thp", THP_DIR, List.of("defrag", "enabled", "use_zero_page"),
            "{enabled: always}", "always");
    static final StepKind KHUGEPAGED = new Kind("khugepaged", THP_DIR + "/khugepaged", List.of(
            "alloc_sleep_millisecs", "defrag", "max_ptes_none", "max_ptes_shared", "max_ptes_swap", "pages_to_scan",
            "scan_sleep_millisecs"), "{pages_to_scan: 4096, scan_sleep_millisecs: 100}", "4096");

    private final String key;
    private final String dir;
    private final Map<String, String> values;

    private SysfsKnobStep(String key, String dir, Map<String, String> values) {
        this.key = key;
        this.dir = dir;
        this.values = values;
    }

    private record Kind(String key, String dir, List<String> knobs, String example, String valueExample)
            implements StepKind {
        @Override
        public Step parse(YamlNode value, Names names) {
            if (!value.isMapping() || value.mapping().isEmpty()) {
                throw value.error(key + ": expected " + example + " (files of /sys" + dir + ")");
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (Map.Entry<String, YamlNode> e : value.mapping().entrySet()) {
                if (!knobs.contains(e.getKey())) {
                    throw value.keyNode(e.getKey()).error("'" + e.getKey() + "' is not a writable file of /sys" + dir
                            + " (" + String.join(", ", knobs) + ")");
                }
                if (!e.getValue().isScalar()) {
                    throw e.getValue().error(e.getKey() + ": the text to write, e.g. " + valueExample);
                }
                values.put(e.getKey(), e.getValue().scalar());
            }
            return new SysfsKnobStep(key, dir, values);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        ProcFs fs = run.sysFs();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String what = key + " " + e.getKey() + " = " + e.getValue();
            String path = dir + "/" + e.getKey();
            ProcEntry f = fs.lookup(path, Credentials.ROOT);
            if (!(f instanceof ProcFile file)) {
                throw StepException.errno(what + ": /sys" + path, -Errno.ENOENT);
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
