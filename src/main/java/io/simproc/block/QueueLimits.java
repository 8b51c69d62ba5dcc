package io.simproc.block;

/**
 * struct queue_limits and the request queue settings /sys/block/DISK/queue shows: sector sizes, the largest request
 * (max_sectors_kb, which caps how far bios merge), whether the device is rotational, its queue depth, readahead
 * and I/O scheduler, and the service model the simulation gives the device: a latency per request and a transfer
 * rate per direction.
 */
public record QueueLimits(int logicalBlockSize, int physicalBlockSize, int maxSectorsKb, int maxHwSectorsKb,
                          boolean rotational, int nrRequests, int readAheadKb, String scheduler,
                          long latencyNs, long readBytesPerSec, long writeBytesPerSec) {

    /** A virtio disk (drivers/block/virtio_blk.c defaults under QEMU): 512-byte sectors, 1280 KiB requests. */
    public static QueueLimits virtio(long readBytesPerSec, long writeBytesPerSec) {
        return new QueueLimits(512, 512, 1280, 2147483647, true, 256, 128, "[none] mq-deadline",
                100_000, readBytesPerSec, writeBytesPerSec);
    }

    public int maxSectors() {
        return maxSectorsKb * 2;
    }
}
