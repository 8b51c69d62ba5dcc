package io.simproc.mm;

import io.simproc.block.BlockDevice;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Swap areas and the swap cache (mm/swapfile.c, mm/swap_state.c). An area is activated by swapon: its first page
 * is the header, the rest are slots handed out in clusters of {@link #SWAPFILE_CLUSTER} (the allocator finishes the
 * cluster it is in, then takes a free cluster, then any cluster with room), from the area of highest priority that
 * has room. A slot's count is the number of page-table entries that hold it; {@link #SWAP_HAS_CACHE} says a page
 * in the swap cache holds it too. A slot is free when both are gone.
 *
 * <p>The swap cache maps a slot to the anon page that holds its data (PG_swapcache; SwapCached, counted in
 * NR_FILE_PAGES as the kernel counts it), or to a shadow entry after the page was reclaimed. Swap entries are
 * {@code type << TYPE_SHIFT | offset}, never 0.
 *
 * <p>Invariants (checked by {@link MmDebug}): SwapFree = Σ (pages − inuse) ≤ SwapTotal; every slot's count equals
 * the swap PTEs that name it; a slot with SWAP_HAS_CACHE has exactly one page in the swap cache and that page's
 * entry is the slot.
 */
public final class Swapfile {
    public static final int MAX_SWAPFILES = 32;
    static final int TYPE_SHIFT = 26;
    static final int OFFSET_MASK = (1 << TYPE_SHIFT) - 1;
    public static final int SWAPFILE_CLUSTER = 512;
    static final int SWAP_HAS_CACHE = 0x40000000;
    static final int COUNT_MASK = SWAP_HAS_CACHE - 1;
    private static final int SLOT_BAD = -1;

    /** struct swap_info_struct. */
    public static final class SwapInfo {
        final int type;
        final String path;
        final boolean isFile;
        final int prio;
        /** The partition the area is, or holding the swap file; null when the machine has no such device. */
        final BlockDevice bdev;
        /** The zram device the area is (its slots are the device's pages), or null. */
        final Zram zram;
        /** Usable slots: the area's pages less the header. */
        final int pages;
        final int maxPages;
        int inuse;
        final int[] swapMap;
        /** Swap cache: slot → pfn, shadow (≤ SHADOW_BASE) or EMPTY. */
        final int[] cache;
        /** Per slot: the data written to it ({@link PageContent}). */
        final char[] content;
        /** swap_cgroup: per slot, the id of the memory cgroup charged for it (0: none). */
        final char[] swapCgroup;
        final int[] clusterFree;
        int clusterNext = 1;
        boolean active = true;
        /** SWP_WRITEOK: slots may be allocated (cleared while swapoff brings the pages back). */
        boolean writeOk = true;

        SwapInfo(int type, String path, boolean isFile, long sizeBytes, int prio, BlockDevice bdev, Zram zram) {
            this.type = type;
            this.bdev = bdev;
            this.zram = zram;
            this.path = path;
            this.isFile = isFile;
            this.prio = prio;
            this.maxPages = (int) Math.min(OFFSET_MASK, sizeBytes >>> io.simproc.uapi.Page.PAGE_SHIFT);
            this.pages = maxPages - 1;
            this.swapMap = new int[maxPages];
            this.swapMap[0] = SLOT_BAD;
            this.cache = new int[maxPages];
            this.content = new char[maxPages];
            this.swapCgroup = new char[maxPages];
            Arrays.fill(cache, PageCacheIndex.EMPTY);
            int clusters = (maxPages + SWAPFILE_CLUSTER - 1) / SWAPFILE_CLUSTER;
            this.clusterFree = new int[clusters];
            for (int c = 0; c < clusters; c++) {
                clusterFree[c] = Math.min(SWAPFILE_CLUSTER, maxPages - c * SWAPFILE_CLUSTER);
            }
            clusterFree[0]--;
        }

        public String path() {
            return path;
        }

        public boolean isFile() {
            return isFile;
        }

        /** Usable pages (Size in /proc/swaps, in pages). */
        public long pages() {
            return pages;
        }

