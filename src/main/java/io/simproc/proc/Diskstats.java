package io.simproc.proc;

import io.simproc.block.BlockDevice;
import io.simproc.block.DiskStats;
import io.simproc.block.Gendisk;
import io.simproc.kernel.Kernel;
import io.simproc.mm.KernelServices;
import io.simproc.uapi.Page;

import java.util.ArrayList;
import java.util.List;

/**
 * /proc/diskstats (block/genhd.c diskstats_show()): per block device, disks each followed by their partitions,
 * the major and minor (widths 4 and 7), the name and the 17 counters of {@link #fields}.
 */
public final class Diskstats implements ProcFile.Renderer {
    private static final long NSEC_PER_MSEC = 1_000_000;
    private static final long NSEC_PER_JIFFY = 1_000_000_000L / KernelServices.HZ;

    @Override
    public byte[] render(ProcContext ctx) {
        Seq s = new Seq(256);
        for (BlockDevice b : all(ctx.kernel())) {
            s.dec(b.major(), 4).put(' ').dec(b.minor(), 7).put(' ').put(b.name());
            for (long v : fields(ctx.kernel(), b)) {
                s.put(' ').put(v);
            }
            s.nl();
        }
        return s.bytes();
    }

    /** Every block device in the block class's order: each disk, then its partitions. */
    static List<BlockDevice> all(Kernel k) {
        List<BlockDevice> out = new ArrayList<>();
        for (Gendisk d : k.mm().blockDevices().disks()) {
            out.add(d.part0());
            out.addAll(d.partitions());
        }
        return out;
    }

    /**
     * The counters diskstats and /sys/block/.../stat show, in their order: reads completed, merged, sectors read,
     * ms reading; the same four for writes; requests in flight; io_ticks (jiffies_to_msecs of the busy jiffies);
     * time_in_queue (the ms of all four groups); discards completed, merged, sectors, ms; flushes completed, ms.
     */
    public static long[] fields(Kernel k, BlockDevice b) {
        DiskStats st = b.stats();
        long[] f = new long[17];
        int i = 0;
        for (int g : new int[] {DiskStats.STAT_READ, DiskStats.STAT_WRITE}) {
            f[i++] = st.ios(g);
            f[i++] = st.merges(g);
            f[i++] = st.sectors(g);
            f[i++] = st.nsecs(g) / NSEC_PER_MSEC;
        }
        long[] inFlight = inFlight(k, b);
        f[i++] = inFlight[0] + inFlight[1];
        f[i++] = st.busyNs(k.clock().nanos()) / NSEC_PER_JIFFY * (1000 / KernelServices.HZ);
        f[i++] = (st.nsecs(DiskStats.STAT_READ) + st.nsecs(DiskStats.STAT_WRITE) + st.nsecs(DiskStats.STAT_DISCARD)
                + st.nsecs(DiskStats.STAT_FLUSH)) / NSEC_PER_MSEC;
        f[i++] = st.ios(DiskStats.STAT_DISCARD);
        f[i++] = st.merges(DiskStats.STAT_DISCARD);
        f[i++] = st.sectors(DiskStats.STAT_DISCARD);
        f[i++] = st.nsecs(DiskStats.STAT_DISCARD) / NSEC_PER_MSEC;
        f[i++] = st.ios(DiskStats.STAT_FLUSH);
        f[i] = st.nsecs(DiskStats.STAT_FLUSH) / NSEC_PER_MSEC;
        return f;
    }

    /**
     * bdev_count_inflight(): the reads and writes the device has not finished — the queue's, and the writeback the
     * flusher queued on the root file system's partition (and its disk), which the device writes as it completes
     * them (the simulation counts its requests then), in the tags the queue has left.
     */
    public static long[] inFlight(Kernel k, BlockDevice b) {
        long now = k.clock().nanos();
        long[] rw = {b.stats().inFlight(now, DiskStats.STAT_READ), b.stats().inFlight(now, DiskStats.STAT_WRITE)};
        BlockDevice root = k.mm().blockDevices().root();
        if (root != null && (b == root || b == root.disk().part0())) {
            long writeback = k.mm().bdi().inFlightRequests(root.disk().queue().maxSectorsKb() * 1024 / Page.PAGE_SIZE);
            rw[1] = Math.min(rw[1] + writeback, root.disk().queue().nrRequests() - rw[0]);
        }
        return rw;
    }
}
