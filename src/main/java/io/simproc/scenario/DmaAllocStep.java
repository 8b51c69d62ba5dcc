package io.simproc.scenario;

import io.simproc.kernel.Drivers;
import io.simproc.kernel.Processes;
import io.simproc.kernel.Sizes;
import io.simproc.kernel.Task;
import io.simproc.kernel.YamlNode;
import io.simproc.mm.PageAlloc;
import io.simproc.uapi.Page;

/**
 * {@code dma_alloc}: a driver asks for a physically contiguous buffer, dma_alloc_coherent() — one buddy block of
 * get_order(size) pages, unmovable, GFP_KERNEL — in the context of {@code process} (the one opening the device;
 * default init). The allocator does what it does for any high-order request: direct compaction, reclaim, and when
 * that does not produce a free block of the order, a failure: the kernel log's {@code COMM: page allocation
 * failure: order:N, mode:0xcc0(GFP_KERNEL), nodemask=(null)} and ENOMEM, an error of the step (or its expected
 * outcome with {@code fails: ENOMEM}). The buffer stays allocated for the driver's lifetime.
 */
final class DmaAllocStep implements Step {
    private final String driver;
    private final long size;
    private final String label;

    private DmaAllocStep(String driver, long size, String label) {
        this.driver = driver;
        this.size = size;
        this.label = label;
    }

    static final class Kind implements StepKind {
        @Override
        public String key() {
            return "dma_alloc";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            value.checkKeys("driver", "size", "process");
            String driver = IoremapStep.driverName(value.require("driver"));
            long size = value.require("size").size();
            if (size == 0 || size > (long) Page.PAGE_SIZE << PageAlloc.MAX_PAGE_ORDER) {
                throw value.get("size").error("dma_alloc: size must be between 1 and 4M (an order-"
                        + PageAlloc.MAX_PAGE_ORDER + " block, the largest the buddy allocator has)");
            }
            String label = value.get("process") == null ? null : names.process(value.get("process"));
            return new DmaAllocStep(driver, size, label);
        }
    }

    @Override
    public void run(ScenarioRun run) {
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
    }

    @Override
    public String describe() {
        return "dma_alloc " + Sizes.format(size) + " (order " + Drivers.order(size) + ") by " + driver
                + (label != null ? " for " + label : "");
    }
}
