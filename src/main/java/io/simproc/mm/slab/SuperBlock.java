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
 * inode LRU; pruning inodes (prune_icache_sb) frees those, except an inode whose file still has pages in the page
 * cache, which is rotated (inode_lru_isolate's LRU_ROTATE). Unused objects are kept as addresses in per-node rings,
 * oldest first: no object per cached file. An object taken off an LRU before reclaim reaches it ({@link #dget},
 * {@link #evictUnused}) stays in its ring and is skipped there, as the kernel's LRU walk skips
 * dentries that are in use again; the map of valid entries says which ring entries still count.
 *
 * <p>The {@link Names} listener (the VFS) hears of every dentry and inode of its files that reclaim frees, so that
 * the next lookup of the path allocates them again.
 *
 * <p>countObjects scales the unused objects by vfs_cache_pressure / vfs_cache_pressure_denom (vfs_pressure_ratio);
 * scanObjects splits the request between dentries and inodes in proportion to their counts, as
 * super_cache_scan does. Simulation thread only.
 */
public final class SuperBlock implements Shrinker {
    /** What the filesystem's namespace is told about the objects reclaim frees. */
    public interface Names {
        /** The dentry at this address was pruned; its inode is now unused on the inode LRU. */
        void dentryPruned(long dentry);

        /** Whether the unused inode at this address may be freed (false: its file still has cached pages). */
        boolean inodeFreeable(long inode);

        /** The unused inode at this address was freed. */
        void inodePruned(long inode);
    }

    private final MemoryManager mm;
    private final Slab slab;
    private final String fsType;
    private final KmemCache inodeCache;
    /** Per node: unused dentries as (dentry, inode) address pairs. */
    private final LongRing[] dentryLru;
    /** Per node: unused inodes without a dentry. */
    private final LongRing[] inodeLru;
    /** Unused dentries that count: dentry address → its inode's (entries in the rings not in here are skipped). */
    private final java.util.Map<Long, Long> unusedDentries = new java.util.HashMap<>();
    /** Unused inodes without a dentry that count. */
    private final java.util.Set<Long> unusedInodes = new java.util.HashSet<>();
    private final long[] nrUnusedDentries;
    private final long[] nrUnusedInodes;
    private long nrDentries;
    private long nrInodes;
    private Names names;

    SuperBlock(MemoryManager mm, Slab slab, String fsType, KmemCache inodeCache) {
        this.mm = mm;
        this.slab = slab;
        this.fsType = fsType;
        this.inodeCache = inodeCache;
        this.dentryLru = new LongRing[mm.nrNodes()];
        this.inodeLru = new LongRing[mm.nrNodes()];
        this.nrUnusedDentries = new long[mm.nrNodes()];
        this.nrUnusedInodes = new long[mm.nrNodes()];
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

    /** Listen to what reclaim frees (the VFS naming the files). */
    public void setNames(Names names) {
        this.names = names;
    }

    /** dput() of the last reference: the file's dentry (holding its inode) becomes unused and reclaimable. */
    public void dput(long dentry, long inode) {
        mm.assertWriter();
        int nid = nodeOf(dentry);
        dentryLru[nid].add(dentry, inode);
        unusedDentries.put(dentry, inode);
        nrUnusedDentries[nid]++;
    }

    /** dget() of an unused dentry (a lookup found it cached): in use again, off the LRU. */
    public void dget(long dentry) {
        mm.assertWriter();
        if (unusedDentries.remove(dentry) == null) {
            throw new IllegalStateException("dget of a dentry that is not unused: " + Long.toHexString(dentry));
        }
        nrUnusedDentries[nodeOf(dentry)]--;
    }

    /**
     * Unlink of a file whose dentry (or, with {@code dentry} 0, whose inode alone) is unused in the cache: both are
     * freed at once and their LRU entries no longer count.
     */
    public void evictUnused(long dentry, long inode, int cpu) {
        mm.assertWriter();
        if (dentry != 0) {
            dget(dentry);
            slab.kfree(dentry, cpu);
            nrDentries--;
        } else {
            if (!unusedInodes.remove(inode)) {
                throw new IllegalStateException("evict of an inode that is not unused: " + Long.toHexString(inode));
            }
            nrUnusedInodes[nodeOf(inode)]--;
        }
        slab.kfree(inode, cpu);
        nrInodes--;
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

    /** The LRU counts agree with the entries that count in the rings, and no more objects are unused than exist. */
    public void check(java.util.List<String> errors) {
        long[] d = new long[nrUnusedDentries.length];
        long[] i = new long[nrUnusedInodes.length];
        unusedDentries.keySet().forEach(a -> d[nodeOf(a)]++);
        unusedInodes.forEach(a -> i[nodeOf(a)]++);
        if (!java.util.Arrays.equals(d, nrUnusedDentries) || !java.util.Arrays.equals(i, nrUnusedInodes)) {
            errors.add(name() + ": unused dentries/inodes per node " + java.util.Arrays.toString(nrUnusedDentries) + "/"
                    + java.util.Arrays.toString(nrUnusedInodes) + " but the LRUs hold " + java.util.Arrays.toString(d)
                    + "/" + java.util.Arrays.toString(i));
        }
        if (unusedDentries.size() > nrDentries || unusedDentries.size() + unusedInodes.size() > nrInodes) {
            errors.add(name() + ": more unused dentries or inodes than allocated (" + unusedDentries.size() + "+"
                    + unusedInodes.size() + " of " + nrDentries + "/" + nrInodes + ")");
        }
    }

    /** Unused dentries on node {@code nid}'s LRU. */
    public long nrUnusedDentries(int nid) {
        return nrUnusedDentries[nid];
    }

    /** Unused inodes (without a dentry) on node {@code nid}'s LRU. */
    public long nrUnusedInodes(int nid) {
        return nrUnusedInodes[nid];
    }

    private int nodeOf(long addr) {
        int pfn = (int) ((addr - KmemCache.PAGE_OFFSET) >>> Page.PAGE_SHIFT);
        return mm.zoneOf(pfn).node().nodeId();
    }

    /** super_cache_count(): unused dentries and inodes of the node, through vfs_pressure_ratio(). */
    @Override
    public long countObjects(int nid) {
        long total = nrUnusedDentries[nid] + nrUnusedInodes[nid];
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
        long dentries = nrUnusedDentries[nid];
        long inodes = nrUnusedInodes[nid];
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
            lru.removeFirst();
            Long inode = unusedDentries.remove(dentry);
            if (inode == null) {
                continue;
            }
            nrUnusedDentries[nid]--;
            slab.kfree(dentry, cpu);
            nrDentries--;
            int inid = nodeOf(inode);
            inodeLru[inid].add(inode, 0);
            unusedInodes.add(inode);
            nrUnusedInodes[inid]++;
            if (names != null) {
                names.dentryPruned(dentry);
            }
            freed++;
        }
        return freed;
    }

    /**
     * prune_icache_sb(): walk up to {@code n} of the oldest unused inodes, freeing each unless its file still has
     * pages in the page cache (then it goes to the back of the LRU).
     */
    private long pruneIcache(int nid, long n) {
        LongRing lru = inodeLru[nid];
        long freed = 0;
        long scanned = 0;
        int cpu = cpuOf(nid);
        while (scanned < n && lru.size() > 0) {
            long inode = lru.peekFirst();
            lru.removeFirst();
            if (!unusedInodes.contains(inode)) {
                continue;
            }
            scanned++;
            if (names != null && !names.inodeFreeable(inode)) {
                lru.add(inode, 0);
                continue;
            }
            unusedInodes.remove(inode);
            nrUnusedInodes[nid]--;
            slab.kfree(inode, cpu);
            nrInodes--;
            if (names != null) {
                names.inodePruned(inode);
            }
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
