package io.simproc.block;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * struct gendisk with its request queue (block/genhd.c, block/blk-mq.c, block/blk-merge.c): a disk, its
 * partitions and the accounting of every request that reaches it. The simulated device serves one request at a
 * time, in submission order: a request starts when the device is free, costs the queue's latency once and its
 * sectors at the direction's transfer rate, and takes (nsecs) from its submission to its end, waiting included.
 * The device is busy (io_ticks) while it serves; a request not finished yet is in flight. The page I/O that
 * submits it does not wait for it (the simulation's reads complete at once for the memory manager): a device
 * asked for more than its rate is busy all the time and has all its nr_requests tags in use, the bios beyond
 * them waiting for a tag (not in flight, not timed: a request's time starts when it gets its tag). A bio
 * contiguous with the request the queue last started — same direction, same owner, its first sector where the
 * request ends, in the same tick, and the sum within max_sectors_kb — joins that request (a back merge,
 * bio_attempt_back_merge()); any other starts a new one.
 */
public final class Gendisk {
    private final String name;
    private final int major;
    private final int firstMinor;
    private final int minors;
    private final QueueLimits queue;
    /** No parent device (disk->parent NULL, as loop and zram register theirs): device_add() puts it in virtual/. */
    private final boolean virtualDevice;
    /** GENHD_FL_NO_PART: the disk takes no partitions (disk_max_parts() is 1). */
    private final boolean noPart;
    private final BlockDevice part0;
    private final List<BlockDevice> partitions = new ArrayList<>();
    /** The request the queue last started, for back merges. */
    private BlockDevice lastPart;
    private int lastGroup = -1;
    private long lastOwner;
    private long lastEnd;
    private long lastNs = -1;
    private int lastSectors;
    /** When the device finishes the last request it was given, ns since boot. */
    private long busyUntilNs;
    /** The time it spent and is to spend serving reads: their latency and transfer, not their wait in the queue. */
    private long readServiceNs;

    /**
     * A disk of {@code nrSects} sectors whose device numbers are {@code major}:{@code firstMinor} onward;
     * {@code minors} is the number reserved for it and its partitions (0 for a disk numbered in the extended
     * range, whose partitions take the next free minors).
     */
    public Gendisk(String name, int major, int firstMinor, int minors, long nrSects, QueueLimits queue) {
        this(name, major, firstMinor, minors, nrSects, queue, false, false);
    }

    private Gendisk(String name, int major, int firstMinor, int minors, long nrSects, QueueLimits queue,
                    boolean virtualDevice, boolean noPart) {
        this.name = name;
        this.major = major;
        this.firstMinor = firstMinor;
        this.minors = minors;
        this.queue = queue;
        this.virtualDevice = virtualDevice;
        this.noPart = noPart;
        this.part0 = new BlockDevice(this, name, 0, firstMinor, 0, nrSects);
    }

    /**
     * A disk of a driver with no hardware behind it (a loop or zram device), numbered {@code major}:{@code minor}
     * with one minor, with no capacity until user space sets it up (set_capacity(disk, 0) at add time): it takes
     * no I/O, so its counters stay 0. {@code noPart} for a disk made with GENHD_FL_NO_PART.
     */
    public static Gendisk unbacked(String name, int major, int minor, boolean noPart, QueueLimits queue) {
        return new Gendisk(name, major, minor, 1, 0, queue, true, noPart);
    }

    /**
     * set_capacity_and_notify(): the disk now has {@code nrSects} sectors (a zram device sized by disksize, or
     * emptied by reset). Only a disk without partitions changes size.
     */
    public void setCapacity(long nrSects) {
        if (!partitions.isEmpty() || nrSects < 0) {
            throw new IllegalArgumentException(name + ": cannot set capacity " + nrSects);
        }
        part0.setNrSects(nrSects);
    }

    /**
     * bio_start_io_acct() and bio_end_io_acct() of a bio-based driver that does the transfer in its submitter
     * (zram): one request of {@code nrSectors} on the whole disk, taking {@code ns} of the submitter's CPU, never
     * queued, never merged, and not in flight after it returns.
     */
    public void accountSyncBio(int group, int nrSectors, long ns) {
        if (part0.nrSects() == 0) {
            throw new IllegalStateException(name + " has no capacity: it takes no I/O");
        }
        add(part0.stats, group, 1, 0, nrSectors, ns, ns);
    }

    /** The device's time serving reads since boot, ns (those submitted and not finished included). */
    public long readServiceNs() {
        return readServiceNs;
    }

    /** add_partition(): partition {@code partno} from {@code startSect}, numbered {@code minor}. */
    public BlockDevice addPartition(int partno, int minor, long startSect, long nrSects) {
        if (partno <= 0 || startSect < 0 || nrSects <= 0 || startSect + nrSects > part0.nrSects()) {
            throw new IllegalArgumentException(name + ": partition " + partno + " does not fit the disk");
        }
        for (BlockDevice p : partitions) {
            boolean overlap = startSect < p.startSect() + p.nrSects() && p.startSect() < startSect + nrSects;
            if (p.partno() == partno || overlap) {
                throw new IllegalArgumentException(name + ": partition " + partno + " overlaps partition "
                        + p.partno());
            }
        }
        String partName = Character.isDigit(name.charAt(name.length() - 1)) ? name + "p" + partno : name + partno;
        BlockDevice p = new BlockDevice(this, partName, partno, minor, startSect, nrSects);
        partitions.add(p);
        return p;
    }

    public String name() {
        return name;
    }

    public int major() {
        return major;
    }

    public int firstMinor() {
        return firstMinor;
    }

    /** disk->minors: the minors reserved for the disk and its partitions (sysfs "range"). */
    public int minors() {
        return minors;
    }

    public QueueLimits queue() {
        return queue;
    }

    /** Whether the disk has no parent device and lives in /sys/devices/virtual/block. */
    public boolean isVirtual() {
        return virtualDevice;
    }

    /** disk_max_parts() (sysfs "ext_range"): 1 for a disk without partitions, else DISK_MAX_PARTS (256). */
    public int extRange() {
        return noPart ? 1 : 256;
    }

    /** The whole disk's block_device (bdev_whole()). */
    public BlockDevice part0() {
        return part0;
    }

    /** The partitions in partition-number order of creation. */
    public List<BlockDevice> partitions() {
        return Collections.unmodifiableList(partitions);
    }

    /**
     * {@code count} bios of {@code nrSectors} each, back to back from {@code sector}, submitted in one tick (a
     * plugged readahead): what {@code count} calls of {@link #submit} make of them, with the bios that join the
     * request just started added in one step (the block layer builds such a run into one request, split at
     * max_sectors_kb, blk_mq_submit_bio() and bio_split_to_limits()).
     */
    void submitBios(BlockDevice part, int group, long owner, long sector, int nrSectors, int count, long nowNs,
                    boolean mergeable, boolean bioMerge) {
        while (count > 0) {
            submit(part, group, owner, sector, nrSectors, nowNs, mergeable, bioMerge);
            sector += nrSectors;
            count--;
            int joining = mergeable && busyUntilNs > nowNs
                    ? Math.min(count, (queue.maxSectors() - lastSectors) / nrSectors) : 0;
            if (joining > 0) {
                backMerge(part, group, joining * nrSectors, bioMerge ? joining : 0,
                        joining * transferNs(group, nrSectors));
                sector += (long) joining * nrSectors;
                count -= joining;
                lastEnd = sector;
            }
        }
    }

    void submit(BlockDevice part, int group, long owner, long sector, int nrSectors, long nowNs, boolean mergeable,
                boolean bioMerge) {
        if (nrSectors <= 0) {
            throw new IllegalArgumentException("a bio of " + nrSectors + " sectors");
        }
        if (part.nrSects() == 0) {
            throw new IllegalStateException(part.name() + " has no capacity: it takes no I/O");
        }
        retire(part.stats, nowNs);
        retire(part0.stats, nowNs);
        boolean merge = mergeable && part == lastPart && group == lastGroup && owner == lastOwner
                && sector == lastEnd && nowNs == lastNs && lastSectors + nrSectors <= queue.maxSectors()
                && busyUntilNs > nowNs;
        long service = transferNs(group, nrSectors);
        if (merge) {
            backMerge(part, group, nrSectors, bioMerge ? 1 : 0, service);
        } else {
            service += queue.latencyNs();
            long tag = tagFreeNs(nowNs);
            long start = Math.max(nowNs, busyUntilNs);
            busyUntilNs = start + service;
            part.stats.pending.addLast(new long[] {start, busyUntilNs, group, tag});
            if (part.isPartition()) {
                part0.stats.pending.addLast(new long[] {start, busyUntilNs, group, tag});
            }
            lastSectors = nrSectors;
            account(part, group, 1, 0, nrSectors, busyUntilNs - tag, service);
            if (group == DiskStats.STAT_READ) {
                readServiceNs += service;
            }
        }
        lastPart = part;
        lastGroup = group;
        lastOwner = owner;
        lastEnd = sector + nrSectors;
        lastNs = nowNs;
    }

    /**
     * bio_attempt_back_merge() of bios of {@code nrSectors} in all onto the request the queue last started: it grows
     * by their transfer time, {@code service}; {@code merges} of them count as merges.
     */
    private void backMerge(BlockDevice part, int group, int nrSectors, int merges, long service) {
        lastSectors += nrSectors;
        part.stats.pending.peekLast()[1] += service;
        if (part.isPartition()) {
            part0.stats.pending.peekLast()[1] += service;
        }
        busyUntilNs += service;
        account(part, group, 0, merges, nrSectors, service, service);
        if (group == DiskStats.STAT_READ) {
            readServiceNs += service;
        }
    }

    /**
     * When a request submitted at {@code nowNs} gets its tag (blk_mq_get_tag()): at once while fewer than
     * nr_requests are pending, else when the request nr_requests places before it ends. Until then the bio waits
     * in its submitter, neither in flight nor timed.
     */
    private long tagFreeNs(long nowNs) {
        java.util.ArrayDeque<long[]> q = part0.stats.pending;
        if (q.size() < queue.nrRequests()) {
            return nowNs;
        }
        java.util.Iterator<long[]> it = q.descendingIterator();
        long[] r = null;
        for (int i = 0; i < queue.nrRequests(); i++) {
            r = it.next();
        }
        return Math.max(nowNs, r[1]);
    }

    /** Requests finished by {@code nowNs} leave the device's pending list. */
    private static void retire(DiskStats s, long nowNs) {
        while (!s.pending.isEmpty() && s.pending.peekFirst()[1] <= nowNs) {
            s.pending.pollFirst();
        }
    }

    /** The time the device takes to move {@code nrSectors} in {@code group}'s direction. */
    private long transferNs(int group, int nrSectors) {
        long rate = group == DiskStats.STAT_READ ? queue.readBytesPerSec() : queue.writeBytesPerSec();
        return nrSectors * 512L * 1_000_000_000L / rate;
    }

    /** part_stat_add() on the partition and, when it is one, on the whole disk. */
    private void account(BlockDevice part, int group, int ios, int merges, int sectors, long ns, long busy) {
        add(part.stats, group, ios, merges, sectors, ns, busy);
        if (part.isPartition()) {
            add(part0.stats, group, ios, merges, sectors, ns, busy);
        }
    }

    private static void add(DiskStats s, int group, int ios, int merges, int sectors, long ns, long busy) {
        s.ios[group] += ios;
        s.merges[group] += merges;
        s.sectors[group] += sectors;
        s.nsecs[group] += ns;
        s.busyNs += busy;
    }

    /**
     * The disk's invariants: each counter of the whole disk is at least the sum of its partitions' (it counts
     * theirs and the requests to the whole disk, raw reads of the device), a device is busy no longer than its
     * requests took (they waited, it did not), its pending requests follow each other without overlapping, and a
     * request holds at least one sector. Returns the first broken one, or null.
     */
    public String check() {
        DiskStats w = part0.stats;
        for (int g = 0; g < DiskStats.NR_STAT_GROUPS; g++) {
            long ios = 0;
            long merges = 0;
            long sectors = 0;
            long nsecs = 0;
            for (BlockDevice p : partitions) {
                ios += p.stats.ios[g];
                merges += p.stats.merges[g];
                sectors += p.stats.sectors[g];
                nsecs += p.stats.nsecs[g];
            }
            if (ios > w.ios[g] || merges > w.merges[g] || sectors > w.sectors[g] || nsecs > w.nsecs[g]) {
                return name + ": group " + g + " of the disk counts less than its partitions";
            }
        }
        List<BlockDevice> all = new ArrayList<>(partitions);
        all.add(part0);
        for (BlockDevice b : all) {
            DiskStats s = b.stats;
            long total = 0;
            for (int g = 0; g < DiskStats.NR_STAT_GROUPS; g++) {
                total += s.nsecs[g];
                if (s.sectors[g] < s.ios[g]) {
                    return b.name() + ": fewer sectors than requests in group " + g;
                }
            }
            if (s.busyNs > total) {
                return b.name() + ": busy " + s.busyNs + " ns, longer than its requests' " + total + " ns";
            }
            long prevEnd = 0;
            for (long[] r : s.pending) {
                if (r[0] < prevEnd || r[1] <= r[0] || r[1] > busyUntilNs || r[3] > r[0]) {
                    return b.name() + ": pending requests overlap, end after the device is free or start before"
                            + " their tag";
                }
                prevEnd = r[1];
            }
            if (b.stats.inFlight(lastNs, DiskStats.STAT_READ) + b.stats.inFlight(lastNs, DiskStats.STAT_WRITE)
                    > queue.nrRequests()) {
                return b.name() + ": more requests in flight than the queue has tags";
            }
        }
        return null;
    }
}
