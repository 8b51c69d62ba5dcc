package io.simproc.mm.slab;

import io.simproc.mm.Gfp;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.Shrinker;
import io.simproc.uapi.Page;

/**
 * The dentry and inode caches of one mounted filesystem (struct super_block's s_dentry_lru and s_inode_lru) with
 * its superblock shrinker (fs/super.c super_cache_count / super_cache_scan). A file in use holds a dentry and an
 * inode; when its last reference goes ({@link #dput}) the pair becomes unused and joins the dentry LRU of its
 * node, where reclaim can find it. Pruning a dentry (prune_dcache_sb) frees it and leaves its inode unused on the
 * inode LRU; pruning inodes (prune_icache_sb) frees those. Unused objects are kept as addresses in per-node rings,
 * oldest first: no object per cached file.
 *
 * <p>countObjects scales the unused objects by vfs_cache_pressure / vfs_cache_pressure_denom (vfs_pressure_ratio);
 * scanObjects splits the request between dentries and inodes in proportion to their counts, as
 * super_cache_scan does. Simulation thread only.
 */
public final class SuperBlock implements Shrinker {
    private final MemoryManager mm;
    private final Slab slab;
    private final String fsType;
    private final KmemCache inodeCache;
    /** Per node: unused dentries as (dentry, inode) address pairs. */
    private final LongRing[] dentryLru;
    /** Per node: unused inodes without a dentry. */
    private final LongRing[] inodeLru;
    private long nrDentries;
    private long nrInodes;

    SuperBlock(MemoryManager mm, Slab slab, String fsType, KmemCache inodeCache) {
        this.mm = mm;
        this.slab = slab;
        this.fsType = fsType;
        this.inodeCache = inodeCache;
        this.dentryLru = new LongRing[mm.nrNodes()];
        this.inodeLru = new LongRing[mm.nrNodes()];
        for (int nid = 0; nid < mm.nrNodes(); nid++) {
            dentryLru[nid] = new LongRing();
            inodeLru[nid] = new LongRing();
        }
    }

    /** The filesystem type ("ext4", "proc", "sysfs"...). */
    public String fsType() {
        return fsType;
    }

    public KmemCache inodeCache() {
        return inodeCache;
    }

    /** The kernel's shrinker name for a superblock: "sb-" and the filesystem type. */
    @Override
    public String name() {
        return "sb-" + fsType;
    }

    /**
     * d_alloc() + new_inode(): a dentry and an inode for a file now in use, allocated on {@code cpu}. Returns
     * {dentry, inode} addresses, or null when memory ran out (nothing stays allocated then).
     */
    public long[] allocFile(int cpu) {
        return allocFile(cpu, Gfp.GFP_KERNEL);
    }

    /** {@link #allocFile(int)} with the allocations' GFP mask. */
    private long[] allocFile(int cpu, int gfp) {
        mm.assertWriter();
        long inode = slab.kmemCacheAlloc(inodeCache, gfp, cpu);
        if (inode == 0) {
            return null;
        }
        long dentry = slab.kmemCacheAlloc(slab.kernelCaches().dentry, gfp, cpu);
        if (dentry == 0) {
            slab.kfree(inode, cpu);
            return null;
        }
        nrInodes++;
        nrDentries++;
        return new long[] {dentry, inode};
    }

    /** dput() of the last reference: the file's dentry (holding its inode) becomes unused and reclaimable. */
    public void dput(long dentry, long inode) {
        mm.assertWriter();
        dentryLru[nodeOf(dentry)].add(dentry, inode);
    }

    /** Unlink of a file in use: its dentry and inode are freed at once. */
    public void evict(long dentry, long inode, int cpu) {
        mm.assertWriter();
        slab.kfree(dentry, cpu);
        slab.kfree(inode, cpu);
        nrDentries--;
        nrInodes--;
    }

    /**
     * Files looked up and closed again: {@code n} unused dentry/inode pairs allocated on {@code cpu} and left on
     * the LRU (what a boot's path walks leave behind). Opportunistic (__GFP_NORETRY | __GFP_NOWARN): it stops
     * where memory runs out instead of calling the OOM killer. Returns how many were allocated.
     */
    public long populateUnused(long n, int cpu) {
        long done = 0;
        for (; done < n; done++) {
            long[] f = allocFile(cpu, Gfp.GFP_KERNEL | Gfp.__GFP_NORETRY | Gfp.__GFP_NOWARN);
            if (f == null) {
                break;
            }
            dput(f[0], f[1]);
        }
        return done;
    }

