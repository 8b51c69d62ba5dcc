package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.kernel.Task;
import io.simproc.workload.GlibcMalloc;

import java.util.List;

/**
 * {@code free}: the process frees the chunks of a malloc region, all of them or the {@code count} oldest. Heap
 * chunks go back to malloc's free lists and the heap only shrinks when its free top is large enough (trim);
 * mmapped chunks are unmapped at once.
 */
final class FreeStep implements Step {
    private final String label;
    private final String name;
    private final long count;

    private FreeStep(String label, String name, long count) {
        this.label = label;
        this.name = name;
        this.count = count;
    }

    static final class Kind implements StepKind {
        @Override
        public String key() {
            return "free";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            value.checkKeys("process", "name", "count");
            String label = names.process(value.require("process"));
            String name = names.region(label, value.require("name"));
            long count = value.get("count") == null ? 0 : value.get("count").integer(1, Long.MAX_VALUE);
            return new FreeStep(label, name, count);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        Task t = run.process(label);
        Region region = run.region(label, name);
        if (region.kind() != Region.Kind.MALLOC) {
            throw new StepException(describe() + ": '" + name + "' was mapped with mmap, not allocated with malloc");
        }
        GlibcMalloc malloc = run.population().mallocOf(t);
        List<long[]> chunks = region.extents();
        int n = (int) Math.min(chunks.size(), count == 0 ? chunks.size() : count);
        for (int i = 0; i < n; i++) {
            long p = chunks.get(i)[0];
            if (!malloc.allocated(p)) {
                throw new StepException(describe() + ": " + Long.toHexString(p) + " is not allocated");
            }
            malloc.free(p);
        }
        region.removeFirst(n);
    }

    @Override
    public String describe() {
        return "free " + (count == 0 ? "" : count + " chunks of ") + name + " in " + label;
    }
}
