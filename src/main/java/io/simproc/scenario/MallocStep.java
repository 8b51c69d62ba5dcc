package io.simproc.scenario;

import io.simproc.config.Sizes;
import io.simproc.config.YamlNode;
import io.simproc.kernel.Task;
import io.simproc.uapi.Errno;
import io.simproc.workload.GlibcMalloc;

/**
 * {@code malloc}: the process allocates {@code size} bytes through its glibc malloc, in one call or in calls of
 * {@code chunk} bytes — below 128 KiB they come from the brk heap, from their own mmap above — optionally writing
 * them ({@code write: true}, a memset). {@code name} lets later steps touch, lock or free the chunks.
 */
final class MallocStep implements Step {
    private final String label;
    private final String name;
    private final long size;
    private final long chunk;
    private final boolean write;

    private MallocStep(String label, String name, long size, long chunk, boolean write) {
        this.label = label;
        this.name = name;
        this.size = size;
        this.chunk = chunk;
        this.write = write;
    }

    static final class Kind implements StepKind {
        /** Calls one step may make, to keep a typo ({@code chunk: 16}) from running for minutes. */
        static final long MAX_CALLS = 1 << 20;

        @Override
        public String key() {
            return "malloc";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            value.checkKeys("process", "size", "chunk", "name", "write");
            String label = names.process(value.require("process"));
            long size = value.require("size").size();
            if (size == 0) {
                throw value.get("size").error("size: must be more than 0");
            }
            long chunk = size;
            if (value.get("chunk") != null) {
                chunk = value.get("chunk").size();
                if (chunk == 0 || chunk > size) {
                    throw value.get("chunk").error("chunk: must be between 1 and the size (" + Sizes.format(size)
                            + ")");
                }
                if (size / chunk > MAX_CALLS) {
                    throw value.get("chunk").error("chunk: " + size / chunk + " calls; at most " + MAX_CALLS
                            + " per step");
                }
            }
            boolean write = value.get("write") != null && value.get("write").bool();
            String name = null;
            if (value.get("name") != null) {
                name = value.get("name").string();
                names.defineRegion(label, value.get("name"), name);
            }
            return new MallocStep(label, name, size, chunk, write);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        Task t = run.process(label);
        GlibcMalloc malloc = run.population().mallocOf(t);
        Region region = new Region(Region.Kind.MALLOC);
        if (name != null) {
            run.putRegion(label, name, region);
        }
        long calls = (size + chunk - 1) / chunk;
        for (long i = 0; i < calls; i++) {
            long n = Math.min(chunk, size - i * chunk);
            long p = malloc.malloc(n);
            if (p == 0) {
                throw StepException.errno(describe() + ": malloc(" + n + ") returned NULL after " + i + " of " + calls
                        + " calls", -Errno.ENOMEM);
            }
            region.add(p, n);
            if (write) {
                int r = run.kernel().syscalls().touch(t, p, n, true);
                if (r < 0) {
                    throw StepException.errno(describe() + ": writing the memory", r);
                }
            }
        }
    }

    @Override
    public String describe() {
        return "malloc " + Sizes.format(size) + (chunk != size ? " in " + Sizes.format(chunk) + " chunks" : "")
                + " in " + label;
    }
}
