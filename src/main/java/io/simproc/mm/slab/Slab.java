package io.simproc.mm.slab;

import io.simproc.mm.Gfp;
import io.simproc.mm.MemMap;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.NodeStatItem;
import io.simproc.mm.PageOwner;
import io.simproc.mm.ZoneType;
import io.simproc.uapi.Page;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * mm/slab_common.c with SLUB underneath: the list of caches (slab_caches, newest first as slabinfo prints it),
 * kmem_cache_create(), the kmalloc caches of every type (kmalloc-, kmalloc-rcl-, kmalloc-cg-, dma-kmalloc-) and
 * kmalloc()/kfree() — kfree finds the cache and slab of an address from its struct page. Requests above
 * KMALLOC_MAX_CACHE_SIZE go to the page allocator as large kmallocs, accounted as unreclaimable slab without a
 * cache, as ___kmalloc_large_node() does.
 *
 * <p>Invariant: slab pages (owner SLAB) = Σ pages of every cache's slabs + large kmalloc pages, and
 * NR_SLAB_RECLAIMABLE_B + NR_SLAB_UNRECLAIMABLE_B = those pages in bytes. Simulation thread only.
 */
public final class Slab {
    /** KMALLOC_SHIFT_HIGH = PAGE_SHIFT + 1: the largest kmalloc cache is 8 KiB. */
    public static final int KMALLOC_MAX_CACHE_SIZE = 8192;
    /** kmalloc_info[] sizes of 4 KiB-page x86_64, in index order (96 and 192 sit at indexes 1 and 2). */
    static final int[] KMALLOC_SIZES = {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192};
    /** A struct page mapping value marking a large kmalloc block (no cache). */
    static final int LARGE_KMALLOC = Integer.MAX_VALUE;

    /** enum kmalloc_cache_type in kernel order with its name prefix and the gfp bit that selects it. */
    public enum KmallocType {
        KMALLOC_NORMAL("kmalloc-", 0, 0),
        KMALLOC_RECLAIM("kmalloc-rcl-", Gfp.__GFP_RECLAIMABLE, KmemCache.SLAB_RECLAIM_ACCOUNT),
        KMALLOC_DMA("dma-kmalloc-", Gfp.__GFP_DMA, KmemCache.SLAB_CACHE_DMA),
        KMALLOC_CGROUP("kmalloc-cg-", Gfp.__GFP_ACCOUNT, 0);

        final String prefix;
        final int gfp;
        final int cacheFlags;

        KmallocType(String prefix, int gfp, int cacheFlags) {
            this.prefix = prefix;
            this.gfp = gfp;
            this.cacheFlags = cacheFlags;
        }
    }

    private final MemoryManager mm;
    private final List<KmemCache> caches = new ArrayList<>();
    private final KmemCache[][] kmallocCaches = new KmemCache[KmallocType.values().length][KMALLOC_SIZES.length];
    private final KernelCaches kernelCaches;
    private final List<SuperBlock> superBlocks = new ArrayList<>();
    private long slabPages;
    private long largeKmallocPages;

    /** kmem_cache_init() + create_kmalloc_caches(): the boot caches, then every kmalloc cache of every type. */
    public Slab(MemoryManager mm) {
        this.mm = mm;
        createCache("kmem_cache_node", 64, 0, KmemCache.SLAB_HWCACHE_ALIGN);
        createCache("kmem_cache", 256, 0, KmemCache.SLAB_HWCACHE_ALIGN);
        for (KmallocType t : KmallocType.values()) {
            if (t == KmallocType.KMALLOC_DMA && mm.zones().stream().noneMatch(z -> z.type() == ZoneType.DMA
                    && z.spannedPages() > 0)) {
                continue;
            }
            for (int i = 0; i < KMALLOC_SIZES.length; i++) {
                int sz = KMALLOC_SIZES[i];
                String label = sz >= 1024 ? (sz >> 10) + "k" : Integer.toString(sz);
                kmallocCaches[t.ordinal()][i] = createCache(t.prefix + label, sz, sz, t.cacheFlags);
            }
        }
        kernelCaches = new KernelCaches(this);
    }

    /**
     * A mounted filesystem's dentry and inode caches (alloc_super), its shrinker registered with the memory
     * manager as alloc_super's shrinker_register does.
     */
    public SuperBlock mount(String fsType, KmemCache inodeCache) {
        mm.assertWriter();
        SuperBlock sb = new SuperBlock(mm, this, fsType, inodeCache);
        superBlocks.add(sb);
        mm.shrinkers().register(sb);
        return sb;
    }

    /** The mounted filesystems' superblocks in mount order. */
    public List<SuperBlock> superBlocks() {
        return Collections.unmodifiableList(superBlocks);
    }

    /** The core kernel's named caches. */
    public KernelCaches kernelCaches() {
        return kernelCaches;
    }

    MemoryManager mm() {
        return mm;
    }