        /** Slots in use (Used in /proc/swaps, in pages). */
        public long inuse() {
            return inuse;
        }

        public int prio() {
            return prio;
        }
    }

    private final MemoryManager mm;
    private final MemMap map;
    private final SwapInfo[] swapInfo = new SwapInfo[MAX_SWAPFILES];
    private boolean everyAreaOnADevice = true;
    /** nr_swapfiles: the types ever used (swapInfo[nrSwapfiles..] has always been empty). */
    private int nrSwapfiles;
    /** The swap entry of each swap-cache page, by pfn (allocated at the first swapon). */
    private int[] entryOfPfn;
    private int leastPriority = -1;

    Swapfile(MemoryManager mm) {
        this.mm = mm;
        this.map = mm.memMap();
    }

    /** total_swap_pages: usable pages of the active areas (an area being swapped off no longer counts). */
    public long totalSwapPages() {
        long n = 0;
        for (int type = 0; type < nrSwapfiles; type++) {
            SwapInfo si = swapInfo[type];
            if (si != null && si.writeOk) {
                n += si.pages;
            }
        }
        return n;
    }

    /** nr_swap_pages: free slots of the active areas (SwapFree). */
    public long nrSwapPagesFree() {
        long n = 0;
        for (int type = 0; type < nrSwapfiles; type++) {
            SwapInfo si = swapInfo[type];
            if (si != null && si.writeOk) {
                n += si.pages - si.inuse;
            }
        }
        return n;
    }

    /** The active areas in activation (type) order. */
    public List<SwapInfo> areas() {
        List<SwapInfo> out = new ArrayList<>();
        for (SwapInfo si : swapInfo) {
            if (si != null && si.active) {
                out.add(si);
            }
        }
        return out;
    }

    /** The next priority swapon gives an area without one (−2, −3, … in activation order). */
    public int nextDefaultPriority() {
        return leastPriority - 1;
    }

    /**
     * sys_swapon(): activate an area of {@code sizeBytes} at {@code path}; {@code prio} &lt; 0 and equal to
     * {@link #nextDefaultPriority()} takes the default. Returns 0 or a negative errno (EBUSY when already active,
     * EPERM when all MAX_SWAPFILES are in use, EINVAL when too small).
     */
    public int swapon(String path, boolean isFile, long sizeBytes, int prio) {
        mm.assertWriter();
        for (SwapInfo si : swapInfo) {
            if (si != null && si.active && si.path.equals(path)) {
                return -io.simproc.uapi.Errno.EBUSY;
            }
        }
        if (sizeBytes < 10L * io.simproc.uapi.Page.PAGE_SIZE) {
            return -io.simproc.uapi.Errno.EINVAL;
        }
        int type = -1;
        for (int i = 0; i < MAX_SWAPFILES; i++) {
            if (swapInfo[i] == null) {
                type = i;
                break;
            }
        }
        if (type < 0) {
            return -io.simproc.uapi.Errno.EPERM;
        }
        if (prio == leastPriority - 1) {
            leastPriority--;
        }
        if (entryOfPfn == null) {
            entryOfPfn = new int[mm.memMap().nrPfns()];
        }
        BlockDevice bdev = isFile ? mm.blockDevices().root() : mm.blockDevices().lookup(path);
        Zram zram = mm.zram() != null && bdev != null && bdev.disk().name().equals(mm.zram().name()) ? mm.zram()
                : null;
        if (zram != null) {
            zram.setClaimed(true);
        }
        SwapInfo si = new SwapInfo(type, path, isFile, sizeBytes, prio, bdev, zram);
        swapInfo[type] = si;
        everyAreaOnADevice &= si.bdev != null;
        nrSwapfiles = Math.max(nrSwapfiles, type + 1);
        mm.services().printk(KernelServices.KERN_INFO, String.format("Adding %dk swap on %s.  Priority:%d extents:1 across:%dk",
                si.pages * 4L, path, prio, si.pages * 4L));
        return 0;
    }

