package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.kernel.Task;

import java.util.List;

/**
 * {@code munmap}: the process unmaps a region an {@code mmap} step mapped (munmap(2) of its whole range): its pages
 * lose the mapping — a hugetlb mapping's folios go back to the pool and its unused reservations with them. The region
 * is empty afterwards. A region malloc made is an error: {@code free} gives it back.
 */
final class MunmapStep implements Step {
    private final String label;
    private final String name;

    private MunmapStep(String label, String name) {
        this.label = label;
        this.name = name;
    }

    static final class Kind implements StepKind {
        @Override
        public String key() {
            return "munmap";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            value.checkKeys("process", "name");
            String label = names.process(value.require("process"));
            return new MunmapStep(label, names.region(label, value.require("name")));
        }
    }

    @Override
    public void run(ScenarioRun run) {
        Task t = run.process(label);
        Region region = run.region(label, name);
        if (region.kind() != Region.Kind.MMAP) {
            throw new StepException(describe() + ": '" + name + "' was allocated with malloc; free gives it back");
        }
        List<long[]> extents = region.extents();
        for (long[] e : extents) {
            int r = run.kernel().syscalls().munmap(t, e[0], e[1]);
            if (r < 0) {
                throw StepException.errno(describe(), r);
            }
        }
        region.removeFirst(extents.size());
    }

    @Override
    public String describe() {
        return "munmap " + name + " in " + label;
    }
}
