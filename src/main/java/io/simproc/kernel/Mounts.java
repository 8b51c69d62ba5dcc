package io.simproc.kernel;

import io.simproc.block.BlockDevice;
import io.simproc.block.BlockDevices;

import java.util.ArrayList;
import java.util.List;

/**
 * The machine's mount namespace (struct mnt_namespace, fs/namespace.c), as a systemd machine has it once booted:
 * the root file system on its partition, the API file systems (sysfs, proc, devtmpfs, devpts, the tmpfs of /run,
 * /run/lock and /dev/shm, the cgroup2 hierarchy — or with the legacy layout the tmpfs of /sys/fs/cgroup and the v1
 * memory hierarchy in it) and the profile's other partitions with a mount point, in mount
 * order. Every task sees this one namespace. The sizes tmpfs and devtmpfs show follow from the RAM as the kernel
 * and the init system set them: devtmpfs half the RAM in size and inodes (shmem_default_max_blocks() and
 * _inodes()), /run a tenth of it, /run/lock 5 MiB; /dev/shm keeps the default and shows no size.
 */
public final class Mounts {
    /**
     * A mount (struct mount with its super block): its id and its parent's, the device number (0:N for a file
     * system without a device), its mount point, the per-mount options, the peer group it shares mounts with,
     * the file system type, the source and the super block's options.
     */
    public record Mount(int id, int parentId, int major, int minor, String mountPoint, String mountOptions,
                        int peerGroup, String fstype, String source, String superOptions) {
    }

    /** The root mount's parent: the initial rootfs, which no task sees. */
    static final int ROOTFS_ID = 1;

    private final List<Mount> mounts;

    private Mounts(List<Mount> mounts) {
        this.mounts = List.copyOf(mounts);
    }

    /** The mounts in the order they were made (show_mountinfo()'s order). */
    public List<Mount> all() {
        return mounts;
    }

    /** The table of a machine with {@code totalramPages} of RAM and the profile's disks. */
    static Mounts boot(MachineProfile profile, long totalramPages, BlockDevices bdevs) {
        long halfPages = totalramPages / 2;
        List<Mount> m = new ArrayList<>();
        int root = 28;
        String nsn = "rw,nosuid,nodev,noexec,relatime";
        m.add(new Mount(22, root, 0, 21, "/sys", nsn, 7, "sysfs", "sysfs", "rw"));
        m.add(new Mount(23, root, 0, 22, "/proc", nsn, 12, "proc", "proc", "rw"));
        m.add(new Mount(24, root, 0, 5, "/dev", "rw,nosuid,relatime", 2, "devtmpfs", "udev",
                "rw,size=" + halfPages * 4 + "k,nr_inodes=" + halfPages + ",mode=755"));
        m.add(new Mount(25, 24, 0, 23, "/dev/pts", "rw,nosuid,noexec,relatime", 3, "devpts", "devpts",
                "rw,gid=5,mode=620,ptmxmode=000"));
        m.add(new Mount(26, root, 0, 24, "/run", nsn, 5, "tmpfs", "tmpfs",
                "rw,size=" + totalramPages * 4 / 10 + "k,mode=755"));
        int nextId = root + 1;
        int nextPeer = 13;
        int nextAnon = 25;
        for (MachineProfile.Disk d : profile.disks()) {
            for (MachineProfile.Partition p : d.partitions()) {
                if ("/".equals(p.mount())) {
                    BlockDevice b = bdevs.lookup("/dev/" + DiskProfileLoader.partitionName(d.name(), p.partno()));
                    m.add(new Mount(root, ROOTFS_ID, b.major(), b.minor(), "/", "rw,relatime", 1, p.fstype(),
                            b.path(), superOptions(p.fstype())));
                }
            }
        }
        m.add(new Mount(nextId++, 24, 0, nextAnon++, "/dev/shm", "rw,nosuid,nodev", 4, "tmpfs", "tmpfs", "rw"));
        m.add(new Mount(nextId++, 26, 0, nextAnon++, "/run/lock", nsn, 6, "tmpfs", "tmpfs", "rw,size=5120k"));
        if (profile.cgroup() == MachineProfile.CgroupMode.V1) {
            // systemd's legacy layout (src/shared/mount-setup.c): a tmpfs, made read-only once the hierarchies are
            // mounted in it, and a v1 hierarchy per controller — here the machine's one, memory.
            int tmpfs = nextId++;
            m.add(new Mount(tmpfs, 22, 0, nextAnon++, "/sys/fs/cgroup", "ro,nosuid,nodev,noexec", 9, "tmpfs",
                    "tmpfs", "ro,size=4096k,nr_inodes=1024,mode=755"));
            m.add(new Mount(nextId++, tmpfs, 0, nextAnon++, "/sys/fs/cgroup/memory", nsn, 10, "cgroup", "cgroup",
                    "rw,memory"));
        } else {
            m.add(new Mount(nextId++, 22, 0, nextAnon++, "/sys/fs/cgroup", nsn, 9, "cgroup2", "cgroup2",
                    "rw,nsdelegate,memory_recursiveprot"));
        }
        for (MachineProfile.Disk d : profile.disks()) {
            for (MachineProfile.Partition p : d.partitions()) {
                if (p.mount() != null && !"/".equals(p.mount())) {
                    BlockDevice b = bdevs.lookup("/dev/" + DiskProfileLoader.partitionName(d.name(), p.partno()));
                    m.add(new Mount(nextId++, parentOf(m, p.mount()), b.major(), b.minor(), p.mount(),
                            "rw,relatime", nextPeer++, p.fstype(), b.path(), superOptions(p.fstype())));
                }
            }
        }
        return new Mounts(m);
    }

    /** The mount {@code path} is mounted on: the one with the longest mount point above it. */
    private static int parentOf(List<Mount> m, String path) {
        Mount best = null;
        for (Mount x : m) {
            String mp = x.mountPoint().equals("/") ? "/" : x.mountPoint() + "/";
            if (path.startsWith(mp) && (best == null || x.mountPoint().length() > best.mountPoint().length())) {
                best = x;
            }
        }
        return best.id();
    }

    /** What the file system's show_options() prints for a default mount. */
    private static String superOptions(String fstype) {
        return switch (fstype) {
            case "ext4" -> "rw,errors=remount-ro";
            case "xfs" -> "rw,attr2,inode64,logbufs=8,logbsize=32k,noquota";
            case "btrfs" -> "rw,space_cache=v2,subvolid=5,subvol=/";
            default -> "rw,fmask=0022,dmask=0022,codepage=437,iocharset=ascii,shortname=mixed,errors=remount-ro";
        };
    }
}
