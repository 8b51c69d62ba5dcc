package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.kernel.Task;
import io.simproc.mm.Prot;
import io.simproc.uapi.Page;

import java.util.Map;

/**
 * {@code madvise}: the process gives advice about a region — {@code dontneed} drops its pages (anonymous memory
 * reads back as zeros), {@code hugepage} and {@code nohugepage} allow or forbid transparent huge pages there (THP
 * mode "madvise" needs the first), {@code collapse} makes THPs of its aligned 2 MiB ranges now (MADV_COLLAPSE), {@code mergeable} lets KSM merge its pages with identical ones, {@code
 * unmergeable} gives back private copies of those it merged, the hints {@code normal}, {@code random}, {@code sequential}, {@code willneed} are
 * accepted. The advice covers the whole pages inside each chunk, as madvise(2) needs page-aligned ranges.
 */
final class MadviseStep implements Step {
    static final Map<String, Integer> ADVICE = Map.of("normal", Prot.MADV_NORMAL, "random", Prot.MADV_RANDOM,
            "sequential", Prot.MADV_SEQUENTIAL, "willneed", Prot.MADV_WILLNEED, "dontneed", Prot.MADV_DONTNEED,
            "hugepage", Prot.MADV_HUGEPAGE, "nohugepage", Prot.MADV_NOHUGEPAGE, "mergeable", Prot.MADV_MERGEABLE,
            "unmergeable", Prot.MADV_UNMERGEABLE, "collapse", Prot.MADV_COLLAPSE);

    private final String label;
    private final String name;
    private final String advice;

    private MadviseStep(String label, String name, String advice) {
        this.label = label;
        this.name = name;
        this.advice = advice;
    }

    static final class Kind implements StepKind {
        @Override
        public String key() {
            return "madvise";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            value.checkKeys("process", "name", "advice");
            String label = names.process(value.require("process"));
            String name = names.region(label, value.require("name"));
            String advice = value.require("advice").oneOf("dontneed", "normal", "random", "sequential", "willneed",
                    "hugepage", "nohugepage", "mergeable", "unmergeable", "collapse");
            return new MadviseStep(label, name, advice);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        Task t = run.process(label);
        for (long[] e : run.region(label, name).extents()) {
            long start = (e[0] + Page.PAGE_SIZE - 1) & Page.PAGE_MASK;
            long end = (e[0] + e[1]) & Page.PAGE_MASK;
            if (end <= start) {
                continue;
            }
            int r = run.kernel().syscalls().madvise(t, start, end - start, ADVICE.get(advice));
            if (r < 0) {
                throw StepException.errno(describe(), r);
            }
        }
    }

    @Override
    public String describe() {
        return "madvise " + advice + " " + name + " in " + label;
    }
}
