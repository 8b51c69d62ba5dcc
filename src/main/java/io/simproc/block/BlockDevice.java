package io.simproc.block;

/**
 * struct block_device: a whole disk (partno 0) or one of its partitions — its device number, where it starts on
 * the disk and how many 512-byte sectors it has, and its I/O statistics.
 */
public final class BlockDevice {
    private final Gendisk disk;
    private final String name;
    private final int partno;
    private final int minor;
    private final long startSect;
    private long nrSects;
    final DiskStats stats = new DiskStats();

    BlockDevice(Gendisk disk, String name, int partno, int minor, long startSect, long nrSects) {
        this.disk = disk;
        this.name = name;
        this.partno = partno;
        this.minor = minor;
        this.startSect = startSect;
        this.nrSects = nrSects;
    }

    public Gendisk disk() {
        return disk;
    }

    /** The name %pg prints: the disk's name, or the disk's name and the partition number. */
    public String name() {
        return name;
    }

    /** /dev/NAME. */
    public String path() {
        return "/dev/" + name;
    }

    public int partno() {
        return partno;
    }

    public boolean isPartition() {
        return partno != 0;
    }

    public int major() {
        return disk.major();
    }

    public int minor() {
        return minor;
    }

    /** The first sector on the disk (0 for the whole disk). */
    public long startSect() {
        return startSect;
    }

    /** bdev_nr_sectors(). */
    public long nrSects() {
        return nrSects;
    }

    /** set_capacity() of a whole disk. */
    void setNrSects(long nrSects) {
        this.nrSects = nrSects;
    }

    public DiskStats stats() {
        return stats;
    }

    /**
     * submit_bio() of a bio of {@code nrSectors} at {@code sector} of this device: the disk's queue merges it into
     * the request before it when {@code mergeable} and the two are contiguous, or queues a new request (see
     * {@link Gendisk}).
     *
     * @param owner     who the data belongs to (an inode, a swap area): only its own blocks are contiguous
     * @param nowNs     the simulated time of the submission, ns since boot; bios merge only within one plug, here
     *                  one tick
     * @param bioMerge  whether a bio joining the request counts as a merge (a separate bio) or extends it (one
     *                  bio built over several pages)
     */
    public void submit(int group, long owner, long sector, int nrSectors, long nowNs, boolean mergeable,
                       boolean bioMerge) {
        disk.submit(this, group, owner, sector, nrSectors, nowNs, mergeable, bioMerge);
    }

    /**
     * {@code count} bios of {@code nrSectors}, back to back from {@code sector}, submitted in one tick: the same as
     * {@code count} calls of {@link #submit}, one after the other, with sector advancing by {@code nrSectors}.
     */
    public void submitBios(int group, long owner, long sector, int nrSectors, int count, long nowNs,
                           boolean mergeable, boolean bioMerge) {
        disk.submitBios(this, group, owner, sector, nrSectors, count, nowNs, mergeable, bioMerge);
    }
}
