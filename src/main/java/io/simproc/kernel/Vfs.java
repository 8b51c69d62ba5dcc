package io.simproc.kernel;

import io.simproc.mm.AddressSpace;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.slab.SuperBlock;

import java.util.Map;
import java.util.TreeMap;

/**
 * The simulated machine's files, as far as memory management sees them: a path names one inode on the root
 * filesystem (/dev/vda1, device fe:01) with a size and an inode number, and one page cache. The same path always
 * gives the same file, so every process that maps a library shares its page cache. Each file holds a dentry and
 * an inode of the root superblock for as long as it exists.
 */
public final class Vfs {
    /** The root filesystem's device: virtio disk vda (major 254), partition 1. */
    public static final int ROOT_DEV_MAJOR = 254;
    public static final int ROOT_DEV_MINOR = 1;
    static final long FIRST_INO = 131073;

    private final MemoryManager mm;
    private final Map<String, AddressSpace> files = new TreeMap<>();
    private long nextIno = FIRST_INO;

    private final SuperBlock rootSb;

    Vfs(MemoryManager mm, SuperBlock rootSb) {
        this.mm = mm;
        this.rootSb = rootSb;
    }

    /** The root filesystem's superblock: its dentries and inodes. */
    public SuperBlock rootSb() {
        return rootSb;
    }

    /** The file at path, created with the given size on first use. */
    public AddressSpace file(String path, long sizeBytes) {
        AddressSpace f = files.get(path);
        if (f == null) {
            f = mm.newFile(path, sizeBytes, ROOT_DEV_MAJOR, ROOT_DEV_MINOR, nextIno);
            rootSb.allocFile(0);
            nextIno += 1 + (path.length() * 7L) % 97;
            files.put(path, f);
        }
        return f;
    }

    /** The file at path if it exists. */
    public AddressSpace lookup(String path) {
        return files.get(path);
    }
}
