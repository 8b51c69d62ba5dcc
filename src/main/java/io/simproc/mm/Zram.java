package io.simproc.mm;

import io.simproc.block.Gendisk;
import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;

import java.util.List;

/**
 * A zram device (drivers/block/zram/zram_drv.c): a block device whose pages are kept compressed in a zsmalloc pool
 * ({@link Zsmalloc}), here used as a swap area. Unconfigured at boot; {@code disksize} initialises it (the table of
 * its pages and the pool; EBUSY once initialised), {@code comp_algorithm} picks the backend before that,
 * {@code reset} frees everything (EBUSY while swapon holds it), {@code mem_limit} caps the pool.
 *
 * <p>Writing a page (zram_write_page()): a same-filled page is only flagged (same_pages); any other is compressed
 * ({@link Zcomp}), and one whose compressed size reaches huge_class_size is stored whole (huge_pages). The object
 * comes from zs_malloc() with GFP_NOIO | __GFP_NOWARN | __GFP_HIGHMEM | __GFP_MOVABLE, in the reclaim context
 * that swaps (PF_MEMALLOC: it may take the reserves, never reclaims); when that fails, or the pool is over
 * mem_limit (zram_can_store_page()), the write fails (failed_writes) and swap_writepage()'s error path keeps the
 * page. The size of a stored page is fixed when it is stored and kept per slot, as the kernel's table keeps its
 * handle. A freed swap slot is freed here too (zram_slot_free_notify(): notify_free). Each page written or read
 * costs CPU time ({@link #cpuNanos}), which the scheduler charges to the task or kswapd that did it.
 *
 * <p>Not modelled: the table's vmalloc memory and the zs_handle/zspage slab caches, writeback to a backing device
 * (CONFIG_ZRAM_WRITEBACK is off on the reference kernel: no backing_dev, bd_stat), recompression.
 */
public final class Zram {
    /** The table value of a slot holding a same-filled page (a stored page's size is at most PAGE_SIZE). */
    private static final char SAME = 0xffff;
    /** zs_malloc()'s GFP for zram's objects (zram_write_page()). */
    static final int ZRAM_GFP = Gfp.GFP_NOIO | Gfp.__GFP_NOWARN | Gfp.__GFP_HIGHMEM | Gfp.__GFP_MOVABLE;
    /** Copying a huge or same-filled page back: memcpy/memset of 4 KiB. */
    private static final long COPY_NANOS = 400;

    private final MemoryManager mm;
    private final Gendisk disk;
    private Zcomp comp = Zcomp.LZO_RLE;
    private long disksize;
    private Zsmalloc pool;
    /** Per page of the device: 0 free, {@link #SAME}, or the size of its object (PAGE_SIZE: huge). */
    private char[] table;
    private long limitPages;
    private long maxUsedPages;
    private long pagesStored;
    private long comprDataSize;
    private long samePages;
    private long hugePages;
    private long hugePagesSince;
    private long failedReads;
    private long failedWrites;
    private long notifyFree;
    private long cpuNanos;
    /** The part of {@link #cpuNanos} spent reading pages back (decompression). */
    private long readNanos;
    /** The CPU time of the last write, its bio's time. */
    private long lastWriteNanos;
    /** zram->claim: a swap area holds the device (swapon), so it may not be reset. */
    private boolean claimed;
    /** What mkswap wrote at the start of the device: a swap signature, gone at reset. */
    private boolean swapSignature;

    Zram(MemoryManager mm, Gendisk disk) {
        this.mm = mm;
        this.disk = disk;
    }

    public String name() {
        return disk.name();
    }

    /** init_done(). */
    public boolean initialised() {
        return pool != null;
    }

    public long disksize() {
        return disksize;
    }

    public Zcomp comp() {
        return comp;
    }

    /**
     * disksize_store(): initialise the device with {@code bytes} (page-aligned up). 0 or -errno: EINVAL for 0,
     * EBUSY once initialised.
     */
    public int setDisksize(long bytes) {
        mm.assertWriter();
        if (bytes <= 0) {
            return -Errno.EINVAL;
        }
        if (initialised()) {
            mm.services().printk(KernelServices.KERN_INFO, "zram: Cannot change disksize for initialized device");
            return -Errno.EBUSY;
        }
        long pages = (bytes + Page.PAGE_SIZE - 1) >>> Page.PAGE_SHIFT;
        if (pages > Swapfile.OFFSET_MASK) {
            return -Errno.ENOMEM;
        }
        table = new char[(int) pages];
        pool = new Zsmalloc(mm);
        disksize = pages << Page.PAGE_SHIFT;
        disk.setCapacity(disksize >>> 9);
        return 0;
    }