    /**
     * sys_swapoff(): bring every page of the area back into memory (try_to_unuse: each swap PTE of every address
     * space is faulted in), then deactivate it. Returns 0, -EINVAL when no such area is active, or -ENOMEM when
     * memory ran out (the area stays active).
     */
    public int swapoff(String path) {
        mm.assertWriter();
        SwapInfo si = null;
        for (SwapInfo s : swapInfo) {
            if (s != null && s.active && s.path.equals(path)) {
                si = s;
            }
        }
        if (si == null) {
            return -io.simproc.uapi.Errno.EINVAL;
        }
        si.writeOk = false;
        if (!mm.memory().unuseSwap(si.type)) {
            si.writeOk = true;
            return -io.simproc.uapi.Errno.ENOMEM;
        }
        for (int off = 1; off < si.maxPages; off++) {
            int c = si.cache[off];
            if (c >= 0) {
                deleteFromSwapCache(c, false);
                mm.folios().put(c, 0);
            } else if (c <= PageCacheIndex.SHADOW_BASE) {
                si.cache[off] = PageCacheIndex.EMPTY;
            }
        }
        if (si.inuse != 0) {
            throw new IllegalStateException("swapoff " + path + " left " + si.inuse + " slots in use");
        }
        si.active = false;
        swapInfo[si.type] = null;
        if (si.zram != null) {
            si.zram.setClaimed(false);
        }
        if (si.prio == leastPriority && si.prio < -1) {
            leastPriority++;
        }
        return 0;
    }

    static int type(int entry) {
        return entry >>> TYPE_SHIFT;
    }

    static int offset(int entry) {
        return entry & OFFSET_MASK;
    }

    static int entry(int type, int offset) {
        return type << TYPE_SHIFT | offset;
    }

    /** get_swap_pages(): a slot for one page, from the highest-priority area with room, or 0 when swap is full. */
    int getSwapPage() {
        SwapInfo best = null;
        for (int type = 0; type < nrSwapfiles; type++) {
            SwapInfo si = swapInfo[type];
            if (si != null && si.writeOk && si.inuse < si.pages && (best == null || si.prio > best.prio)) {
                best = si;
            }
        }
        if (best == null) {
            return 0;
        }
        int off = scanSwapMap(best);
        best.swapMap[off] = SWAP_HAS_CACHE;
        best.inuse++;
        best.clusterFree[off / SWAPFILE_CLUSTER]--;
        best.clusterNext = off + 1;
        return entry(best.type, off);
    }

    /** The cluster allocator: the next free slot of the current cluster, else a free cluster, else any room. */
    private static int scanSwapMap(SwapInfo si) {
        int next = si.clusterNext;
        if (next < si.maxPages && next % SWAPFILE_CLUSTER != 0) {
            int end = Math.min(si.maxPages, (next / SWAPFILE_CLUSTER + 1) * SWAPFILE_CLUSTER);
            for (int off = next; off < end; off++) {
                if (si.swapMap[off] == 0) {
                    return off;
                }
            }
        }
        int clusters = si.clusterFree.length;
        int start = Math.min(next, si.maxPages - 1) / SWAPFILE_CLUSTER;
        for (int pass = 0; pass < 2; pass++) {
            for (int k = 0; k < clusters; k++) {
                int c = (start + k) % clusters;
                int size = Math.min(SWAPFILE_CLUSTER, si.maxPages - c * SWAPFILE_CLUSTER);
                boolean wanted = pass == 0 ? si.clusterFree[c] == size : si.clusterFree[c] > 0;
                if (!wanted) {
                    continue;
                }
                for (int off = c * SWAPFILE_CLUSTER; off < c * SWAPFILE_CLUSTER + size; off++) {
                    if (si.swapMap[off] == 0) {
                        return off;
                    }
                }
            }
        }
        throw new IllegalStateException(si.path + ": inuse " + si.inuse + " < " + si.pages + " but no free slot");
    }

    private SwapInfo info(int entry) {
        SwapInfo si = swapInfo[type(entry)];
        if (si == null) {
            throw new IllegalStateException("swap entry " + Integer.toHexString(entry) + " names no active area");
        }
        return si;
    }

