package io.simproc.mm.slab;

import io.simproc.mm.Gfp;
import io.simproc.mm.MemMap;
import io.simproc.mm.MemcgKmem;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.NodeStatItem;
import io.simproc.mm.ObjCgroup;
import io.simproc.mm.PageAlloc;
import io.simproc.mm.PageOwner;
import io.simproc.uapi.Page;

import java.util.Arrays;

/**
 * struct kmem_cache of mm/slub.c: a cache of equal objects carved out of slabs (one buddy block each, possibly of
 * high order). Geometry comes from {@link #calculateSizes} and {@link #calculateOrder} as SLUB computes it; slabs
 * come from the buddy allocator with the cache's migrate type and go back when empty beyond {@code min_partial}.
 *
 * <p>No object per slab or per object: slabs are rows of primitive arrays indexed by a slab id (its first pfn,
 * objects, in-use count, order, state) with a free bitmap per slab; the per-node partial lists link the slabs' first
 * struct pages ({@link PartialLists}, as slab->slab_list shares the page's list_head); the struct pages of a slab
 * record the cache id and slab id so that {@link Slab#kfree} finds them from an address as virt_to_slab() does. Each CPU
 * has an active slab (c->slab) it allocates from; free objects there count as active in slabinfo, as SLUB's
 * get_slabinfo() counts only the partial lists' free objects.
 *
 * <p>Invariants ({@link #check}): inuse = objects − free bits per slab; partial lists hold exactly the slabs that
 * are neither full nor a CPU's slab; counters equal the sums over slabs. Simulation thread only.
 */
public final class KmemCache {
    /** SLAB_HWCACHE_ALIGN. */
    public static final int SLAB_HWCACHE_ALIGN = 0x2000;
    /** SLAB_CACHE_DMA. */
    public static final int SLAB_CACHE_DMA = 0x4000;
    /** SLAB_TYPESAFE_BY_RCU: the free pointer cannot live inside the object. */
    public static final int SLAB_TYPESAFE_BY_RCU = 0x80000;
    /** SLAB_RECLAIM_ACCOUNT: slabs are reclaimable (Reclaimable migrate type, SReclaimable). */
    public static final int SLAB_RECLAIM_ACCOUNT = 0x20000;
    /** SLAB_ACCOUNT: every object is charged to the allocating task's memory cgroup (memcg_slab_post_alloc_hook). */
    public static final int SLAB_ACCOUNT = 0x4000000;
    /** A constructor exists (s->ctor): the free pointer goes after the object. */
    public static final int SLAB_HAS_CTOR = 0x1;

    static final int MIN_PARTIAL = 5;
    static final int MAX_PARTIAL = 10;
    static final int MAX_OBJS_PER_PAGE = 32767;
    /** cache_line_size() on x86_64. */
    static final int CACHE_LINE = 64;
    /** PAGE_OFFSET without KASLR: the direct map where slab objects live. */
    public static final long PAGE_OFFSET = 0xffff888000000000L;

    private static final int NIL = -1;
    private static final byte ST_FREE_ID = 0;
    private static final byte ST_FULL = 1;
    private static final byte ST_PARTIAL = 2;
    private static final byte ST_CPU = 3;

    private final Slab slab;
    private final MemoryManager mm;
    final int id;
    private final String name;
    private final int objectSize;
    private final int size;
    private final int align;
    private final int flags;
    private final int order;
    private final int minOrder;
    private final int minPartial;

    // per slab id
    private int[] slabPfn = new int[16];
    private int[] slabObjects = new int[16];
    private int[] slabInuse = new int[16];
    private int[] slabOrder = new int[16];
    private byte[] slabState = new byte[16];
    private long[] freeBits;
    /** slab->obj_exts: per slab (allocated at its first charged object), each object's objcg, null if uncharged. */
    private ObjCgroup[][] objExts = new ObjCgroup[16][];
    private final int wordsPerSlab;
    private int nrIds;
    private int[] freeIds = new int[16];
    private int nrFreeIds;

