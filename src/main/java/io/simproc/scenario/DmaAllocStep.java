package io.simproc.scenario;

import io.simproc.config.Sizes;
import io.simproc.config.YamlNode;
import io.simproc.kernel.Drivers;
import io.simproc.kernel.Processes;
import io.simproc.kernel.Task;
import io.simproc.mm.PageAlloc;

/**
 * {@code dma_alloc} and {@code dma_free}: a driver asks for a physically contiguous buffer, dma_alloc_coherent() —
 * one buddy block of get_order(size) pages, unmovable, GFP_KERNEL — in the context of {@code process} (the one
 * opening the device; default init), optionally under a {@code name}, and later frees it by that name,
 * dma_free_coherent() on CPU 0: the block goes back to the page allocator. On a machine with a CMA area a buffer
 * larger than a page is first cma_alloc()'d from it ({@link Drivers#dmaAlloc}: alloc_contig_range() migrates the
 * movable pages out, pinned ones make it fail), and only when that fails comes from the buddy allocator, which
 * does what it does for any high-order request: direct compaction, reclaim, and when that does not produce a free
 * block of the order, a failure: the kernel log's
 * {@code COMM: page allocation failure: order:N, mode:0xcc0(GFP_KERNEL), nodemask=(null)} and ENOMEM, an error of
 * the step (or its expected outcome with {@code fails: ENOMEM}); nothing is held then. A
 * buffer without a name stays allocated for the driver's lifetime; a name already held, or one not held any more, is
 * an error of the step.
 */
final class DmaAllocStep implements Step {
    /** The largest buffer a step may ask for: a CMA area is at most a quarter of at most 4T of RAM. */
    static final long MAX_SIZE = 1L << 40;

    private final boolean alloc;
    private final String driver;
    private final long size;
    private final String label;
    private final String name;

    private DmaAllocStep(boolean alloc, String driver, long size, String label, String name) {
        this.alloc = alloc;
        this.driver = driver;
        this.size = size;
        this.label = label;
        this.name = name;
    }

    static final class Kind implements StepKind {
        private final boolean alloc;

        Kind(boolean alloc) {
            this.alloc = alloc;
        }

        @Override
        public String key() {
            return alloc ? "dma_alloc" : "dma_free";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            if (!alloc) {
                if (value.isScalar()) {
                    return new DmaAllocStep(false, null, 0, null, names.dmaBuffer(value));
                }
                value.checkKeys("name");
                return new DmaAllocStep(false, null, 0, null, names.dmaBuffer(value.require("name")));
            }
            value.checkKeys("driver", "size", "process", "name");
            String driver = IoremapStep.driverName(value.require("driver"));
            long size = value.require("size").size();
            if (size == 0 || size > MAX_SIZE) {
                throw value.get("size").error("dma_alloc: size must be between 1 and 1T (above 4M, an order-"
                        + PageAlloc.MAX_PAGE_ORDER + " block, only a CMA area has it)");
            }
            String label = value.get("process") == null ? null : names.process(value.get("process"));
            String name = null;
            if (value.get("name") != null) {
                name = value.get("name").string();
                names.defineDmaBuffer(value.get("name"), name);
            }
            return new DmaAllocStep(true, driver, size, label, name);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        Integer held = name == null ? null : run.dmaBuffers().get(name);
        if (!alloc) {
            if (held == null) {
                throw new StepException(describe() + ": '" + name + "' is not allocated");
            }
            run.kernel().drivers().dmaFree(held, 0);
            run.dmaBuffers().remove(name);
            return;
        }
        if (held != null) {
            throw new StepException(describe() + ": '" + name + "' is allocated already (dma_free it first)");
        }
        Task caller;
        if (label != null) {
            caller = run.process(label);
        } else {
            caller = run.kernel().tasks().get(Processes.INIT_PID);
            if (caller == null) {
                throw new StepException(describe() + ": init is not running");
            }
        }
        int r = run.kernel().drivers().dmaAlloc(size, caller);
        if (r < 0) {
            throw StepException.errno(describe(), r);
        }
        if (name != null) {
            run.dmaBuffers().put(name, r);
        }
    }

    @Override
    public String describe() {
        if (!alloc) {
            return "dma_free " + name;
        }
        return "dma_alloc " + Sizes.format(size) + " (order " + Drivers.order(size) + ") by " + driver
                + (label != null ? " for " + label : "") + (name != null ? " as " + name : "");
    }
}
