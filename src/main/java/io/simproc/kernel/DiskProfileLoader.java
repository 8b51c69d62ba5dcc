package io.simproc.kernel;

import io.simproc.config.YamlNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code disks:} key of a machine profile and how the swap areas sit on them (docs/MACHINES.md). Partitions
 * are laid out as a partitioning tool aligns them: the first at sector 2048 (1 MiB), each next one at the next
 * 1 MiB boundary, and the disk keeps its last 34 sectors for the backup GPT. Without the key, the machine has the
 * disks its swap partitions name (vda when none does): the partitions the swap areas give, and on the first disk
 * a root ext4 partition numbered 1 (or the lowest free number) taking the rest of a 32 GiB disk.
 */
final class DiskProfileLoader {
    static final long SECTOR = 512;
    static final long ALIGN_SECTS = 2048;
    static final long GPT_BACKUP_SECTS = 34;
    static final long DEFAULT_DISK_BYTES = 32L << 30;
    /** Room the derived root partition keeps at least. */
    static final long MIN_ROOT_BYTES = 4L << 30;
    /** vda, sdb, xvdc, nvme0n1: the kernel names this simulation knows, and their partitions' names. */
    static final Pattern DISK_NAME = Pattern.compile("(vd|sd|xvd)[a-z]|nvme[0-9]n[1-9]");
    private static final Pattern PART_PATH = Pattern.compile("/dev/((?:vd|sd|xvd)[a-z])([1-9][0-9]?)"
            + "|/dev/(nvme[0-9]n[1-9])p([1-9][0-9]?)");

    private DiskProfileLoader() {
    }

    /** The swap areas as given: the device, and the node that said so (its size is optional on a disk). */
    record SwapEntry(YamlNode node, String path, String type, long sizeBytes, int priority) {
    }

    record Result(List<MachineProfile.Disk> disks, List<MachineProfile.SwapDevice> swap) {
    }

    static Result resolve(YamlNode disksNode, List<SwapEntry> swap) {
        List<MachineProfile.Disk> disks = disksNode != null ? explicit(disksNode) : derived(swap);
        List<MachineProfile.SwapDevice> out = new ArrayList<>();
        for (SwapEntry e : swap) {
            long size = e.sizeBytes();
            if (e.type().equals("partition")) {
                MachineProfile.Partition p = partition(disks, e.path());
                if (p == null) {
                    throw e.node().get("path").error("swap partition " + e.path() + " is not a partition of the "
                            + "machine's disks");
                }
                if (p.mount() != null) {
                    throw e.node().get("path").error(e.path() + " holds the file system mounted at " + p.mount());
                }
                long partBytes = p.nrSects() * SECTOR;
                if (size >= 0 && size != partBytes) {
                    throw e.node().get("size").error("swap on " + e.path() + " is the whole partition, "
                            + partBytes + " bytes: leave size out or give that");
                }
                size = partBytes;
            } else if (size < 0) {
                throw e.node().error("a swap file needs a size");
            }
            out.add(new MachineProfile.SwapDevice(e.path(), e.type(), size, e.priority()));
        }
        return new Result(disks, out);
    }

    static MachineProfile.Partition partition(List<MachineProfile.Disk> disks, String path) {
        for (MachineProfile.Disk d : disks) {
            for (MachineProfile.Partition p : d.partitions()) {
                if (path.equals("/dev/" + partitionName(d.name(), p.partno()))) {
                    return p;
                }
            }
        }
        return null;
    }

    /** disk_name(): a disk whose name ends in a digit gets "p" before the partition number. */
    static String partitionName(String disk, int partno) {
        return Character.isDigit(disk.charAt(disk.length() - 1)) ? disk + "p" + partno : disk + partno;
    }

    private static List<MachineProfile.Disk> explicit(YamlNode n) {
        List<MachineProfile.Disk> disks = new ArrayList<>();
        int roots = 0;
        for (YamlNode d : n.sequence()) {
            d.checkKeys("name", "size", "partitions");
            String name = d.require("name").string();
            if (!DISK_NAME.matcher(name).matches()) {
                throw d.get("name").error("disk name '" + name + "' is not one of vdX, sdX, xvdX, nvmeNnM");
            }
            for (MachineProfile.Disk other : disks) {
                if (other.name().equals(name)) {
                    throw d.get("name").error("disk " + name + " is given twice");
                }
            }
            long nrSects = d.require("size").size() / SECTOR;
            long next = ALIGN_SECTS;
            long end = nrSects - GPT_BACKUP_SECTS;
            List<MachineProfile.Partition> parts = new ArrayList<>();
            List<YamlNode> list = d.get("partitions") == null ? List.of() : d.get("partitions").sequence();
            if (!name.startsWith("nvme") && list.size() >= Disks.PART_MINORS) {
                throw d.get("partitions").error(name + " has minors for partitions 1 to 15 only");
            }
            for (int i = 0; i < list.size(); i++) {
                YamlNode p = list.get(i);
                p.checkKeys("size", "mount", "fstype");
                long sects;
                if (p.get("size") != null) {
                    sects = p.get("size").size() / SECTOR;
                } else if (i == list.size() - 1) {
                    sects = (end - next) / ALIGN_SECTS * ALIGN_SECTS;
                } else {
                    throw p.error("only the last partition may leave out its size (it takes the rest)");
                }
                if (sects <= 0 || next + sects > end) {
                    throw p.error("partition " + (i + 1) + " does not fit on " + name);
                }
                String mount = p.get("mount") == null ? null : p.get("mount").string();
                if (mount != null && !mount.startsWith("/")) {
                    throw p.get("mount").error("mount point must be absolute, got '" + mount + "'");
                }
                String fstype = p.get("fstype") == null ? (mount == null ? null : "ext4")
                        : p.get("fstype").oneOf("ext4", "xfs", "btrfs", "vfat");
                if (fstype != null && mount == null) {
                    throw p.get("fstype").error("a file system needs a mount point");
                }
                if ("/".equals(mount)) {
                    roots++;
                }
                parts.add(new MachineProfile.Partition(i + 1, next, sects, mount, fstype));
                next = (next + sects + ALIGN_SECTS - 1) / ALIGN_SECTS * ALIGN_SECTS;
            }
            disks.add(new MachineProfile.Disk(name, nrSects, parts));
        }
        if (roots != 1) {
            throw n.error("exactly one partition must be mounted at /, found " + roots);
        }
        return disks;
    }

