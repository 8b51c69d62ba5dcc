package io.simproc.block;

/**
 * struct disk_stats (include/linux/part_stat.h): per stat group (read, write, discard, flush) the requests
 * completed, the bios merged into them, the 512-byte sectors moved and the nanoseconds the requests took, plus the
 * time the device was busy. A partition's requests count for it and for its whole disk (part_stat_add()).
 */
public final class DiskStats {
    /** enum stat_group. */
    public static final int STAT_READ = 0;
    public static final int STAT_WRITE = 1;
    public static final int STAT_DISCARD = 2;
    public static final int STAT_FLUSH = 3;
    static final int NR_STAT_GROUPS = 4;

    final long[] ios = new long[NR_STAT_GROUPS];
    final long[] merges = new long[NR_STAT_GROUPS];
    final long[] sectors = new long[NR_STAT_GROUPS];
    final long[] nsecs = new long[NR_STAT_GROUPS];
    /**
     * Nanoseconds the device is busy with this device's requests, those not finished yet included (io_ticks
     * before its conversion to jiffies, once they are).
     */
    long busyNs;
    /**
     * The requests not finished at the last submission: {start of service, end, group, when it got its tag}, ns
     * since boot, in queue order.
     */
    final java.util.ArrayDeque<long[]> pending = new java.util.ArrayDeque<>();

    DiskStats() {
    }

    public long ios(int group) {
        return ios[group];
    }

    public long merges(int group) {
        return merges[group];
    }

    public long sectors(int group) {
        return sectors[group];
    }

    public long nsecs(int group) {
        return nsecs[group];
    }

    /** io_ticks in ns at {@code nowNs}: the busy time already behind. */
    public long busyNs(long nowNs) {
        long ahead = 0;
        for (long[] r : pending) {
            if (r[1] > nowNs) {
                ahead += r[1] - Math.max(r[0], nowNs);
            }
        }
        return busyNs - ahead;
    }

    /** The requests of {@code group} submitted and not finished at {@code nowNs} (part_in_flight()). */
    public int inFlight(long nowNs, int group) {
        int n = 0;
        for (long[] r : pending) {
            if (r[3] <= nowNs && r[1] > nowNs && r[2] == group) {
                n++;
            }
        }
        return n;
    }
}
