package io.simproc.kernel;

import io.simproc.mm.AddressSpace;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.slab.SuperBlock;
import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;

import java.util.Map;
import java.util.TreeMap;

/**
 * The simulated machine's filesystem namespace, as far as memory management sees it: a path names one inode on
 * the root filesystem (ext4 on /dev/vda1, device fe:01) with a size, an inode number and one page cache; the disk
 * itself (/dev/vda, fe:00) has its own page cache, which raw reads of the device and the filesystem's metadata
 * (inode table blocks) go through — its pages are Buffers. The same path always gives the same file, so every
 * process that maps a library shares its page cache. Creating a file dirties its inode's metadata block; reading
 * a file whose inode is not cached reads that block first. Each file holds a dentry and an inode of the root
 * superblock for as long as it exists; unlink frees them.
 */
public final class Vfs {
    /** The root filesystem's device: virtio disk vda (major 254), partition 1. */
    public static final int ROOT_DEV_MAJOR = 254;
    public static final int ROOT_DEV_MINOR = 1;
    /** The whole disk under it. */
    public static final String DISK_PATH = "/dev/vda";
    public static final long DISK_BYTES = 256L << 30;
    /** ext4 with 256-byte inodes: 16 inodes per 4 KiB inode-table block. */
    static final int INODES_PER_BLOCK = 16;
    /** Where the inode tables start on the disk, in pages (past the superblock and group descriptors). */
    static final long INODE_TABLE_PAGE = 1024;
    static final long FIRST_INO = 131073;

    private final MemoryManager mm;
    private final Map<String, AddressSpace> files = new TreeMap<>();
    /** The dentry and inode each file holds (null when the slab had no memory for them). */
    private final Map<String, long[]> dentries = new java.util.HashMap<>();
    private final AddressSpace disk;
    private final SuperBlock rootSb;
    private long nextIno = FIRST_INO;

    Vfs(MemoryManager mm, SuperBlock rootSb) {
        this.mm = mm;
        this.rootSb = rootSb;
        this.disk = mm.newBlockdev(DISK_PATH, DISK_BYTES, ROOT_DEV_MAJOR, 0);
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
            dentries.put(path, rootSb.allocFile(0));
            nextIno += 1 + (path.length() * 7L) % 97;
            files.put(path, f);
        }
        return f;
    }

    /** The file at path if it exists. */
    public AddressSpace lookup(String path) {
        return files.get(path);
    }

    /** Every file, by path. */
    public Map<String, AddressSpace> files() {
        return java.util.Collections.unmodifiableMap(files);
    }

    /** The disk's own page cache (Buffers). */
    public AddressSpace disk() {
        return disk;
    }

    /** The disk page holding a file's inode in the inode table. */
    long inodeBlock(AddressSpace f) {
        return INODE_TABLE_PAGE + (f.ino() - FIRST_INO) / INODES_PER_BLOCK;
    }

    /**
     * open(O_CREAT) of a new file of {@code sizeBytes} (its data not cached): the inode's table block is written
     * (dirty in the disk's cache). Returns the file, or null when the path exists.
     */
    AddressSpace create(String path, long sizeBytes, int nid, int cpu) {
        if (files.containsKey(path)) {
            return null;
        }
        AddressSpace f = file(path, sizeBytes);
        mm.filemap().write(disk, inodeBlock(f), 1, nid, cpu);
        return f;
    }

    /**
     * unlink(2): the name goes; the page cache with it, except pages still mapped, which go with the last mapping.
     * Returns 0 or -ENOENT.
     */
    int unlink(String path) {
        AddressSpace f = files.remove(path);
        if (f == null) {
            return -Errno.ENOENT;
        }
        long[] d = dentries.remove(path);
        if (d != null) {
            rootSb.evict(d[0], d[1], 0);
        }
        mm.evictInode(f);
        return 0;
    }

    /** Pages of a byte range, rounded out to whole pages. */
    static long[] pageRange(long offset, long len) {
        long first = offset >>> Page.PAGE_SHIFT;
        long end = (offset + len + Page.PAGE_SIZE - 1) >>> Page.PAGE_SHIFT;
        return new long[] {first, Math.max(0, end - first)};
    }
}
