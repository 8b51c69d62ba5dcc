package io.simproc.kernel;

import io.simproc.block.BlockDevice;
import io.simproc.block.BlockDevices;
import io.simproc.block.Gendisk;
import io.simproc.block.QueueLimits;
import io.simproc.mm.BdiWriteback;

/**
 * The block drivers' probe at boot: a gendisk per disk of the profile, numbered as its driver numbers it, and
 * its partitions as the partition table gives them (block/partitions/core.c add_partition()). virtio_blk takes
 * the first dynamic major (254, as register_blkdev(0) gives it on a machine without other dynamic drivers) and
 * 16 minors per disk (PART_BITS 4), sd 8 and xvd 202 with 16 minors per disk; NVMe namespaces are numbered in the
 * extended range of major 259 (BLOCK_EXT_MAJOR), disk and partitions taking the next minors in turn.
 *
 * <p>Besides the profile's disks, every machine of the guest kernel has the devices its built-in drivers add at
 * init with nothing behind them: loop_init() (drivers/block/loop.c) adds CONFIG_BLK_DEV_LOOP_MIN_COUNT (8) loop
 * devices, major LOOP_MAJOR (7), minor N, not bound to a file; zram_init() (drivers/block/zram/zram_drv.c) adds
 * num_devices (1) zram device, unconfigured (disksize 0), on the dynamic major register_blkdev(0) gives it after
 * virtio_blk's (253). Both have no capacity, so they take no I/O. The block class lists disks in the order they
 * were added (device_add() appends to the class's klist, which diskstats_show() and /sys/block walk): the
 * initcalls run in link order, drivers/block/Makefile building loop.o before virtio_blk.o and xen-blkfront.o and
 * zram/ after them, and drivers/Makefile block/ before scsi/ and nvme/ (whose namespaces nvme_scan_work() adds
 * later still, from a workqueue). So loop0..loop7, the virtio and Xen disks, zram0, then the SCSI and NVMe disks,
 * each group in the profile's order: loop0..loop7, vda, zram0 on the reference machine, as its /proc/diskstats
 * has them.
 */
final class Disks {
    static final int VIRTBLK_MAJOR = 254;
    static final int SCSI_DISK0_MAJOR = 8;
    static final int XEN_VBD_MAJOR = 202;
    static final int BLOCK_EXT_MAJOR = 259;
    static final int PART_MINORS = 16;
    static final int LOOP_MAJOR = 7;
    /** CONFIG_BLK_DEV_LOOP_MIN_COUNT of the guest kernel. */
    static final int LOOP_MIN_COUNT = 8;
    /** The second dynamic major (register_blkdev(0) counts down from 254, which virtio_blk took). */
    static final int ZRAM_MAJOR = 253;
    /** The read rate of the simulated disks: twice their write rate (BdiWriteback's). */
    static final long READ_BYTES_PER_SEC = 2 * BdiWriteback.DEFAULT_WRITE_BANDWIDTH_BYTES;

    private Disks() {
    }

    /** Adds the profile's disks to {@code bdevs} and names the root partition. */
    static void probe(MachineProfile profile, BlockDevices bdevs) {
        for (int i = 0; i < LOOP_MIN_COUNT; i++) {
            bdevs.add(Gendisk.unbacked("loop" + i, LOOP_MAJOR, i, false, QueueLimits.loop()));
        }
        int[] nextIndex = new int[3];
        int nextExt = 0;
        QueueLimits queue = QueueLimits.virtio(READ_BYTES_PER_SEC, BdiWriteback.DEFAULT_WRITE_BANDWIDTH_BYTES);
        java.util.List<Gendisk> afterZram = new java.util.ArrayList<>();
        for (MachineProfile.Disk d : profile.disks()) {
            Gendisk disk;
            if (d.name().startsWith("nvme")) {
                disk = new Gendisk(d.name(), BLOCK_EXT_MAJOR, nextExt++, 0, d.nrSects(),
                        new QueueLimits(512, 512, 0, 1280, 2048, false, 1023, 128, "[none] mq-deadline",
                                20_000, queue.readBytesPerSec(), queue.writeBytesPerSec()));
            } else {
                int kind = d.name().startsWith("vd") ? 0 : d.name().startsWith("sd") ? 1 : 2;
                int major = kind == 0 ? VIRTBLK_MAJOR : kind == 1 ? SCSI_DISK0_MAJOR : XEN_VBD_MAJOR;
                disk = new Gendisk(d.name(), major, PART_MINORS * nextIndex[kind]++, PART_MINORS, d.nrSects(), queue);
            }
            for (MachineProfile.Partition p : d.partitions()) {
                int minor = disk.minors() > 0 ? disk.firstMinor() + p.partno() : nextExt++;
                BlockDevice part = disk.addPartition(p.partno(), minor, p.startSect(), p.nrSects());
                if ("/".equals(p.mount())) {
                    bdevs.setRoot(part);
                }
            }
            if (disk.major() == VIRTBLK_MAJOR || disk.major() == XEN_VBD_MAJOR) {
                bdevs.add(disk);
            } else {
                afterZram.add(disk);
            }
        }
        bdevs.add(Gendisk.unbacked("zram0", ZRAM_MAJOR, 0, true, QueueLimits.zram()));
        afterZram.forEach(bdevs::add);
    }
}
