package io.simproc.block;

/**
 * struct queue_limits and the request queue settings /sys/block/DISK/queue shows: sector sizes, the optimal I/O
 * size, the largest request (max_sectors_kb, which caps how far bios merge), whether the device is rotational, its
 * queue depth, readahead and I/O scheduler (null for a bio-based queue, which has neither a scheduler nor
 * requests), and the service model the simulation gives the device: a latency per request and a transfer rate per
 * direction (0 for a device that takes no I/O).
 */
public record QueueLimits(int logicalBlockSize, int physicalBlockSize, int optimalIoSize, int maxSectorsKb,
                          int maxHwSectorsKb, boolean rotational, int nrRequests, int readAheadKb, String scheduler,
                          long latencyNs, long readBytesPerSec, long writeBytesPerSec) {

    /** A virtio disk (drivers/block/virtio_blk.c defaults under QEMU): 512-byte sectors, 1280 KiB requests. */
    public static QueueLimits virtio(long readBytesPerSec, long writeBytesPerSec) {
        return new QueueLimits(512, 512, 0, 1280, 2147483647, true, 256, 128, "[none] mq-deadline",
                100_000, readBytesPerSec, writeBytesPerSec);
    }

    /**
     * A loop device not bound to a file (drivers/block/loop.c loop_add()): 512-byte blocks, requests of up to
     * BLK_DEF_MAX_SECTORS_CAP (2560 sectors, 1280 KiB), hw_queue_depth 128 tags, not rotational, no scheduler
     * by default (BLK_MQ_F_NO_SCHED_BY_DEFAULT).
     */
    public static QueueLimits loop() {
        return new QueueLimits(512, 512, 0, 1280, 1280, false, 128, 128, "[none] mq-deadline", 0, 0, 0);
    }

    /**
     * A zram device (drivers/block/zram/zram_drv.c zram_add()): bio-based, its logical, physical and optimal I/O
     * sizes one page (ZRAM_LOGICAL_BLOCK_SIZE, PAGE_SIZE), not rotational; it sets no request size, so
     * blk_validate_limits() gives it BLK_SAFE_MAX_SECTORS (255) rounded down to whole 4 KiB blocks: 248 sectors,
     * 124 KiB.
     */
    public static QueueLimits zram() {
        return new QueueLimits(4096, 4096, 4096, 124, 124, false, 0, 128, null, 0, 0, 0);
    }

    /** Whether the queue is blk-mq (queue_is_mq()): only such a queue has nr_requests and a scheduler. */
    public boolean isMq() {
        return scheduler != null;
    }

    public int maxSectors() {
        return maxSectorsKb * 2;
    }
}
