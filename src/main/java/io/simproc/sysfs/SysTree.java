package io.simproc.sysfs;

import io.simproc.kernel.Kernel;
import io.simproc.proc.ProcDir;
import io.simproc.proc.ProcTree;

import java.util.List;

/**
 * The layout of the simulated /sys, served by the same {@link io.simproc.proc.ProcFs} machinery as /proc (one
 * instance per tree): kernfs directories and sysfs attributes of a 6.18 kernel for what the simulation has — the
 * NUMA nodes, CPUs, memory blocks and the clock source under devices/system (the last with its bus), and the hugetlb
 * pool, transparent hugepage and KSM settings under kernel/mm. The devices are those of the booted machine (there is
 * no hotplug); every attribute renders the machine's state at open. The root is 0555, as sysfs's is.
 *
 * <p>A new file is an attribute ({@link Sysfs}) added to the directory list of its kobject below, or to the class
 * that builds that directory; a new directory of devices is a class like {@link NodeDevices} whose {@code dir}
 * is listed here.
 */
public final class SysTree {
    private SysTree() {
    }

    /** The tree of machine {@code k}. */
    public static ProcTree create(Kernel k) {
        return k.read(kernel -> {
            MemoryBlocks blocks = MemoryBlocks.of(kernel);
            ProcDir system = Sysfs.dir("system", List.of(
                    ClocksourceDevices.dir(),
                    CpuDevices.dir(kernel),
                    MemoryDevices.dir(blocks),
                    NodeDevices.dir(kernel, blocks)));
            List<io.simproc.proc.ProcEntry> mmDirs = new java.util.ArrayList<>(CmaSysfs.dirs(kernel));
            mmDirs.addAll(List.of(Hugepages.dir(), Ksm.dir(), TransparentHugepage.dir()));
            ProcDir mm = Sysfs.dir("mm", mmDirs);
            List<io.simproc.proc.ProcEntry> devices = new java.util.ArrayList<>(NetClass.deviceTrees());
            devices.addAll(BlockClass.deviceTrees(kernel));
            devices.add(system);
            List<io.simproc.proc.ProcEntry> top = List.of(
                    BlockClass.blockDir(kernel),
                    Sysfs.dir("bus", List.of(ClocksourceDevices.bus())),
                    // power_supply and thermal: classes the kernel registers at boot; a KVM guest has no battery,
                    // mains adapter, thermal zone or cooling device in them.
                    Sysfs.dir("class", List.of(BlockClass.classBlockDir(kernel), NetClass.classDir(),
                            Sysfs.dir("power_supply", List.of()), Sysfs.dir("thermal", List.of()))),
                    Sysfs.dir("dev", List.of(BlockClass.devBlockDir(kernel))),
                    Sysfs.dir("devices", Sysfs.union(devices)),
                    FsKobj.dir(kernel),
                    Sysfs.dir("kernel", List.of(mm)));
            return ProcTree.of(new ProcDir("", 0555, 0, 0, ctx -> top));
        });
    }
}
