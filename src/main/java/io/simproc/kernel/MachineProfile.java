package io.simproc.kernel;

import io.simproc.config.YamlNode;
import io.simproc.mm.KernelConfig;

import java.util.List;

/**
 * A machine to simulate, as read from a profile file (documented in docs/MACHINES.md): its RAM and how the
 * firmware lays it out (e820), its NUMA nodes and CPUs, the kernel's image, release and configuration, and its
 * swap devices. Immutable and validated: a profile that exists describes a machine that can boot.
 *
 * @param name          short name shown in messages
 * @param source        where the profile came from (file path or "embedded default")
 * @param release       uname -r, e.g. "6.18.0-simproc"
 * @param hostname      the machine's host name (for /proc/sys/kernel/hostname and log lines)
 * @param cpu           the processor: count, model and what /proc/cpuinfo shows
 * @param nodeBytes     RAM of each NUMA node, in bytes (their sum is the RAM the e820 map reports)
 * @param e820          the firmware memory map, explicit or generated from the RAM size
 * @param kernelImage   where the kernel's code, rodata, data and bss sit
 * @param movablecore   bytes of each node's top given to ZONE_MOVABLE (movablecore=), 0 for none
 * @param crashkernel   bytes reserved for a kdump kernel (crashkernel=), 0 for none
 * @param cma           the contiguous memory allocator's area (cma=SIZE[@BASE[-LIMIT]]), size 0 for a kernel without
 *                      CONFIG_CMA
 * @param config        kernel build options that change what procfs shows
 * @param swap          swap devices the machine has (activated by swapon)
 * @param disks         its disks and their partitions, one of which holds the root file system
 * @param bootEpoch     btime for offline trees: seconds since the epoch of the simulated boot
 * @param processes     the {@code processes:} list as written (parsed by the workload package), or null
 * @param cgroup        which cgroup hierarchy the memory controller is mounted on: {@link CgroupMode#V2}, the unified
 *                      one (systemd's default), or {@link CgroupMode#V1}, systemd's legacy layout
 * @param zram          the zram swap device systemd's zram-generator sets up at boot, or null for none
 */
public record MachineProfile(
        String name,
        String source,
        String release,
        String hostname,
        CpuModel cpu,
        List<Long> nodeBytes,
        List<E820Entry> e820,
        KernelImage kernelImage,
        long movablecore,
        long crashkernel,
        CmaArea cma,
        KernelConfig config,
        List<SwapDevice> swap,
        List<Disk> disks,
        long bootEpoch,
        YamlNode processes,
        CgroupMode cgroup,
        ZramSetup zram) {

    /**
     * The cgroup layout systemd sets up (systemd.unified_cgroup_hierarchy=): the unified cgroup2 hierarchy at
     * /sys/fs/cgroup, or the legacy one, a tmpfs at /sys/fs/cgroup with the v1 memory hierarchy at
     * /sys/fs/cgroup/memory.
     */
    public enum CgroupMode {
        V1, V2
    }

    /**
     * cma=SIZE[@BASE[-LIMIT]] (kernel/dma/contiguous.c: early_cma()): the global area's size in bytes (0: none),
     * the lowest address it may start at and the address it must end below (0: the end of memory). The area is
     * placed exactly at BASE when BASE + SIZE is LIMIT ("fixed"), else where mm/cma.c finds room.
     */
    public record CmaArea(long size, long base, long limit) {
        public static final CmaArea NONE = new CmaArea(0, 0, 0);

        /** base + size == limit: dma_contiguous_reserve()'s fixed placement. */
        public boolean fixed() {
            return limit != 0 && base + size == limit;
        }

        /** The kernel command line's form. */
        public String cmdline() {
            return io.simproc.config.Sizes.format(size) + (base == 0 && limit == 0 ? ""
                    : "@" + io.simproc.config.Sizes.format(base) + (limit == 0 ? "" : "-"
                    + io.simproc.config.Sizes.format(limit)));
        }
    }

    public MachineProfile {
        nodeBytes = List.copyOf(nodeBytes);
        e820 = List.copyOf(e820);
        swap = List.copyOf(swap);
        disks = List.copyOf(disks);
    }

    public int nrCpus() {
        return cpu.count();
    }

    public int nrNodes() {
        return nodeBytes.size();
    }

    /** Total RAM in bytes as the e820 map reports it. */
    public long ramBytes() {
        return e820.stream().filter(e -> e.type() == E820Entry.Type.RAM).mapToLong(E820Entry::size).sum();
    }

    /**
     * The processor as /proc/cpuinfo shows it. A {@code microcode} revision, {@code cacheKb} or {@code tlbSize} (in 4K
     * pages) of 0 means the CPU reports none, and cpuinfo has no line for it.
     */
    public record CpuModel(int count, String vendorId, int family, int model, String modelName, int stepping,
                           long microcode, double mhz, int cacheKb, int tlbSize, int coresPerSocket, String flags,
                           String bugs, double bogomips, int physicalBits, int virtualBits) {
    }

    /** The kernel image's sections, physical start and size in bytes (Kernel code/rodata/data/bss in iomem). */
    public record KernelImage(long codeStart, long codeSize, long rodataStart, long rodataSize, long dataStart,
                              long dataSize, long bssStart, long bssSize) {
    }

    /**
     * zram0 as swap, set up at boot as zram-generator's systemd-zram-setup@zram0 does: comp_algorithm, disksize,
     * mem_limit (0: none), then mkswap and swapon at {@code priority}.
     */
    public record ZramSetup(long disksize, String algorithm, long memLimit, int priority) {
    }

    /** A swap device or file (swapon); {@code type} is "partition" or "file". */
    public record SwapDevice(String path, String type, long sizeBytes, int priority) {
    }

    /**
     * A disk: its kernel name (vda, sdb, nvme0n1), size in 512-byte sectors and partitions in the order of their
     * numbers.
     */
    public record Disk(String name, long nrSects, List<Partition> partitions) {
        public Disk {
            partitions = List.copyOf(partitions);
        }
    }

    /**
     * A partition: its number, first sector and size in sectors, and the file system mounted from it ({@code mount}
     * and {@code fstype} null when none is, as for a swap partition).
     */
    public record Partition(int partno, long startSect, long nrSects, String mount, String fstype) {
    }
}
