package io.simproc.mm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The flusher and the disk under it (fs/fs-writeback.c struct bdi_writeback, and the block device's request
 * queue): dirty inodes wait on b_dirty in the order they were dirtied; every dirty_writeback_centisecs the flusher
 * (wb_workfn) writes back the inodes dirtied more than dirty_expire_centisecs ago (kupdate) and, while dirty pages
 * are above the background threshold, the oldest inodes' pages (background writeback). Pages sent to the device are
 * under writeback until the device, writing {@link #writeBandwidthBytes()} per second in submission order,
 * completes them — so Writeback drains visibly. fsync/sync write and wait.
 */
public final class BdiWriteback {
    /** A virtio disk's sequential write rate when the profile does not say: 200 MiB/s. */
    public static final long DEFAULT_WRITE_BANDWIDTH_BYTES = 200L << 20;

    private final MemoryManager mm;
    private final MemMap map;
    private final LinkedHashSet<AddressSpace> bDirty = new LinkedHashSet<>();
    /** The device's queue: pfns under writeback, in submission order (a ring buffer). */
    private int[] queue = new int[1024];
    private int qHead;
    private int qSize;
    private long writeBandwidthBytes = DEFAULT_WRITE_BANDWIDTH_BYTES;
    /** Bytes of device time accumulated toward the next page completion. */
    private long deviceCredit;
    private boolean deviceTickPending;
    private boolean flushPending;
    private long periodicGeneration;

    BdiWriteback(MemoryManager mm) {
        this.mm = mm;
        this.map = mm.memMap();
    }

    /** Start the periodic flusher (at boot, and again whenever dirty_writeback_centisecs changes). */
    public void start() {
        periodicGeneration++;
        schedulePeriodic(periodicGeneration);
    }

    private void schedulePeriodic(long generation) {
        int centisecs = mm.tunables().dirtyWritebackCentisecs;
        if (centisecs <= 0) {
            return;
        }
        long delay = Math.max(1, (long) centisecs * KernelServices.HZ / 100);
        mm.services().schedule(delay, () -> {
            if (generation != periodicGeneration) {
                return;
            }
            wbWorkfn();
            schedulePeriodic(generation);
        });
    }

    /** The device's write rate in bytes per second. */
    public long writeBandwidthBytes() {
        return writeBandwidthBytes;
    }

    public void setWriteBandwidthBytes(long bytesPerSecond) {
        mm.assertWriter();
        if (bytesPerSecond < io.simproc.uapi.Page.PAGE_SIZE) {
            throw new IllegalArgumentException("write bandwidth below one page per second: " + bytesPerSecond);
        }
        writeBandwidthBytes = bytesPerSecond;
    }

    void inodeDirtied(AddressSpace file) {
        bDirty.remove(file);
        bDirty.add(file);
    }

    void inodeCleaned(AddressSpace file) {
        bDirty.remove(file);
    }

    /** Inodes with dirty pages, oldest first. */
    public List<AddressSpace> dirtyInodes() {
        return List.copyOf(bDirty);
    }

    /** wb_start_background_writeback(): run the flusher at the next tick. */
    void wakeupFlusher() {
        if (flushPending) {
            return;
        }
        flushPending = true;
        mm.services().schedule(0, () -> {
            flushPending = false;
            wbCheckBackgroundFlush();
        });
    }

    /** wb_workfn(): background flush when over the threshold, then the old-data (kupdate) flush. */
    void wbWorkfn() {
        wbCheckBackgroundFlush();
        long expire = (long) mm.tunables().dirtyExpireCentisecs * KernelServices.HZ / 100;
        long now = mm.services().jiffies();
        List<AddressSpace> expired = new ArrayList<>();
        for (AddressSpace f : bDirty) {
            if (f.dirtiedWhen + expire > now) {
                break;
            }
            expired.add(f);
        }
        for (AddressSpace f : expired) {
            writebackInode(f, Long.MAX_VALUE);
        }
    }

    /** wb_over_bg_thresh() → write back the oldest inodes until dirty pages are below the background threshold. */
    private void wbCheckBackgroundFlush() {
        while (!bDirty.isEmpty()) {
            long dirty = mm.vmstat().globalNodeState(NodeStatItem.NR_FILE_DIRTY);
            long bg = ShowMem.globalDirtyLimits(mm)[1];
            if (dirty <= bg) {
                return;
            }
            writebackInode(bDirty.iterator().next(), dirty - bg);
        }
    }

    /** writeback_single_inode(): send up to {@code maxPages} of the inode's dirty pages to the device, in order. */
    private long writebackInode(AddressSpace file, long maxPages) {
        long sent = 0;
        for (int i = file.dirty.nextSetBit(0); i >= 0 && sent < maxPages; i = file.dirty.nextSetBit(i + 1)) {
            int pfn = file.pages.get(i);
            writepage(file, pfn);
            sent++;
        }
        return sent;
    }

    /** The page goes to the device queue under writeback. */
    void writepage(AddressSpace file, int pfn) {
        mm.pageWriteback().startWriteback(file, pfn);
        if (qSize == queue.length) {
            int[] bigger = new int[queue.length * 2];
            for (int i = 0; i < qSize; i++) {
                bigger[i] = queue[(qHead + i) % queue.length];
            }
            queue = bigger;
            qHead = 0;
        }
        queue[(qHead + qSize) % queue.length] = pfn;
        qSize++;
        if (!deviceTickPending) {
            deviceTickPending = true;
            mm.services().schedule(1, this::deviceTick);
        }
    }

    /** One jiffy of device time: complete as many queued pages as the bandwidth allows. */
    private void deviceTick() {
        deviceTickPending = false;
        deviceCredit += writeBandwidthBytes / KernelServices.HZ;
        while (qSize > 0 && deviceCredit >= io.simproc.uapi.Page.PAGE_SIZE) {
            int pfn = queue[qHead];
            qHead = (qHead + 1) % queue.length;
            qSize--;
            if (!map.test(pfn, PageFlags.PG_WRITEBACK)) {
                continue;
            }
            deviceCredit -= io.simproc.uapi.Page.PAGE_SIZE;
            mm.pageWriteback().endWriteback(pfn);
        }
        if (qSize == 0) {
            deviceCredit = 0;
            return;
        }
        deviceTickPending = true;
        mm.services().schedule(1, this::deviceTick);
    }

    /** Pages waiting on the device. */
    public long queued() {
        return qSize;
    }

    /**
     * vfs_fsync() / file_write_and_wait(): the file's dirty pages are written and waited for; returns the pages
     * written. The wait completes them at once: the caller is the one that waited.
     */
    public long fsync(AddressSpace file) {
        mm.assertWriter();
        long n = writebackInode(file, Long.MAX_VALUE);
        waitOnWriteback(file);
        return n;
    }

    /** ksys_sync(): every dirty inode is written and waited for; returns the pages written. */
    public long sync() {
        mm.assertWriter();
        long n = 0;
        for (AddressSpace f : List.copyOf(bDirty)) {
            n += writebackInode(f, Long.MAX_VALUE);
        }
        for (int i = 0; i < qSize; i++) {
            mm.pageWriteback().endWriteback(queue[(qHead + i) % queue.length]);
        }
        qSize = 0;
        qHead = 0;
        return n;
    }

    private void waitOnWriteback(AddressSpace file) {
        int id = file.id();
        for (int i = 0; i < qSize; i++) {
            int pfn = queue[(qHead + i) % queue.length];
            if (map.mapping(pfn) == id
                    && map.test(pfn, PageFlags.PG_WRITEBACK)
                    && mm.memMap().owner(pfn) == PageOwner.FILE) {
                mm.pageWriteback().endWriteback(pfn);
            }
        }
    }

    /**
     * The write requests the device holds: the queued pages under writeback, a request per run of consecutive
     * pages of one file of at most {@code maxPages} (how the file system's bios and the queue's merges group them).
     */
    public int inFlightRequests(int maxPages) {
        int requests = 0;
        int prevMapping = -1;
        long prevIndex = -1;
        int run = 0;
        for (int pfn : queuedUnderWriteback()) {
            int mapping = map.mapping(pfn);
            long index = map.index(pfn) & 0xffffffffL;
            if (mapping != prevMapping || index != prevIndex + 1 || run == maxPages) {
                requests++;
                run = 0;
            }
            run++;
            prevMapping = mapping;
            prevIndex = index;
        }
        return requests;
    }

    /** For invariant checks: the pfns in the device queue that are still under writeback. */
    int[] queuedUnderWriteback() {
        int[] out = new int[qSize];
        int n = 0;
        for (int i = 0; i < qSize; i++) {
            int pfn = queue[(qHead + i) % queue.length];
            if (map.test(pfn, PageFlags.PG_WRITEBACK)) {
                out[n++] = pfn;
            }
        }
        return Arrays.copyOf(out, n);
    }
}