    /**
     * kmem_cache_create(): a new cache, inserted at the head of the cache list.
     *
     * @param objectSize the object's size in bytes
     * @param align      the requested alignment (0: word)
     * @param flags      {@link KmemCache} SLAB_* flags
     */
    public KmemCache createCache(String name, int objectSize, int align, int flags) {
        if (objectSize <= 0 || objectSize > (Page.PAGE_SIZE << io.simproc.mm.PageAlloc.MAX_PAGE_ORDER)) {
            throw new IllegalArgumentException("kmem_cache_create(" + name + "): size " + objectSize);
        }
        KmemCache c = new KmemCache(this, caches.size(), name, objectSize, align, flags, mm.nrCpus(), mm.nrNodes());
        caches.add(c);
        if (caches.size() == 2) {
            for (KmemCache boot : caches) {
                allocDescriptors(boot);
            }
        } else if (caches.size() > 2) {
            allocDescriptors(c);
        }
        return c;
    }

    /** A cache's own struct kmem_cache and one struct kmem_cache_node per node live in the first two caches. */
    private void allocDescriptors(KmemCache c) {
        caches.get(1).alloc(Gfp.GFP_NOWAIT, 0);
        for (int nid = 0; nid < mm.nrNodes(); nid++) {
            caches.get(0).alloc(Gfp.GFP_NOWAIT, 0);
        }
    }

    /** The caches in slab_caches order: the most recently created first. */
    public List<KmemCache> caches() {
        List<KmemCache> l = new ArrayList<>(caches);
        Collections.reverse(l);
        return l;
    }

