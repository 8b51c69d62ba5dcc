package io.simproc.mm;

import io.simproc.block.BlockDevice;
import io.simproc.block.BlockDevices;
import io.simproc.block.DiskStats;
import io.simproc.uapi.Page;

/**
 * mm/page_io.c and the page cache's bios (mm/readahead.c, the file system's writepages): every page the memory
 * manager reads from or writes to a device becomes a bio of one page on that device — a file's on its file
 * system's partition (the disk itself for the block device's own cache), a swap slot's on its area's partition
 * (or, for a swap file, the root partition) — and
 * submit_bio() counts it in pgpgin/pgpgout (in KiB here, sectors / 2 as /proc/vmstat shows them). So the sectors
 * of every disk add up to twice pgpgin and pgpgout. Without a device (a machine booted without disks) only the
 * events count.
 *
 * <p>Readahead and writeback build one bio over a file's consecutive pages, which grows a request without a merge;
 * swap_writepage() submits a bio per page, so consecutive slots written in one pass become merged requests;
 * swap_read_folio() reads synchronously, one request per fault. A readahead plugs the queue (blk_start_plug() in
 * page_cache_ra_unbounded()): the consecutive pages it reads are held and go to the disk as one run of bios when it
 * ends or when any other page I/O comes first, which the disk accounts as it would the pages one by one.
 */
public final class PageIo {
    private static final int PAGE_SECTORS = Page.PAGE_SIZE >> 9;
    private static final long KB_PER_PAGE = Page.PAGE_SIZE >> 10;

    private final MemoryManager mm;
    /** The device of the last file read or written, by its device number. */
    private int lastDev = -1;
    private BlockDevice lastBdev;
    /** struct blk_plug of a readahead: whether one is open, and the run of pages it holds (plugPages of them). */
    private boolean plugged;
    private BlockDevice plugBdev;
    private long plugOwner;
    private long plugIndex;
    private long plugNs;
    private int plugPages;

    PageIo(MemoryManager mm) {
        this.mm = mm;
    }

    /** blk_start_plug(): the file pages read until {@link #finishPlug} are held and submitted together. */
    void startPlug() {
        plugged = true;
    }

    /** blk_finish_plug(): the held pages go to the disk. */
    void finishPlug() {
        flushPlug();
        plugged = false;
    }

    /** A page of {@code file} at {@code index} read from the root file system (readahead or a fault). */
    void readFilePage(AddressSpace file, long index) {
        mm.vmstat().countEvent(VmEvent.PGPGIN, KB_PER_PAGE);
        BlockDevice bdev = bdevOf(file);
        if (!plugged || bdev == null) {
            submit(bdev, DiskStats.STAT_READ, file.id(), index, true, false);
            return;
        }
        long now = nowNs();
        if (plugPages > 0 && bdev == plugBdev && file.id() == plugOwner && index == plugIndex + plugPages
                && now == plugNs) {
            plugPages++;
            return;
        }
        flushPlug();
        plugBdev = bdev;
        plugOwner = file.id();
        plugIndex = index;
        plugNs = now;
        plugPages = 1;
    }

    /** The plugged pages, if any, as bios in the order they were read. */
    private void flushPlug() {
        if (plugPages > 0) {
            plugBdev.submitBios(DiskStats.STAT_READ, plugOwner, plugIndex * PAGE_SECTORS, PAGE_SECTORS, plugPages,
                    plugNs, true, false);
            plugPages = 0;
        }
    }

    /** Writeback of the page of {@code file} at {@code index} completed. */
    void wroteFilePage(AddressSpace file, long index) {
        mm.vmstat().countEvent(VmEvent.PGPGOUT, KB_PER_PAGE);
        submit(bdevOf(file), DiskStats.STAT_WRITE, file.id(), index, true, false);
    }

    /**
     * The device a file's pages are on: its file system's partition (the inode's st_dev), or for a block device
     * inode the device itself.
     */
    private BlockDevice bdevOf(AddressSpace file) {
        int dev = file.devMajor() << 20 | file.devMinor();
        if (dev != lastDev) {
            lastBdev = mm.blockDevices().byDev(file.devMajor(), file.devMinor());
            lastDev = dev;
        }
        return lastBdev;
    }

    /** swap_read_folio(): the slot of {@code entry} read into a new swap-cache page (pswpin). */
    void swapRead(int entry) {
        mm.vmstat().countEvent(VmEvent.PSWPIN, 1);
        mm.vmstat().countEvent(VmEvent.PGPGIN, KB_PER_PAGE);
        Zram zram = mm.swap().zramOf(entry);
        if (zram != null) {
            flushPlug();
            zram.accountBio(DiskStats.STAT_READ, zram.readPage(Swapfile.offset(entry)));
            return;
        }
        submit(mm.swap().bdevOf(entry), DiskStats.STAT_READ, swapOwner(entry), Swapfile.offset(entry), false, false);
    }

    /**
     * swap_writepage(): the swap-cache page goes to the slot of {@code entry} (pswpout); on zram the device has
     * done its work in the submitter ({@link Swapfile#writeSlot}), which the bio's time is.
     */
    void swapWrite(int entry) {
        mm.vmstat().countEvent(VmEvent.PSWPOUT, 1);
        mm.vmstat().countEvent(VmEvent.PGPGOUT, KB_PER_PAGE);
        Zram zram = mm.swap().zramOf(entry);
        if (zram != null) {
            flushPlug();
            zram.accountBio(DiskStats.STAT_WRITE, zram.lastWriteNanos());
            return;
        }
        submit(mm.swap().bdevOf(entry), DiskStats.STAT_WRITE, swapOwner(entry), Swapfile.offset(entry), true, true);
    }

    /** Swap areas own their slots: a key no mapping id takes. */
    private static long swapOwner(int entry) {
        return -1L - Swapfile.type(entry);
    }

    private void submit(BlockDevice bdev, int group, long owner, long pageIndex, boolean mergeable, boolean bioMerge) {
        if (bdev != null) {
            flushPlug();
            bdev.submit(group, owner, pageIndex * PAGE_SECTORS, PAGE_SECTORS, nowNs(), mergeable, bioMerge);
        }
    }

    /** The simulated time of a submission, ns since boot, to the tick. */
    private long nowNs() {
        return mm.services().jiffies() * (1_000_000_000L / KernelServices.HZ);
    }

    /**
     * The block devices' invariants ({@link BlockDevices#check()}) and, on a machine whose every page I/O had a
     * device, pgpgin and pgpgout equal to half the sectors the disks read and wrote (submit_bio() counts both).
     */
    void check(java.util.List<String> errors) {
        BlockDevices bdevs = mm.blockDevices();
        String err = bdevs.check();
        if (err != null) {
            errors.add(err);
        }
        if (bdevs.root() == null || !mm.swap().everyAreaOnADevice()) {
            return;
        }
        long read = 0;
        long written = 0;
        for (io.simproc.block.Gendisk d : bdevs.disks()) {
            read += d.part0().stats().sectors(DiskStats.STAT_READ);
            written += d.part0().stats().sectors(DiskStats.STAT_WRITE);
        }
        if (read != 2 * mm.vmstat().event(VmEvent.PGPGIN) || written != 2 * mm.vmstat().event(VmEvent.PGPGOUT)) {
            errors.add("disks read " + read + " and wrote " + written + " sectors, pgpgin " + mm.vmstat().event(
                    VmEvent.PGPGIN) + " KiB, pgpgout " + mm.vmstat().event(VmEvent.PGPGOUT) + " KiB");
        }
    }
}
