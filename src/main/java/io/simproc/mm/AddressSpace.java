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
    private final long sizeBytes;
    private final int devMajor;
    private final int devMinor;
    private final long ino;
    private final boolean shmem;
    final PageCacheIndex pages = new PageCacheIndex();
    final Set<Vma> iMmap = new LinkedHashSet<>();
    /** Pages of a shmem object charged to Committed_AS (0 for MAP_NORESERVE / SHM_NORESERVE objects). */
    long chargedPages;

    AddressSpace(int id, String path, long sizeBytes, int devMajor, int devMinor, long ino, boolean shmem) {
        this.id = id;
        this.path = path;
        this.sizeBytes = sizeBytes;
        this.devMajor = devMajor;
        this.devMinor = devMinor;
        this.ino = ino;
        this.shmem = shmem;
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

    /** nrpages: pages of this file in the page cache. */
    public long nrPages() {
        return pages.size();
    }

    /** The pfn caching page {@code index}, or -1. */
    public int findPage(long index) {
        return pages.get(index);
    }
}
