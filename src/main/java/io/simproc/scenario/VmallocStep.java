package io.simproc.scenario;

import io.simproc.config.Sizes;
import io.simproc.config.YamlNode;
import io.simproc.mm.Gfp;
import io.simproc.mm.vmalloc.Vmalloc;
import io.simproc.mm.vmalloc.VmapArea;
import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;

/**
 * {@code vmalloc} and {@code vfree}: kernel code on CPU 0 vmallocs {@code size} bytes (page-aligned, plus its guard
 * page) under a {@code name} — pages from the buddy allocator one by one, VmallocUsed, a /proc/vmallocinfo line
 * with the name as its caller — and later vfrees it by that name. A vmalloc the kernel cannot back is ENOMEM
 * (nothing stays allocated); a name already held, or one not held any more, is an error of the step.
 */
final class VmallocStep implements Step {
    private final boolean alloc;
    private final String name;
    private final long size;

    private VmallocStep(boolean alloc, String name, long size) {
        this.alloc = alloc;
        this.name = name;
        this.size = size;
    }

    static final class Kind implements StepKind {
        private final boolean alloc;

        Kind(boolean alloc) {
            this.alloc = alloc;
        }

        @Override
        public String key() {
            return alloc ? "vmalloc" : "vfree";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            if (!alloc) {
                if (value.isScalar()) {
                    return new VmallocStep(false, names.vmalloc(value), 0);
                }
                value.checkKeys("name");
                return new VmallocStep(false, names.vmalloc(value.require("name")), 0);
            }
            value.checkKeys("name", "size");
            long size = value.require("size").size();
            if (size == 0 || size > Vmalloc.VMALLOC_SIZE / 2) {
                throw value.get("size").error("vmalloc: size must be more than 0 and at most half the vmalloc space");
            }
            String name = value.require("name").string();
            names.defineVmalloc(value.get("name"), name);
            return new VmallocStep(true, name, size);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        Vmalloc v = run.kernel().mm().vmalloc();
        Long held = run.vmallocs().get(name);
        if (!alloc) {
            if (held == null) {
                throw new StepException(describe() + ": '" + name + "' is not allocated");
            }
            v.vfree(held, 0);
            run.vmallocs().remove(name);
            return;
        }
        if (held != null) {
            throw new StepException(describe() + ": '" + name + "' is allocated already (vfree it first)");
        }
        VmapArea a = v.vmalloc(size, Page.PAGE_SIZE, Gfp.GFP_KERNEL, run.kernel().mm().cpuToNode(0), 0, name);
        if (a == null) {
            throw StepException.errno(describe(), -Errno.ENOMEM);
        }
        run.vmallocs().put(name, a.start());
    }

    @Override
    public String describe() {
        return alloc ? "vmalloc " + Sizes.format(size) + " as " + name : "vfree " + name;
    }
}