    /** Dentries allocated (in use and unused). */
    public long nrDentries() {
        return nrDentries;
    }

    /** Inodes allocated (in use and unused). */
    public long nrInodes() {
        return nrInodes;
    }

    /** Unused dentries on node {@code nid}'s LRU. */
    public long nrUnusedDentries(int nid) {
        return dentryLru[nid].size();
    }

    /** Unused inodes (without a dentry) on node {@code nid}'s LRU. */
    public long nrUnusedInodes(int nid) {
        return inodeLru[nid].size();
    }

    private int nodeOf(long addr) {
        int pfn = (int) ((addr - KmemCache.PAGE_OFFSET) >>> Page.PAGE_SHIFT);
        return mm.zoneOf(pfn).node().nodeId();
    }

    /** super_cache_count(): unused dentries and inodes of the node, through vfs_pressure_ratio(). */
    @Override
    public long countObjects(int nid) {
        long total = dentryLru[nid].size() + inodeLru[nid].size();
        return vfsPressureRatio(total, mm.tunables().vfsCachePressure(), mm.tunables().vfsCachePressureDenom());
    }

    /** vfs_pressure_ratio(): mult_frac(val, sysctl_vfs_cache_pressure, sysctl_vfs_cache_pressure_denom). */
    static long vfsPressureRatio(long val, long pressure, long denom) {
        long quot = val / denom;
        long rem = val % denom;
        return quot * pressure + rem * pressure / denom;
    }

    /** super_cache_scan(): prune dentries and inodes in proportion to their unused counts; the objects freed. */
    @Override
    public long scanObjects(int nid, long nrToScan) {
        mm.assertWriter();
        long dentries = dentryLru[nid].size();
        long inodes = inodeLru[nid].size();
        long total = dentries + inodes + 1;
        long scanDentries = multFrac(nrToScan, dentries, total);
        long scanInodes = multFrac(nrToScan, inodes, total);
        long freed = pruneDcache(nid, scanDentries + 1);
        freed += pruneIcache(nid, scanInodes + 1);
        return freed;
    }

    private static long multFrac(long x, long n, long d) {
        return x / d * n + x % d * n / d;
    }

    /** prune_dcache_sb(): free up to {@code n} of the oldest unused dentries; their inodes become unused. */
    private long pruneDcache(int nid, long n) {
        LongRing lru = dentryLru[nid];
        long freed = 0;
        int cpu = cpuOf(nid);
        while (freed < n && lru.size() > 0) {
            long dentry = lru.peekFirst();
            long inode = lru.peekSecond();
            lru.removeFirst();
            slab.kfree(dentry, cpu);
            nrDentries--;
            inodeLru[nodeOf(inode)].add(inode, 0);
            freed++;
        }
        return freed;
    }

    /** prune_icache_sb(): free up to {@code n} of the oldest unused inodes. */
    private long pruneIcache(int nid, long n) {
        LongRing lru = inodeLru[nid];
        long freed = 0;
        int cpu = cpuOf(nid);
        while (freed < n && lru.size() > 0) {
            long inode = lru.peekFirst();
            lru.removeFirst();
            slab.kfree(inode, cpu);
            nrInodes--;
            freed++;
        }
        return freed;
    }

    private int cpuOf(int nid) {
        for (int cpu = 0; cpu < mm.nrCpus(); cpu++) {
            if (mm.cpuToNode(cpu) == nid) {
                return cpu;
            }
        }
        return 0;
    }

    /** A FIFO of (long, long) pairs in one growable array. */
    static final class LongRing {
        private long[] a = new long[64];
        private int head;
        private int size;

        void add(long x, long y) {
            if (2 * size == a.length) {
                long[] b = new long[a.length * 2];
                for (int i = 0; i < size; i++) {
                    int at = (head + 2 * i) % a.length;
                    b[2 * i] = a[at];
                    b[2 * i + 1] = a[at + 1];
                }
                a = b;
                head = 0;
            }
            int at = (head + 2 * size) % a.length;
            a[at] = x;
            a[at + 1] = y;
            size++;
        }

        long peekFirst() {
            return a[head];
        }

        long peekSecond() {
            return a[head + 1];
        }

        void removeFirst() {
            head = (head + 2) % a.length;
            size--;
        }

        int size() {
            return size;
        }
    }
}