    // per node (struct kmem_cache_node): the partial lists, of the slabs' first pfns
    private final MemMap map;
    private final PartialLists partialLists;
    private final long[] nrPartial;
    private final long[] nrSlabs;
    private final long[] totalObjects;
    private final long[] partialFree;
    // per cpu (struct kmem_cache_cpu)
    private final int[] cpuSlab;

    private long liveObjects;

    KmemCache(Slab slab, int id, String name, int objectSize, int align, int flags, int nrCpus, int nrNodes) {
        this.slab = slab;
        this.mm = slab.mm();
        this.id = id;
        this.name = name;
        this.objectSize = objectSize;
        this.flags = flags;
        this.align = calculateAlignment(flags, align, objectSize);
        this.size = calculateSizes(objectSize, this.align, flags);
        this.order = calculateOrder(size, nrCpus);
        this.minOrder = getOrder(size);
        this.minPartial = setMinPartial(size);
        int maxObjects = Math.max(orderObjects(order, size), orderObjects(minOrder, size));
        this.wordsPerSlab = (maxObjects + 63) >>> 6;
        this.freeBits = new long[16 * wordsPerSlab];
        this.map = mm.memMap();
        this.partialLists = new PartialLists(map, nrNodes);
        this.nrPartial = new long[nrNodes];
        this.nrSlabs = new long[nrNodes];
        this.totalObjects = new long[nrNodes];
        this.partialFree = new long[nrNodes];
        this.cpuSlab = new int[nrCpus];
        Arrays.fill(cpuSlab, NIL);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Geometry (calculate_sizes, calculate_order)

    /** calculate_alignment(): cache-line alignment halved while the object fits twice, at least the requested one. */
    static int calculateAlignment(int flags, int align, int size) {
        int a = align;
        if ((flags & SLAB_HWCACHE_ALIGN) != 0) {
            int ralign = CACHE_LINE;
            while (size <= ralign / 2) {
                ralign /= 2;
            }
            a = Math.max(a, ralign);
        }
        return Math.max(a, 8);
    }

    /**
     * calculate_sizes() without debugging: the object rounded to a word; the free pointer after it when the
     * object cannot be overwritten while free (RCU-typesafe or with a constructor); then aligned.
     */
    static int calculateSizes(int objectSize, int align, int flags) {
        int s = (objectSize + 7) & ~7;
        if ((flags & (SLAB_TYPESAFE_BY_RCU | SLAB_HAS_CTOR)) != 0) {
            s += 8;
        }
        return (s + align - 1) / align * align;
    }

    static int orderObjects(int order, int size) {
        return (Page.PAGE_SIZE << order) / size;
    }

    /** get_order(). */
    static int getOrder(long bytes) {
        int o = 0;
        while ((long) Page.PAGE_SIZE << o < bytes) {
            o++;
        }
        return o;
    }

    /** fls(): the 1-based index of the highest set bit. */
    static int fls(int x) {
        return 32 - Integer.numberOfLeadingZeros(x);
    }

    /** calc_slab_order(). */
    static int calcSlabOrder(int size, int minOrder, int maxOrder, int fractLeftover) {
        int o;
        for (o = minOrder; o <= maxOrder; o++) {
            int slabSize = Page.PAGE_SIZE << o;
            int rem = slabSize % size;
            if (rem <= slabSize / fractLeftover) {
                break;
            }
        }
        return o;
    }

    /**
     * calculate_order(): at least 4 × (fls(nr_cpus) + 1) objects per slab when that fits in slub_max_order
     * (PAGE_ALLOC_COSTLY_ORDER), the smallest order wasting at most 1/16 (then 1/8, 1/4, 1/2) of the slab.
     */
    static int calculateOrder(int size, int nrCpus) {
        int slubMaxOrder = PageAlloc.PAGE_ALLOC_COSTLY_ORDER;
        int minObjects = 4 * (fls(nrCpus) + 1);
        int maxObjects = Math.max(orderObjects(slubMaxOrder, size), 1);
        minObjects = Math.min(minObjects, maxObjects);
        int minOrder = getOrder((long) minObjects * size);
        if (orderObjects(minOrder, size) > MAX_OBJS_PER_PAGE) {
            return getOrder((long) size * MAX_OBJS_PER_PAGE) - 1;
        }
        for (int fraction = 16; fraction > 1; fraction /= 2) {
            int o = calcSlabOrder(size, minOrder, slubMaxOrder, fraction);
            if (o <= slubMaxOrder) {
                return o;
            }
        }
        return getOrder(size);
    }

    /** set_min_partial(): ilog2(size) / 2 within [MIN_PARTIAL, MAX_PARTIAL]. */
    static int setMinPartial(int size) {
        int m = (31 - Integer.numberOfLeadingZeros(size)) / 2;
        return Math.max(MIN_PARTIAL, Math.min(MAX_PARTIAL, m));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Allocation and free

    /**
     * slab_alloc_node(): an object from the CPU's slab, else from a partial slab of the CPU's node, else from a
     * new slab. Returns the object's address, or 0 when no slab could be allocated.
     */
    public long alloc(int gfp, int cpu) {
        if ((flags & SLAB_ACCOUNT) == 0 && (gfp & Gfp.__GFP_ACCOUNT) == 0) {
            return allocObject(gfp, cpu);
        }
        MemcgKmem kmem = mm.memcontrol().kmem();
        ObjCgroup objcg = kmem.currentObjcg();
        long addr = allocObject(gfp, cpu);
        if (objcg == null || addr == 0) {
            return addr;
        }
        return postAllocHook(kmem, objcg, gfp, addr, cpu);
    }

    /** obj_full_size(): what an accounted object costs its group, its pointer in obj_exts included. */
    public long objFullSize() {
        return size + 8L;
    }

    /**
     * __memcg_slab_post_alloc_hook(): charge the object to the objcg and count it in the group's slab bytes on the
     * slab's node; when the group refuses the charge the object is freed again and the allocation fails.
     */
    private long postAllocHook(MemcgKmem kmem, ObjCgroup objcg, int gfp, long addr, int cpu) {
        if (kmem.objCgroupCharge(objcg, gfp, objFullSize()) != 0) {
            free(addr, sidOf(pfnOf(addr)), cpu);
            return 0;
        }
        int pfn = pfnOf(addr);
        int sid = sidOf(pfn);
        if (objExts[sid] == null) {
            objExts[sid] = new ObjCgroup[slabObjects[sid]];
        }
        objExts[sid][objIndex(sid, addr)] = objcg;
        kmem.modObjcgState(objcg, mm.zoneOf(pfn).node().nodeId(), statItem(), objFullSize());
        return addr;
    }

    private static int pfnOf(long addr) {
        return (int) ((addr - PAGE_OFFSET) >>> Page.PAGE_SHIFT);
    }

    private int objIndex(int sid, long addr) {
        return (int) ((addr - objectAddress(sid, 0)) / size);
    }

    /** slab_alloc_node() proper: the object, before any memory cgroup sees it. */
    private long allocObject(int gfp, int cpu) {
        int sid = cpuSlab[cpu];
        if (sid == NIL || slabInuse[sid] == slabObjects[sid]) {
            sid = refillCpuSlab(gfp, cpu);
            if (sid == NIL) {
                return 0;
            }
        }
        int base = sid * wordsPerSlab;
        int idx = -1;
        for (int w = 0; w < wordsPerSlab; w++) {
            long bits = freeBits[base + w];
            if (bits != 0) {
                int b = Long.numberOfTrailingZeros(bits);
                freeBits[base + w] = bits & (bits - 1);
                idx = (w << 6) + b;
                break;
            }
        }
        if (idx < 0) {
            throw new IllegalStateException(name + ": slab " + sid + " has no free object but inuse "
                    + slabInuse[sid] + " < " + slabObjects[sid]);
        }
        slabInuse[sid]++;
        liveObjects++;
        return objectAddress(sid, idx);
    }

    private long objectAddress(int sid, int idx) {
        return PAGE_OFFSET + ((long) slabPfn[sid] << Page.PAGE_SHIFT) + (long) idx * size;
    }

    /** ___slab_alloc(): deactivate the full CPU slab and take a partial one (get_partial) or a new one. */
    private int refillCpuSlab(int gfp, int cpu) {
        int old = cpuSlab[cpu];
        if (old != NIL) {
            deactivateSlab(old, cpu);
            cpuSlab[cpu] = NIL;
        }
        int nid = mm.cpuToNode(cpu);
        int first = partialLists.firstEntry(nid);
        int sid;
        if (first != MemMap.NIL) {
            sid = sidOf(first);
            removePartial(sid);
        } else {
            sid = newSlab(gfp, nid, cpu);
            if (sid == NIL) {
                return NIL;
            }
        }
        slabState[sid] = ST_CPU;
        cpuSlab[cpu] = sid;
        return sid;
    }

    /** deactivate_slab(): a CPU slab given up goes to the partial list if it has free objects, else is full. */
    private void deactivateSlab(int sid, int cpu) {
        int nid = mm.zoneOf(slabPfn[sid]).node().nodeId();
        if (slabInuse[sid] == 0 && nrPartial[nid] >= minPartial) {
            discardSlab(sid, cpu);
        } else if (slabInuse[sid] < slabObjects[sid]) {
            addPartial(sid);
        } else {
            slabState[sid] = ST_FULL;
        }
    }

    /**
     * allocate_slab(): the cache's order first without retrying hard (__GFP_NOWARN | __GFP_NORETRY), then the
     * smallest order that holds one object.
     */
    private int newSlab(int gfp, int nid, int cpu) {
        int base = (gfp & ~Gfp.__GFP_NOFAIL) | Gfp.__GFP_COMP;
        if ((flags & SLAB_RECLAIM_ACCOUNT) != 0) {
            base |= Gfp.__GFP_RECLAIMABLE;
        }
        if ((flags & SLAB_CACHE_DMA) != 0) {
            base |= Gfp.__GFP_DMA;
        }
        int o = order;
        int pfn = -1;
        if (o > minOrder) {
            pfn = mm.pageAlloc().allocPages(base | Gfp.__GFP_NOWARN | Gfp.__GFP_NORETRY, o, nid, cpu,
                    PageOwner.SLAB);
        }
        if (pfn < 0) {
            o = minOrder;
            pfn = mm.pageAlloc().allocPages(base, o, nid, cpu, PageOwner.SLAB);
        }
        if (pfn < 0) {
            return NIL;
        }
        int sid = newSlabId();
        int objects = orderObjects(o, size);
        slabPfn[sid] = pfn;
        slabOrder[sid] = o;
        slabObjects[sid] = objects;
        slabInuse[sid] = 0;
        int b = sid * wordsPerSlab;
        Arrays.fill(freeBits, b, b + wordsPerSlab, 0L);
        for (int i = 0; i < objects; i++) {
            freeBits[b + (i >>> 6)] |= 1L << (i & 63);
        }
        int pnid = mm.zoneOf(pfn).node().nodeId();
        nrSlabs[pnid]++;
        totalObjects[pnid] += objects;
        mm.memMap().setKernelPageOwner(pfn, 1 << o, id + 1, sid);
        mm.vmstat().modNodePageState(pfn, statItem(), (long) Page.PAGE_SIZE << o);
        slab.accountSlabPages(1L << o);
        return sid;
    }

    private NodeStatItem statItem() {
        return (flags & SLAB_RECLAIM_ACCOUNT) != 0 ? NodeStatItem.NR_SLAB_RECLAIMABLE_B
                : NodeStatItem.NR_SLAB_UNRECLAIMABLE_B;
    }

    private int newSlabId() {
        if (nrFreeIds > 0) {
            return freeIds[--nrFreeIds];
        }
        if (nrIds == slabPfn.length) {
            int n = nrIds * 2;
            slabPfn = Arrays.copyOf(slabPfn, n);
            slabObjects = Arrays.copyOf(slabObjects, n);
            slabInuse = Arrays.copyOf(slabInuse, n);
            slabOrder = Arrays.copyOf(slabOrder, n);
            slabState = Arrays.copyOf(slabState, n);
            objExts = Arrays.copyOf(objExts, n);
            freeBits = Arrays.copyOf(freeBits, n * wordsPerSlab);
        }
        return nrIds++;
    }

    /** discard_slab(): the slab's pages go back to the buddy allocator. */
    private void discardSlab(int sid, int cpu) {
        int pfn = slabPfn[sid];
        int o = slabOrder[sid];
        int nid = mm.zoneOf(pfn).node().nodeId();
        nrSlabs[nid]--;
        totalObjects[nid] -= slabObjects[sid];
        mm.vmstat().modNodePageState(pfn, statItem(), -((long) Page.PAGE_SIZE << o));
        slab.accountSlabPages(-(1L << o));
        mm.memMap().setKernelPageOwner(pfn, 1 << o, 0, 0);
        mm.pageAlloc().freePages(pfn, o, cpu);
        objExts[sid] = null;
        slabState[sid] = ST_FREE_ID;
        if (nrFreeIds == freeIds.length) {
            freeIds = Arrays.copyOf(freeIds, nrFreeIds * 2);
        }
        freeIds[nrFreeIds++] = sid;
    }

    /**
     * __slab_free() / do_slab_free(): return the object at {@code addr} (found in slab {@code sid}). A full slab
     * becomes partial; a partial slab that empties is discarded when the node already keeps min_partial partial
     * slabs.
     */
    void free(long addr, int sid, int cpu) {
        long off = addr - objectAddress(sid, 0);
        if (off < 0 || off % size != 0 || off / size >= slabObjects[sid]) {
            throw new IllegalStateException(name + ": kfree of 0x" + Long.toHexString(addr)
                    + " which is no object start of slab " + sid);
        }
        int idx = (int) (off / size);
        int w = sid * wordsPerSlab + (idx >>> 6);
        long bit = 1L << (idx & 63);
        if ((freeBits[w] & bit) != 0) {
            throw new IllegalStateException(name + ": double free of 0x" + Long.toHexString(addr));
        }
        ObjCgroup[] exts = objExts[sid];
        if (exts != null && exts[idx] != null) {
            freeHook(exts, idx, sid);
        }
        freeBits[w] |= bit;
        slabInuse[sid]--;
        liveObjects--;
        int nid = mm.zoneOf(slabPfn[sid]).node().nodeId();
        switch (slabState[sid]) {
            case ST_CPU -> {
            }
            case ST_FULL -> {
                if (slabInuse[sid] == 0 && nrPartial[nid] >= minPartial) {
                    discardSlab(sid, cpu);
                } else {
                    addPartial(sid);
                }
            }
            case ST_PARTIAL -> {
                partialFree[nid]++;
                if (slabInuse[sid] == 0 && nrPartial[nid] >= minPartial) {
                    removePartial(sid);
                    discardSlab(sid, cpu);
                }
            }
            default -> throw new IllegalStateException(name + ": free into slab " + sid + " that is not in use");
        }
    }

    /**
     * __memcg_slab_free_hook(): the object's group (the one charged at allocation, its objcg reparented since if
     * the group was removed) is uncharged and its slab bytes drop.
     */
    private void freeHook(ObjCgroup[] exts, int idx, int sid) {
        ObjCgroup objcg = exts[idx];
        exts[idx] = null;
        MemcgKmem kmem = mm.memcontrol().kmem();
        kmem.modObjcgState(objcg, mm.zoneOf(slabPfn[sid]).node().nodeId(), statItem(), -objFullSize());
        kmem.objCgroupUncharge(objcg, objFullSize());
    }

    /** The slab whose first page is {@code pfn}: its struct page records the slab id. */
    private int sidOf(int pfn) {
        return map.index(pfn);
    }

    /** add_partial(): at the head of the node's partial list. */
    private void addPartial(int sid) {
        int nid = mm.zoneOf(slabPfn[sid]).node().nodeId();
        slabState[sid] = ST_PARTIAL;
        partialLists.add(nid, slabPfn[sid]);
        nrPartial[nid]++;
        partialFree[nid] += slabObjects[sid] - slabInuse[sid];
    }

    /** remove_partial(). */
    private void removePartial(int sid) {
        int nid = mm.zoneOf(slabPfn[sid]).node().nodeId();
        partialLists.remove(nid, slabPfn[sid]);
        nrPartial[nid]--;
        partialFree[nid] -= slabObjects[sid] - slabInuse[sid];
        slabState[sid] = ST_FULL;
    }

    /**
     * __kmem_cache_shrink(): flush the CPU slabs to the partial lists, then discard every empty slab. Returns the
     * pages given back.
     */
    public long shrink(int cpu) {
        long before = pages();
        for (int c = 0; c < cpuSlab.length; c++) {
            int sid = cpuSlab[c];
            if (sid != NIL) {
                cpuSlab[c] = NIL;
                if (slabInuse[sid] == slabObjects[sid]) {
                    slabState[sid] = ST_FULL;
                } else {
                    addPartial(sid);
                }
            }
        }
        for (int nid = 0; nid < nrPartial.length; nid++) {
            int pfn = partialLists.firstEntry(nid);
            while (pfn != MemMap.NIL) {
                int next = partialLists.next(pfn);
                int sid = sidOf(pfn);
                if (slabInuse[sid] == 0) {
                    removePartial(sid);
                    discardSlab(sid, cpu);
                }
                pfn = next;
            }
        }
        return before - pages();
    }

    // ---------------------------------------------------------------------------------------------------------
    // What slabinfo shows

    public String name() {
        return name;
    }

    /** s->object_size: what the caller asked for. */
    public int objectSize() {
        return objectSize;
    }

    /** s->size: the stride of one object, what slabinfo prints as objsize. */
    public int size() {
        return size;
    }

    public int align() {
        return align;
    }

    public int flags() {
        return flags;
    }

    public boolean reclaimable() {
        return (flags & SLAB_RECLAIM_ACCOUNT) != 0;
    }

    /** oo_order(s->oo). */
    public int order() {
        return order;
    }

    /** oo_objects(s->oo): objects in a slab of the cache's order. */
    public int objectsPerSlab() {
        return orderObjects(order, size);
    }

    public int minPartial() {
        return minPartial;
    }

    /** Σ nr_slabs over nodes. */
    public long numSlabs() {
        long n = 0;
        for (long s : nrSlabs) {
            n += s;
        }
        return n;
    }

    /** Σ total_objects over nodes (num_objs). */
    public long numObjs() {
        long n = 0;
        for (long s : totalObjects) {
            n += s;
        }
        return n;
    }

    /** get_slabinfo(): num_objs − free objects on the partial lists. */
    public long activeObjs() {
        long free = 0;
        for (long f : partialFree) {
            free += f;
        }
        return numObjs() - free;
    }

    /** Objects allocated and not freed (what a reference model counts). */
    public long liveObjects() {
        return liveObjects;
    }

    /** Pages held by the cache's slabs. */
    public long pages() {
        long n = 0;
        for (int sid = 0; sid < nrIds; sid++) {
            if (slabState[sid] != ST_FREE_ID) {
                n += 1L << slabOrder[sid];
            }
        }
        return n;
    }

    /** Partial slabs on node {@code nid}. */
    public long nrPartial(int nid) {
        return nrPartial[nid];
    }

    /** Empty slabs on the partial lists (kept up to min_partial per node). */
    public long emptyPartialSlabs() {
        long n = 0;
        for (int sid = 0; sid < nrIds; sid++) {
            if (slabState[sid] == ST_PARTIAL && slabInuse[sid] == 0) {
                n++;
            }
        }
        return n;
    }

    /** Each live slab's first pfn and order (for invariant checks): calls {@code action(pfn, order)}. */
    void forEachSlab(java.util.function.BiConsumer<Integer, Integer> action) {
        for (int sid = 0; sid < nrIds; sid++) {
            if (slabState[sid] != ST_FREE_ID) {
                action.accept(slabPfn[sid], slabOrder[sid]);
            }
        }
    }

    /** Each charged object's objcg and the node of its slab (for invariant checks). */
    void forEachCharged(java.util.function.ObjIntConsumer<ObjCgroup> action) {
        for (int sid = 0; sid < nrIds; sid++) {
            if (slabState[sid] == ST_FREE_ID || objExts[sid] == null) {
                continue;
            }
            int nid = mm.zoneOf(slabPfn[sid]).node().nodeId();
            for (ObjCgroup o : objExts[sid]) {
                if (o != null) {
                    action.accept(o, nid);
                }
            }
        }
    }

    /** The slab id a struct page of this cache names must be live and cover that page. */
    boolean ownsPage(int sid, int pfn) {
        return sid >= 0 && sid < nrIds && slabState[sid] != ST_FREE_ID && pfn >= slabPfn[sid]
                && pfn < slabPfn[sid] + (1 << slabOrder[sid]);
    }

    /** Consistency of the slab rows, lists and counters; appends violations. */
    void check(java.util.List<String> errors) {
        long[] slabs = new long[nrSlabs.length];
        long[] objs = new long[nrSlabs.length];
        long[] pFree = new long[nrSlabs.length];
        long[] partial = new long[nrSlabs.length];
        long live = 0;
        for (int sid = 0; sid < nrIds; sid++) {
            if (slabState[sid] == ST_FREE_ID) {
                continue;
            }
            int nid = mm.zoneOf(slabPfn[sid]).node().nodeId();
            slabs[nid]++;
            objs[nid] += slabObjects[sid];
            long free = 0;
            for (int w = 0; w < wordsPerSlab; w++) {
                free += Long.bitCount(freeBits[sid * wordsPerSlab + w]);
            }
            if (free != slabObjects[sid] - slabInuse[sid]) {
                errors.add(name + " slab " + sid + ": " + free + " free bits but inuse " + slabInuse[sid] + " of "
                        + slabObjects[sid]);
            }
            live += slabInuse[sid];
            if (slabState[sid] == ST_PARTIAL) {
                pFree[nid] += free;
                partial[nid]++;
            } else if (slabState[sid] == ST_FULL && free != 0) {
                errors.add(name + " slab " + sid + " is off every list with " + free + " free objects");
            }
        }
        for (int nid = 0; nid < slabs.length; nid++) {
            long onList = 0;
            for (int pfn = partialLists.firstEntry(nid); pfn != MemMap.NIL; pfn = partialLists.next(pfn)) {
                int sid = sidOf(pfn);
                onList++;
                if (slabState[sid] != ST_PARTIAL) {
                    errors.add(name + " slab " + sid + " on node " + nid + "'s partial list in state " + slabState[sid]);
                }
            }
            if (onList != partial[nid] || onList != nrPartial[nid]) {
                errors.add(name + " node " + nid + ": partial list " + onList + ", partial slabs " + partial[nid]
                        + ", nr_partial " + nrPartial[nid]);
            }
            if (slabs[nid] != nrSlabs[nid] || objs[nid] != totalObjects[nid] || pFree[nid] != partialFree[nid]) {
                errors.add(name + " node " + nid + ": counters slabs/objs/partial-free " + nrSlabs[nid] + "/"
                        + totalObjects[nid] + "/" + partialFree[nid] + ", slabs say " + slabs[nid] + "/" + objs[nid]
                        + "/" + pFree[nid]);
            }
        }
        if (live != liveObjects) {
            errors.add(name + ": " + liveObjects + " live objects counted, slabs hold " + live);
        }
    }
}