    /** A cache by name, or null. */
    public KmemCache cache(String name) {
        for (KmemCache c : caches) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** kmalloc_type(): reclaimable, DMA or accounted requests have caches of their own. */
    static KmallocType kmallocType(int gfp) {
        if ((gfp & Gfp.__GFP_DMA) != 0) {
            return KmallocType.KMALLOC_DMA;
        }
        if ((gfp & Gfp.__GFP_RECLAIMABLE) != 0) {
            return KmallocType.KMALLOC_RECLAIM;
        }
        if ((gfp & Gfp.__GFP_ACCOUNT) != 0) {
            return KmallocType.KMALLOC_CGROUP;
        }
        return KmallocType.KMALLOC_NORMAL;
    }

    /** kmalloc_index() over kmalloc_info[]: the smallest cache that holds {@code size} bytes. */
    static int kmallocIndex(int size) {
        for (int i = 0; i < KMALLOC_SIZES.length; i++) {
            if (size <= KMALLOC_SIZES[i]) {
                return i;
            }
        }
        return -1;
    }

    /** kmalloc_slab(): the cache serving a request of {@code size} bytes with {@code gfp}. */
    public KmemCache kmallocSlab(int size, int gfp) {
        KmallocType t = kmallocType(gfp);
        KmemCache c = kmallocCaches[t.ordinal()][kmallocIndex(size)];
        return c != null ? c : kmallocCaches[KmallocType.KMALLOC_NORMAL.ordinal()][kmallocIndex(size)];
    }

    /** kmalloc(): an object of at least {@code size} bytes on behalf of code running on {@code cpu}; 0 on failure. */
    public long kmalloc(int size, int gfp, int cpu) {
        mm.assertWriter();
        if (size <= 0) {
            throw new IllegalArgumentException("kmalloc of " + size + " bytes");
        }
        if (size > KMALLOC_MAX_CACHE_SIZE) {
            return kmallocLarge(size, gfp, cpu);
        }
        return kmallocSlab(size, gfp).alloc(gfp, cpu);
    }

    /** kmem_cache_alloc(). */
    public long kmemCacheAlloc(KmemCache c, int gfp, int cpu) {
        mm.assertWriter();
        return c.alloc(gfp, cpu);
    }

    /** ___kmalloc_large_node(): whole pages, counted as unreclaimable slab. */
    private long kmallocLarge(int size, int gfp, int cpu) {
        int order = KmemCache.getOrder(size);
        int pfn = mm.pageAlloc().allocPages(gfp | Gfp.__GFP_COMP, order, mm.cpuToNode(cpu), cpu, PageOwner.SLAB);
        if (pfn < 0) {
            return 0;
        }
        if ((gfp & Gfp.__GFP_ACCOUNT) != 0 && mm.memcontrol().kmem().chargePage(pfn, order, gfp) != 0) {
            mm.pageAlloc().freePages(pfn, order, cpu);
            return 0;
        }
        mm.memMap().setKernelPageOwner(pfn, 1 << order, LARGE_KMALLOC, order);
        mm.memcontrol().kmem().modKmemPageState(pfn, NodeStatItem.NR_SLAB_UNRECLAIMABLE_B,
                (long) Page.PAGE_SIZE << order);
        largeKmallocPages += 1L << order;
        slabPages += 1L << order;
        return KmemCache.PAGE_OFFSET + ((long) pfn << Page.PAGE_SHIFT);
    }

    /** kfree(): give back an object from kmalloc() or kmem_cache_alloc(); kfree(NULL) does nothing. */
    public void kfree(long addr, int cpu) {
        mm.assertWriter();
        if (addr == 0) {
            return;
        }
        long off = addr - KmemCache.PAGE_OFFSET;
        MemMap map = mm.memMap();
        if (off < 0 || (off >>> Page.PAGE_SHIFT) >= map.nrPfns()) {
            throw new IllegalStateException("kfree of 0x" + Long.toHexString(addr) + " outside the direct map");
        }
        int pfn = (int) (off >>> Page.PAGE_SHIFT);
        if (map.owner(pfn) != PageOwner.SLAB) {
            throw new IllegalStateException("kfree of 0x" + Long.toHexString(addr) + ": pfn " + pfn + " is owned by "
                    + map.owner(pfn));
        }
        int mapping = map.mapping(pfn);
        if (mapping == LARGE_KMALLOC) {
            int order = map.index(pfn);
            if ((off & ((long) Page.PAGE_SIZE - 1)) != 0) {
                throw new IllegalStateException("kfree of 0x" + Long.toHexString(addr) + " inside a large kmalloc");
            }
            mm.memcontrol().kmem().modKmemPageState(pfn, NodeStatItem.NR_SLAB_UNRECLAIMABLE_B,
                    -((long) Page.PAGE_SIZE << order));
            mm.memcontrol().kmem().unchargePage(pfn, order);
            largeKmallocPages -= 1L << order;
            slabPages -= 1L << order;
            mm.memMap().setKernelPageOwner(pfn, 1 << order, 0, 0);
            mm.pageAlloc().freePages(pfn, order, cpu);
            return;
        }
        KmemCache c = caches.get(mapping - 1);
        c.free(addr, map.index(pfn), cpu);
    }

    /** kmem_cache_free(): {@code addr} must belong to {@code c}. */
    public void kmemCacheFree(KmemCache c, long addr, int cpu) {
        mm.assertWriter();
        int pfn = (int) ((addr - KmemCache.PAGE_OFFSET) >>> Page.PAGE_SHIFT);
        if (mm.memMap().mapping(pfn) != c.id + 1) {
            throw new IllegalStateException("kmem_cache_free(" + c.name() + ") of an object of another cache");
        }
        c.free(addr, mm.memMap().index(pfn), cpu);
    }

    /** kmem_cache_shrink() of every cache: empty slabs back to the buddy allocator; the pages freed. */
    public long shrinkAll(int cpu) {
        mm.assertWriter();
        long freed = 0;
        for (KmemCache c : caches) {
            freed += c.shrink(cpu);
        }
        return freed;
    }

    void accountSlabPages(long delta) {
        slabPages += delta;
    }

    /** Pages held by slabs and large kmallocs. */
    public long slabPages() {
        return slabPages;
    }

    public long largeKmallocPages() {
        return largeKmallocPages;
    }

    /** Each charged slab object's objcg, the node of its slab, its charge in bytes and whether it is reclaimable. */
    public void forEachChargedObject(ChargedObject action) {
        for (KmemCache c : caches) {
            c.forEachCharged((objcg, nid) -> action.accept(objcg, nid, c.objFullSize(), c.reclaimable()));
        }
    }

    /** What {@link #forEachChargedObject} reports per object. */
    @FunctionalInterface
    public interface ChargedObject {
        void accept(io.simproc.mm.ObjCgroup objcg, int nid, long bytes, boolean reclaimable);
    }

    /** The slab part of MmDebug: caches consistent, page counts agree with the owner tally and node counters. */
    public void check(List<String> errors) {
        long pages = largeKmallocPages;
        long reclaimable = 0;
        for (KmemCache c : caches) {
            c.check(errors);
            long p = c.pages();
            pages += p;
            if (c.reclaimable()) {
                reclaimable += p;
            }
            c.forEachSlab((pfn, order) -> {
                for (int i = 0; i < 1 << order; i++) {
                    if (mm.memMap().owner(pfn + i) != PageOwner.SLAB || mm.memMap().mapping(pfn + i) != c.id + 1
                            || !c.ownsPage(mm.memMap().index(pfn + i), pfn + i)) {
                        errors.add(c.name() + ": slab page " + (pfn + i) + " does not name its cache and slab");
                        return;
                    }
                }
            });
        }
        for (SuperBlock sb : superBlocks) {
            sb.check(errors);
        }
        if (pages != slabPages) {
            errors.add("slab pages: caches and large kmallocs hold " + pages + ", counter " + slabPages);
        }
        if (pages != mm.vmstat().ownerPages(PageOwner.SLAB)) {
            errors.add("slab pages " + pages + " != pages owned by SLAB " + mm.vmstat().ownerPages(PageOwner.SLAB));
        }
        long rb = mm.vmstat().globalNodeState(NodeStatItem.NR_SLAB_RECLAIMABLE_B);
        long ub = mm.vmstat().globalNodeState(NodeStatItem.NR_SLAB_UNRECLAIMABLE_B);
        if (rb != reclaimable << Page.PAGE_SHIFT || ub != (pages - reclaimable) << Page.PAGE_SHIFT) {
            errors.add("NR_SLAB_RECLAIMABLE_B/UNRECLAIMABLE_B " + rb + "/" + ub + " but reclaimable/unreclaimable "
                    + "slab pages are " + reclaimable + "/" + (pages - reclaimable));
        }
    }
}