    /** swap_duplicate(): one more page-table entry holds the slot (fork, unmap of a swap-cache page). */
    void swapDuplicate(int entry) {
        info(entry).swapMap[offset(entry)]++;
    }

    /**
     * free_swap_and_cache(): a page-table entry holding the slot is gone. When that was the last and only a swap
     * cache page that no one else uses still holds it, the page is freed too.
     */
    void swapFree(int entry) {
        SwapInfo si = info(entry);
        int off = offset(entry);
        if ((si.swapMap[off] & COUNT_MASK) == 0) {
            throw new IllegalStateException("swap count of " + si.path + ":" + off + " went negative");
        }
        int v = --si.swapMap[off];
        if (v == 0) {
            releaseSlot(si, off);
        } else if (v == SWAP_HAS_CACHE) {
            int pfn = si.cache[off];
            if (pfn >= 0 && map.refcount(pfn) == 1 && (map.flags(pfn)
                    & PageFlags.PG_LRU) != 0) {
                deleteFromSwapCache(pfn, false);
                mm.folios().put(pfn, 0);
            }
        }
    }

    /** put_swap_folio(): a slot just taken for a page goes back unused (the page's group may not swap). */
    void putSwapFolio(int entry) {
        SwapInfo si = info(entry);
        int off = offset(entry);
        if (si.swapMap[off] != SWAP_HAS_CACHE || si.cache[off] >= 0) {
            throw new IllegalStateException("swap slot " + Integer.toHexString(entry) + " is in use");
        }
        releaseSlot(si, off);
    }

    /** swap_cgroup_record(): the slot is charged to memory cgroup {@code id}. */
    void recordSwapCgroup(int entry, int id) {
        info(entry).swapCgroup[offset(entry)] = (char) id;
    }

    /** lookup_swap_cgroup_id(). */
    int swapCgroup(int entry) {
        return info(entry).swapCgroup[offset(entry)];
    }

    /** swap_entry_free(): the slot is free, and uncharged from its group (mem_cgroup_uncharge_swap()). */
    private void releaseSlot(SwapInfo si, int off) {
        int memcgId = si.swapCgroup[off];
        si.swapCgroup[off] = 0;
        mm.memcontrol().swap().unchargeSwap(memcgId);
        si.swapMap[off] = 0;
        si.inuse--;
        si.clusterFree[off / SWAPFILE_CLUSTER]++;
        if (si.zram != null) {
            si.zram.slotFreeNotify(off);
        }
        if (si.cache[off] <= PageCacheIndex.SHADOW_BASE) {
            si.cache[off] = PageCacheIndex.EMPTY;
        }
    }

    /** The swap-cache page holding entry's data, or -1; {@code shadowOut[0]} gets a shadow if one is there. */
    int lookupSwapCache(int entry, int[] shadowOut) {
        int v = info(entry).cache[offset(entry)];
        if (shadowOut != null) {
            shadowOut[0] = v <= PageCacheIndex.SHADOW_BASE ? v : 0;
        }
        return v >= 0 ? v : -1;
    }

    /** add_to_swap_cache(): page pfn now caches the slot (which has SWAP_HAS_CACHE set); the cache takes a reference. */
    void addToSwapCache(int pfn, int entry) {
        SwapInfo si = info(entry);
        int off = offset(entry);
        si.swapMap[off] |= SWAP_HAS_CACHE;
        si.cache[off] = pfn;
        entryOfPfn[pfn] = entry;
        map.addFlags(pfn, PageFlags.PG_SWAPCACHE);
        map.incRefcount(pfn);
        mm.memcontrol().modLruvecPageState(pfn, NodeStatItem.NR_SWAPCACHE, 1);
        mm.memcontrol().modLruvecPageState(pfn, NodeStatItem.NR_FILE_PAGES, 1);
    }