    private static List<MachineProfile.Disk> derived(List<SwapEntry> swap) {
        Map<String, TreeMap<Integer, Long>> byDisk = new LinkedHashMap<>();
        for (SwapEntry e : swap) {
            if (!e.type().equals("partition")) {
                continue;
            }
            Matcher m = PART_PATH.matcher(e.path());
            if (!m.matches()) {
                throw e.node().get("path").error("swap partition " + e.path() + " is not a partition name this "
                        + "machine can have (/dev/vda2, /dev/sdb1, /dev/nvme0n1p3...); give the disks with 'disks'");
            }
            String disk = m.group(1) != null ? m.group(1) : m.group(3);
            int partno = Integer.parseInt(m.group(1) != null ? m.group(2) : m.group(4));
            if (m.group(1) != null && partno >= Disks.PART_MINORS) {
                throw e.node().get("path").error(disk + " has minors for partitions 1 to 15 only");
            }
            if (e.sizeBytes() < 0) {
                throw e.node().error("a swap partition needs a size when the profile gives no disks");
            }
            TreeMap<Integer, Long> parts = byDisk.computeIfAbsent(disk, k -> new TreeMap<>());
            if (parts.put(partno, e.sizeBytes()) != null) {
                throw e.node().get("path").error(e.path() + " is given twice");
            }
        }
        if (byDisk.isEmpty()) {
            byDisk.put("vda", new TreeMap<>());
        }
        List<MachineProfile.Disk> disks = new ArrayList<>();
        boolean first = true;
        for (Map.Entry<String, TreeMap<Integer, Long>> d : byDisk.entrySet()) {
            TreeMap<Integer, Long> parts = d.getValue();
            long swapSects = 0;
            for (long bytes : parts.values()) {
                swapSects += alignUp(bytes / SECTOR);
            }
            int rootNo = 0;
            long nrSects;
            if (first) {
                rootNo = 1;
                while (parts.containsKey(rootNo)) {
                    rootNo++;
                }
                long minSects = ALIGN_SECTS + swapSects + MIN_ROOT_BYTES / SECTOR + ALIGN_SECTS;
                nrSects = Math.max(DEFAULT_DISK_BYTES / SECTOR, alignUp(minSects, (1L << 30) / SECTOR));
            } else {
                nrSects = ALIGN_SECTS + swapSects + ALIGN_SECTS;
            }
            List<MachineProfile.Partition> out = new ArrayList<>();
            long next = ALIGN_SECTS;
            TreeMap<Integer, Long> all = new TreeMap<>(parts);
            if (rootNo > 0) {
                all.put(rootNo, -1L);
            }
            for (Map.Entry<Integer, Long> p : all.entrySet()) {
                long sects = p.getValue() >= 0 ? p.getValue() / SECTOR
                        : (nrSects - GPT_BACKUP_SECTS - next - (swapSects - swapBefore(parts, p.getKey())))
                        / ALIGN_SECTS * ALIGN_SECTS;
                boolean root = p.getKey() == rootNo;
                out.add(new MachineProfile.Partition(p.getKey(), next, sects, root ? "/" : null, root ? "ext4" : null));
                next = alignUp(next + sects);
            }
            disks.add(new MachineProfile.Disk(d.getKey(), nrSects, out));
            first = false;
        }
        return disks;
    }

    /** The aligned sectors of the swap partitions numbered below {@code partno}. */
    private static long swapBefore(TreeMap<Integer, Long> parts, int partno) {
        long s = 0;
        for (long bytes : parts.headMap(partno).values()) {
            s += alignUp(bytes / SECTOR);
        }
        return s;
    }

    private static long alignUp(long sects) {
        return alignUp(sects, ALIGN_SECTS);
    }

    private static long alignUp(long v, long to) {
        return (v + to - 1) / to * to;
    }
}