    /** comp_algorithm_store(): EINVAL for a backend not built in, EBUSY once initialised. */
    public int setComp(String name) {
        Zcomp z = Zcomp.of(name);
        if (z == null) {
            return -Errno.EINVAL;
        }
        if (initialised()) {
            mm.services().printk(KernelServices.KERN_INFO, "zram: Can't change algorithm for initialized device");
            return -Errno.EBUSY;
        }
        comp = z;
        return 0;
    }

    /**
     * reset_store() → zram_reset_device(): every page freed, the statistics cleared, disksize 0 and the default
     * backend again. EBUSY while a swap area holds the device.
     */
    public int reset() {
        mm.assertWriter();
        if (claimed) {
            return -Errno.EBUSY;
        }
        if (initialised()) {
            for (int i = 0; i < table.length; i++) {
                freePage(i);
            }
        }
        pool = null;
        table = null;
        disksize = 0;
        disk.setCapacity(0);
        comp = Zcomp.LZO_RLE;
        limitPages = 0;
        maxUsedPages = 0;
        pagesStored = comprDataSize = samePages = hugePages = hugePagesSince = 0;
        failedReads = failedWrites = notifyFree = 0;
        swapSignature = false;
        return 0;
    }

    /** mem_limit_store(): the pool's cap, page-aligned up (0: none). */
    public void setMemLimit(long bytes) {
        limitPages = (bytes + Page.PAGE_SIZE - 1) >>> Page.PAGE_SHIFT;
    }

    /** mem_used_max_store() of 0: the high-water mark restarts from the pool's size. */
    public void resetMemUsedMax() {
        if (initialised()) {
            maxUsedPages = pool.totalPages();
        }
    }

    /**
     * mkswap on the device: a swap signature at its start. EINVAL when it has no capacity, EBUSY while swap uses
     * it (mkswap opens it O_EXCL).
     */
    public int mkswap() {
        if (!initialised()) {
            return -Errno.EINVAL;
        }
        if (claimed) {
            return -Errno.EBUSY;
        }
        swapSignature = true;
        return 0;
    }

    /** Whether swapon finds a swap signature. */
    public boolean hasSwapSignature() {
        return swapSignature;
    }

    void setClaimed(boolean claimed) {
        this.claimed = claimed;
    }

    /**
     * zram_write_page() of page {@code index} holding {@code word} of class {@code dc}, on behalf of reclaim on
     * node {@code nid}. Returns false when the write fails (the pool could not grow, or is over mem_limit).
     */
    boolean writePage(int index, DataClass dc, char word, int nid, int cpu) {
        long before = cpuNanos;
        boolean ok = store(index, dc, word, nid, cpu);
        lastWriteNanos = cpuNanos - before;
        return ok;
    }

    /** The CPU time of the last {@link #writePage}. */
    long lastWriteNanos() {
        return lastWriteNanos;
    }

    private boolean store(int index, DataClass dc, char word, int nid, int cpu) {
        cpuNanos += Zcomp.SAME_FILLED_CHECK_NANOS;
        if (Zcomp.sameFilled(dc, word)) {
            freePage(index);
            table[index] = SAME;
            samePages++;
            pagesStored++;
            return true;
        }
        cpuNanos += comp.compressNanos();
        int len = comp.compressedSize(dc, word);
        boolean huge = len >= Zsmalloc.HUGE_CLASS_SIZE;
        if (huge) {
            len = Page.PAGE_SIZE;
        }
        int k = pool.malloc(len, ZRAM_GFP, nid, cpu);
        if (k < 0) {
            failedWrites++;
            return false;
        }
        if (!canStorePage()) {
            pool.free(k, cpu);
            failedWrites++;
            return false;
        }
        freePage(index);
        table[index] = (char) len;
        comprDataSize += len;
        pagesStored++;
        if (huge) {
            hugePages++;
            hugePagesSince++;
        }
        return true;
    }