    /**
     * delete_from_swap_cache() / __remove_mapping() for a swap-cache page: the slot loses its cache (leaving a
     * shadow when reclaim evicted the page) and is freed if no PTE holds it. The cache's reference is the
     * caller's to drop.
     */
    void deleteFromSwapCache(int pfn, boolean shadow) {
        int entry = entryOfPfn[pfn];
        SwapInfo si = info(entry);
        int off = offset(entry);
        si.cache[off] = shadow ? mm.workingset().eviction(pfn) : PageCacheIndex.EMPTY;
        map.clearFlags(pfn, PageFlags.PG_SWAPCACHE);
        entryOfPfn[pfn] = 0;
        mm.memcontrol().modLruvecPageState(pfn, NodeStatItem.NR_SWAPCACHE, -1);
        mm.memcontrol().modLruvecPageState(pfn, NodeStatItem.NR_FILE_PAGES, -1);
        si.swapMap[off] &= ~SWAP_HAS_CACHE;
        if (si.swapMap[off] == 0) {
            releaseSlot(si, off);
        }
    }

    /** folio_free_swap(): a swap-cache page no PTE refers to by its slot leaves the cache and frees the slot. */
    boolean folioFreeSwap(int pfn) {
        int entry = entryOfPfn[pfn];
        if ((info(entry).swapMap[offset(entry)] & COUNT_MASK) != 0) {
            return false;
        }
        deleteFromSwapCache(pfn, false);
        mm.folios().put(pfn, 0);
        return true;
    }

    /**
     * swap_writepage()'s data transfer: the swap-cache page's data goes to its slot — on a zram area compressed
     * into the device, which may fail (false: the slot keeps what it had).
     */
    boolean writeSlot(int pfn) {
        int entry = entryOfPfn[pfn];
        SwapInfo si = info(entry);
        char word = mm.content().word(pfn);
        if (si.zram != null) {
            Object m = mm.mappings().get(map.mapping(pfn));
            DataClass dc = m instanceof AnonVma av && av.owner != null ? av.owner.dataClass : DataClass.HEAP;
            int nid = mm.zoneOf(pfn).node().nodeId();
            if (!si.zram.writePage(offset(entry), dc, word, nid, firstCpuOf(nid))) {
                return false;
            }
        }
        si.content[offset(entry)] = word;
        return true;
    }

    /** The CPU reclaim on node {@code nid} runs on: the node's first (kswapd's). */
    private int firstCpuOf(int nid) {
        for (int cpu = 0; cpu < mm.nrCpus(); cpu++) {
            if (mm.cpuToNode(cpu) == nid) {
                return cpu;
            }
        }
        return 0;
    }

    /** SWP_SYNCHRONOUS_IO: the area's device does its I/O in the submitter (zram). */
    boolean synchronousIo(int entry) {
        return info(entry).zram != null;
    }

    /** The zram device the slot of {@code entry} is on, or null. */
    Zram zramOf(int entry) {
        return info(entry).zram;
    }

    /**
     * The data behind a swap entry ({@link PageContent}), what a swap-in of it reads: the swap-cache page's when
     * the slot has one (its write to the slot may still be pending), else what was written to the slot.
     */
    public char slotContent(int entry) {
        SwapInfo si = info(entry);
        int off = offset(entry);
        int pfn = si.cache[off];
        return pfn >= 0 ? mm.content().word(pfn) : si.content[off];
    }

    /** The swap entry of a swap-cache page. */
    int entryOf(int pfn) {
        return entryOfPfn[pfn];
    }

    /** For invariant checks: the slot's PTE count and whether the cache holds it. */
    public int swapCount(int entry) {
        return info(entry).swapMap[offset(entry)] & COUNT_MASK;
    }

    boolean hasCache(int entry) {
        return (info(entry).swapMap[offset(entry)] & SWAP_HAS_CACHE) != 0;
    }

    /** Whether every area ever activated had a block device (its I/O reached a disk's statistics). */
    boolean everyAreaOnADevice() {
        return everyAreaOnADevice;
    }

    /** The block device the slot of {@code entry} is on, or null. */
    BlockDevice bdevOf(int entry) {
        return info(entry).bdev;
    }

    SwapInfo area(int type) {
        return swapInfo[type];
    }
}
