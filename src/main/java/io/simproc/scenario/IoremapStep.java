package io.simproc.scenario;

import io.simproc.config.Sizes;
import io.simproc.config.YamlNode;
import io.simproc.mm.vmalloc.VmapArea;
import io.simproc.uapi.Errno;

/**
 * {@code ioremap}: a driver maps {@code size} bytes of its device's registers (a BAR in the 64-bit PCI window):
 * a vmalloc area with no pages of its own, an {@code ioremap} line of /proc/vmallocinfo with its phys= address
 * and the driver's probe routine as caller. It costs a vmap_area object and address space, no memory.
 */
final class IoremapStep implements Step {
    private final String driver;
    private final long size;

    private IoremapStep(String driver, long size) {
        this.driver = driver;
        this.size = size;
    }

    static final class Kind implements StepKind {
        /** The largest BAR the step maps: the 64-bit window holds the virtio devices' BARs and these. */
        static final long MAX_SIZE = 64L << 30;

        @Override
        public String key() {
            return "ioremap";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            value.checkKeys("driver", "size");
            String driver = driverName(value.require("driver"));
            long size = value.require("size").size();
            if (size == 0 || size > MAX_SIZE) {
                throw value.get("size").error("ioremap: size must be more than 0 and at most 64G");
            }
            return new IoremapStep(driver, size);
        }
    }

    /** A driver (module) name: letters, digits and _. */
    static String driverName(YamlNode n) {
        String d = n.string();
        if (!d.matches("[A-Za-z0-9_]+")) {
            throw n.error("'" + d + "' is not a module name (letters, digits and _)");
        }
        return d;
    }

    @Override
    public void run(ScenarioRun run) {
        VmapArea a = run.kernel().drivers().ioremap(driver, size);
        if (a == null) {
            throw StepException.errno(describe(), -Errno.ENOMEM);
        }
    }

    @Override
    public String describe() {
        return "ioremap " + Sizes.format(size) + " by " + driver;
    }
}
