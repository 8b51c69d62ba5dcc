package io.simproc.mm;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * struct address_space: the page cache of one file (an executable, a library, a data file, or a shmem object),
 * with the identity procfs prints for its mappings (device and inode) and the VMAs that map it (i_mmap) for
 * reverse mapping. Shmem objects (shared anonymous mappings, SysV segments) have swap-backed pages that count as
 * Shmem and live on the anon LRU.
 */
public final class AddressSpace {
    private final int id;
    private final String path;
    private long sizeBytes;
    private final int devMajor;
    private final int devMinor;
    private final long ino;
    private final boolean shmem;
    private final boolean blockdev;
    final PageCacheIndex pages = new PageCacheIndex();
    /** PAGECACHE_TAG_DIRTY: indexes of dirty pages. */
    final java.util.BitSet dirty = new java.util.BitSet();
    long nrDirty;
    /** inode->dirtied_when, valid while nrDirty > 0. */
    long dirtiedWhen;
    /** file_ra_state: index after the last read, and the current readahead window in pages. */
    long raPrevIndex = -1;
    int raSize;
    /** Unlinked while still mapped: the page cache goes with the last mapping. */
    boolean unlinked;
    final Set<Vma> iMmap = new LinkedHashSet<>();
    /** Pages of a shmem object charged to Committed_AS (0 for MAP_NORESERVE / SHM_NORESERVE objects). */
    long chargedPages;

    AddressSpace(int id, String path, long sizeBytes, int devMajor, int devMinor, long ino, boolean shmem,
                 boolean blockdev) {
        this.id = id;
        this.path = path;
        this.sizeBytes = sizeBytes;
        this.devMajor = devMajor;
        this.devMinor = devMinor;
        this.ino = ino;
        this.shmem = shmem;
        this.blockdev = blockdev;
    }

    public int id() {
        return id;
    }

    /** The path maps prints (for shmem: "/dev/zero (deleted)", "/SYSV00000000 (deleted)"...). */
    public String path() {
        return path;
    }

    public long sizeBytes() {
        return sizeBytes;
    }

    /** Pages in the file, rounded up. */
    public long sizePages() {
        return (sizeBytes + io.simproc.uapi.Page.PAGE_SIZE - 1) >>> io.simproc.uapi.Page.PAGE_SHIFT;
    }

    public int devMajor() {
        return devMajor;
    }

    public int devMinor() {
        return devMinor;
    }

    public long ino() {
        return ino;
    }

    public boolean isShmem() {
        return shmem;
    }

    /** A block device's own page cache (its pages count as Buffers). */
    /** mapping_mapped(): whether any VMA maps this file or shmem object. */
    public boolean isMapped() {
        return !iMmap.isEmpty();
    }

    public boolean isBlockdev() {
        return blockdev;
    }

    /** i_size_write(): a write beyond the end grows the file. */
    void setSizeBytes(long bytes) {
        sizeBytes = bytes;
    }

    /** Dirty pages of this file. */
    public long nrDirty() {
        return nrDirty;
    }

    /** Whether the file was unlinked while mapped (its cache lives until the last mapping goes). */
    public boolean isUnlinked() {
        return unlinked;
    }

    /** nrpages: pages of this file in the page cache. */
    public long nrPages() {
        return pages.size();
    }

    /** The pfn caching page {@code index}, or -1. */
    public int findPage(long index) {
        return pages.get(index);
    }
}
