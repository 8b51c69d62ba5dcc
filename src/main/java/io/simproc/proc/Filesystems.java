package io.simproc.proc;

import io.simproc.kernel.Mounts;

import java.util.ArrayList;
import java.util.List;

/**
 * /proc/filesystems (fs/filesystems.c: filesystems_proc_show()): the registered file system types in registration
 * order, one {@code "%s\t%s\n"} line each, the first column "nodev" for a type without FS_REQUIRES_DEV. The list is
 * the file systems the modelled 6.18 guest kernel registers (built in, as it has no modules; register_filesystem()
 * appends each at the tail of file_systems as its init call runs). A profile's partition of a type that kernel
 * lacks (vfat: CONFIG_VFAT_FS is off in it) describes a kernel built with that type too, so the type is shown
 * registered after the built-in ones: every type of the mount table is registered, as mounting requires.
 */
public final class Filesystems implements ProcFile.Renderer {
    /** A registered type: its name and whether it needs no block device (the "nodev" column). */
    public record FileSystemType(String name, boolean nodev) {
    }

    /** The file systems the modelled 6.18 guest kernel registers (built-in; fs/filesystems.c), in that order. */
    public static final List<FileSystemType> BUILT_IN = List.of(
            nodev("sysfs"), nodev("tmpfs"), nodev("proc"), nodev("cgroup"), nodev("cgroup2"), nodev("cpuset"),
            nodev("devtmpfs"), nodev("binfmt_misc"), nodev("debugfs"), nodev("tracefs"), nodev("securityfs"),
            nodev("sockfs"), nodev("bpf"), nodev("pipefs"), nodev("ramfs"), nodev("hugetlbfs"), nodev("devpts"),
            dev("ext3"), dev("ext2"), dev("ext4"), dev("squashfs"), dev("fuseblk"), nodev("fuse"), nodev("fusectl"),
            nodev("overlay"), dev("xfs"), dev("erofs"), nodev("mqueue"), dev("btrfs"), nodev("pstore"));

    private static FileSystemType nodev(String name) {
        return new FileSystemType(name, true);
    }

    private static FileSystemType dev(String name) {
        return new FileSystemType(name, false);
    }

    /** The registered types of a machine with this mount table: the built-in ones, then those only it mounts. */
    public static List<FileSystemType> registered(Mounts mounts) {
        List<FileSystemType> out = new ArrayList<>(BUILT_IN);
        for (Mounts.Mount m : mounts.all()) {
            if (out.stream().noneMatch(t -> t.name().equals(m.fstype()))) {
                out.add(dev(m.fstype()));
            }
        }
        return out;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        Seq s = new Seq(1024);
        for (FileSystemType t : registered(ctx.kernel().mounts())) {
            s.put(t.nodev() ? "nodev" : "").put('\t').put(t.name()).nl();
        }
        return s.bytes();
    }
}
