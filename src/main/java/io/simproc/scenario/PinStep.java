package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.kernel.Task;
import io.simproc.mm.MmStruct;
import io.simproc.uapi.Page;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code pin} / {@code unpin}: the process's region is pinned for DMA as a driver pins user memory, pin_user_pages()
 * with FOLL_WRITE after faulting each page in for writing ({@link io.simproc.mm.Gup}) — by default short-term, as
 * O_DIRECT I/O in flight pins its buffer (the pages stay where they are, in CMA pageblocks too, and neither
 * migration nor reclaim moves them), or with {@code longterm: true} as io_uring fixed buffers and vfio pin
 * (FOLL_LONGTERM: pages in CMA pageblocks or ZONE_MOVABLE first migrate to unmovable memory). {@code unpin}
 * releases the pins (unpin_user_pages()); a page whose process unmapped it meanwhile is freed then.
 */
final class PinStep implements Step {
    private final boolean pin;
    private final String label;
    private final String name;
    private final boolean longterm;

    private PinStep(boolean pin, String label, String name, boolean longterm) {
        this.pin = pin;
        this.label = label;
        this.name = name;
        this.longterm = longterm;
    }

    static final class Kind implements StepKind {
        private final boolean pin;

        Kind(boolean pin) {
            this.pin = pin;
        }

        @Override
        public String key() {
            return pin ? "pin" : "unpin";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            if (pin) {
                value.checkKeys("process", "name", "longterm");
            } else {
                value.checkKeys("process", "name");
            }
            String label = names.process(value.require("process"));
            String name = names.region(label, value.require("name"));
            boolean longterm = pin && value.get("longterm") != null && value.get("longterm").bool();
            return new PinStep(pin, label, name, longterm);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        String key = label + "/" + name;
        if (!pin) {
            int[] held = run.pins().remove(key);
            if (held == null) {
                throw new StepException(describe() + ": '" + name + "' is not pinned");
            }
            // The I/O completes on CPU 0 even when the process died meanwhile.
            for (int pfn : held) {
                run.kernel().mm().gup().unpinUserPage(pfn, 0);
            }
            return;
        }
        int cpu = run.process(label).cpu();
        if (run.pins().containsKey(key)) {
            throw new StepException(describe() + ": '" + name + "' is pinned already (unpin it first)");
        }
        Task t = run.process(label);
        MmStruct m = t.mm();
        List<int[]> pinned = new ArrayList<>();
        int[] err = new int[1];
        for (long[] e : run.region(label, name).extents()) {
            long start = e[0] & Page.PAGE_MASK;
            long len = e[0] + e[1] - start;
            int r = run.kernel().syscalls().touch(t, start, len, true);
            int[] pfns = r < 0 ? null : run.kernel().mm().gup().pinUserPages(m, start, len, longterm, cpu, err);
            if (pfns == null) {
                for (int[] p : pinned) {
                    for (int pfn : p) {
                        run.kernel().mm().gup().unpinUserPage(pfn, cpu);
                    }
                }
                throw StepException.errno(describe(), r < 0 ? r : err[0]);
            }
            pinned.add(pfns);
        }
        run.pins().put(key, pinned.stream().flatMapToInt(java.util.Arrays::stream).toArray());
    }

    @Override
    public String describe() {
        return (pin ? "pin " + (longterm ? "(longterm) " : "") : "unpin ") + name + " in " + label;
    }
}
