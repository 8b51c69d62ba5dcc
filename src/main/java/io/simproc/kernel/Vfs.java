package io.simproc.kernel;

import io.simproc.block.BlockDevice;
import io.simproc.mm.AddressSpace;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.slab.SuperBlock;
import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;

import java.util.Map;
import java.util.TreeMap;

/**
 * The simulated machine's filesystem namespace, as far as memory management sees it: a path names one inode on
 * the root filesystem (ext4 on the profile's root partition, /dev/vda1 or fe:01 by default) with a size, an inode
 * number and one page cache; the disk itself (/dev/vda, fe:00) has its own page cache, which raw reads of the
 * device and the filesystem's metadata
 * (inode table blocks) go through — its pages are Buffers. The same path always gives the same file, so every
 * process that maps a library shares its page cache. Creating a file dirties its inode's metadata block; reading
 * a file whose inode is not cached reads that block first.
 *
 * <p>A file has a dentry and an inode of the root superblock while it is cached. A file a process maps or runs
 * holds them in use for as long as it exists. A file created and closed ({@link #create}) leaves them unused on the
 * superblock's LRUs, where reclaim and drop_caches may free them (the superblock tells this namespace through
 * {@link SuperBlock.Names}); the next read or write of the path looks it up again and allocates them anew. Unlink
 * frees whatever is cached.
 */
public final class Vfs implements SuperBlock.Names {
    /** The disk under the default machine's root filesystem, the one read_blockdev reads. */
    public static final String DISK_PATH = "/dev/vda";
    /** ext4 with 256-byte inodes: 16 inodes per 4 KiB inode-table block. */
    static final int INODES_PER_BLOCK = 16;
    /** Where the inode tables start on the disk, in pages (past the superblock and group descriptors). */
    static final long INODE_TABLE_PAGE = 1024;
    static final long FIRST_INO = 131073;

    private final MemoryManager mm;
    private final Map<String, AddressSpace> files = new TreeMap<>();
    /** A file's dentry and inode in the cache: addresses (0 once reclaim freed them), held in use or unused. */
    private static final class Cached {
        long dentry;
        long inode;
        boolean inUse;

        Cached(long[] pair, boolean inUse) {
            this.dentry = pair[0];
            this.inode = pair[1];
            this.inUse = inUse;
        }
    }

    /** The cached dentry and inode of each file that has them (none when the slab had no memory for them). */
    private final Map<String, Cached> cached = new java.util.HashMap<>();
    /** Paths of the unused dentries and inodes on the LRUs, by address. */
    private final Map<Long, String> unusedDentries = new java.util.HashMap<>();
    private final Map<Long, String> unusedInodes = new java.util.HashMap<>();
    private final AddressSpace disk;
    private final SuperBlock rootSb;
    private final BlockDevice root;
    private long nextIno = FIRST_INO;

    /** The namespace of the file system on {@code root}, whose whole disk is the block device inode. */
    Vfs(MemoryManager mm, SuperBlock rootSb, BlockDevice root) {
        this.mm = mm;
        this.rootSb = rootSb;
        this.root = root;
        BlockDevice whole = root.disk().part0();
        this.disk = mm.inodes().newBlockdev(whole.path(), whole.nrSects() << 9, whole.major(), whole.minor());
        rootSb.setNames(this);
    }

    /** The root filesystem's superblock: its dentries and inodes. */
    public SuperBlock rootSb() {
        return rootSb;
    }

    /** The file at path, created with the given size on first use, its dentry and inode held in use. */
    public AddressSpace file(String path, long sizeBytes) {
        AddressSpace f = files.get(path);
        if (f == null) {
            f = mm.inodes().newFile(path, sizeBytes, root.major(), root.minor(), nextIno);
            nextIno += 1 + (path.length() * 7L) % 97;
            files.put(path, f);
        }
        Cached c = lookupCached(path);
        if (c != null && !c.inUse) {
            rootSb.dget(c.dentry);
            unusedDentries.remove(c.dentry);
            unusedInodes.remove(c.inode);
            c.inUse = true;
        }
        return f;
    }

    /**
     * A lookup of an existing file (read, write): its dentry and inode cached, allocated again (unused) when reclaim
     * freed them. Returns the file or null.
     */
    public AddressSpace open(String path) {
        AddressSpace f = files.get(path);
        Cached c = cached.get(path);
        if (f != null && (c == null || c.dentry == 0) && lookupCached(path) != null) {
            release(path);
        }
        return f;
    }

    /** The file's cached dentry and inode, allocated (in use) when it has none; null when the slab is out of memory. */
    private Cached lookupCached(String path) {
        Cached c = cached.get(path);
        if (c != null && c.dentry != 0) {
            return c;
        }
        if (c != null) {
            rootSb.evictUnused(0, c.inode, 0);
            unusedInodes.remove(c.inode);
            cached.remove(path);
        }
        long[] pair = rootSb.allocFile(0);
        if (pair == null) {
            return null;
        }
        c = new Cached(pair, true);
        cached.put(path, c);
        return c;
    }

    /** The last reference to the file goes (close): its dentry and inode stay cached, unused and reclaimable. */
    private void release(String path) {
        Cached c = cached.get(path);
        if (c != null && c.inUse) {
            c.inUse = false;
            rootSb.dput(c.dentry, c.inode);
            unusedDentries.put(c.dentry, path);
            unusedInodes.put(c.inode, path);
        }
    }

    @Override
    public void dentryPruned(long dentry) {
        String path = unusedDentries.remove(dentry);
        if (path != null) {
            cached.get(path).dentry = 0;
        }
    }

    @Override
    public boolean inodeFreeable(long inode) {
        String path = unusedInodes.get(inode);
        AddressSpace f = path == null ? null : files.get(path);
        return f == null || f.nrPages() == 0;
    }

    @Override
    public void inodePruned(long inode) {
        String path = unusedInodes.remove(inode);
        if (path != null) {
            cached.remove(path);
        }
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
        release(path);
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
        Cached c = cached.remove(path);
        if (c != null && c.inUse) {
            rootSb.evict(c.dentry, c.inode, 0);
        } else if (c != null) {
            rootSb.evictUnused(c.dentry, c.inode, 0);
            unusedDentries.remove(c.dentry);
            unusedInodes.remove(c.inode);
        }
        mm.inodes().evictInode(f);
        return 0;
    }

    /** Pages of a byte range, rounded out to whole pages. */
    static long[] pageRange(long offset, long len) {
        long first = offset >>> Page.PAGE_SHIFT;
        long end = (offset + len + Page.PAGE_SIZE - 1) >>> Page.PAGE_SHIFT;
        return new long[] {first, Math.max(0, end - first)};
    }
}