    /** zram_can_store_page(): the high-water mark follows the pool; false when it is over mem_limit. */
    private boolean canStorePage() {
        long used = pool.totalPages();
        maxUsedPages = Math.max(maxUsedPages, used);
        return limitPages == 0 || used <= limitPages;
    }

    /** zram_read_page(): decompress (or fill) page {@code index}; returns the CPU time it took. */
    long readPage(int index) {
        char v = table[index];
        long ns = v == SAME || v == Page.PAGE_SIZE || v == 0 ? COPY_NANOS : comp.decompressNanos();
        cpuNanos += ns;
        readNanos += ns;
        return ns;
    }

    /** zram_slot_free_notify(): swap no longer needs page {@code index}. */
    void slotFreeNotify(int index) {
        notifyFree++;
        freePage(index);
    }

    /** zram_free_page(). */
    private void freePage(int index) {
        char v = table[index];
        if (v == 0) {
            return;
        }
        if (v == SAME) {
            samePages--;
        } else {
            if (v == Page.PAGE_SIZE) {
                hugePages--;
            }
            comprDataSize -= v;
            pool.free(Zsmalloc.classIndex(v + Zsmalloc.ZS_HANDLE_SIZE), 0);
        }
        table[index] = 0;
        pagesStored--;
    }

    /** A bio of one page through the device: its statistics (bio_start_io_acct()/bio_end_io_acct()). */
    void accountBio(int group, long ns) {
        disk.accountSyncBio(group, Page.PAGE_SIZE >> 9, ns);
    }

    /** CPU time spent compressing and decompressing since boot. */
    public long cpuNanos() {
        return cpuNanos;
    }

    /** CPU time spent storing pages since boot (the same-filled check and compression): reclaim's. */
    public long writeNanos() {
        return cpuNanos - readNanos;
    }

    /** CPU time spent reading pages back since boot (decompression): the faulting task's. */
    public long readNanos() {
        return readNanos;
    }

    /** The nine fields of mm_stat (mm_stat_show()), in bytes or pages as the kernel prints them. */
    public long[] mmStat() {
        long memUsed = initialised() ? pool.totalPages() : 0;
        return new long[] {pagesStored << Page.PAGE_SHIFT, comprDataSize, memUsed << Page.PAGE_SHIFT,
            limitPages << Page.PAGE_SHIFT, maxUsedPages << Page.PAGE_SHIFT, samePages, 0, hugePages,
            hugePagesSince};
    }

    /** io_stat's failed_reads, failed_writes and notify_free. */
    public long[] ioStat() {
        return new long[] {failedReads, failedWrites, notifyFree};
    }

    /** zsmalloc pages of the pool (0 before disksize). */
    long poolPages() {
        return initialised() ? pool.totalPages() : 0;
    }

    /**
     * mm_stat agrees with the table: orig_data_size is the stored pages, compr_data_size their sizes, same_pages
     * and huge_pages their kinds, the pool holds one object per stored page that is not same-filled and
     * mem_used_total is its pages.
     */
    void check(List<String> errors) {
        if (!initialised()) {
            if (pagesStored != 0 || disk.part0().nrSects() != 0) {
                errors.add(name() + ": uninitialised with " + pagesStored + " pages stored, capacity "
                        + disk.part0().nrSects());
            }
            return;
        }
        long stored = 0;
        long same = 0;
        long huge = 0;
        long compr = 0;
        for (char v : table) {
            if (v == 0) {
                continue;
            }
            stored++;
            if (v == SAME) {
                same++;
            } else {
                compr += v;
                huge += v == Page.PAGE_SIZE ? 1 : 0;
            }
        }
        if (stored != pagesStored || same != samePages || huge != hugePages || compr != comprDataSize) {
            errors.add(name() + ": mm_stat says " + pagesStored + " stored, " + samePages + " same, " + hugePages
                    + " huge, " + comprDataSize + " bytes; the table holds " + stored + ", " + same + ", " + huge
                    + ", " + compr);
        }
        if (pool.objects() != stored - same) {
            errors.add(name() + ": " + pool.objects() + " zsmalloc objects for " + (stored - same) + " pages");
        }
        if (maxUsedPages < pool.totalPages()) {
            errors.add(name() + ": mem_used_max below mem_used");
        }
        if (disk.part0().nrSects() != disksize >>> 9) {
            errors.add(name() + ": capacity " + disk.part0().nrSects() + " sectors for disksize " + disksize);
        }
        pool.check(name(), errors);
    }
}
