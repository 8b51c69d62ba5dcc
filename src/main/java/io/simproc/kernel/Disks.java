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
 */
final class Disks {
    static final int VIRTBLK_MAJOR = 254;
    static final int SCSI_DISK0_MAJOR = 8;
    static final int XEN_VBD_MAJOR = 202;
    static final int BLOCK_EXT_MAJOR = 259;
    static final int PART_MINORS = 16;
    /** The read rate of the simulated disks: twice their write rate (BdiWriteback's). */
    static final long READ_BYTES_PER_SEC = 2 * BdiWriteback.DEFAULT_WRITE_BANDWIDTH_BYTES;

    private Disks() {
    }

    /** Adds the profile's disks to {@code bdevs} and names the root partition. */
    static void probe(MachineProfile profile, BlockDevices bdevs) {
        int[] nextIndex = new int[3];
        int nextExt = 0;
        QueueLimits queue = QueueLimits.virtio(READ_BYTES_PER_SEC, BdiWriteback.DEFAULT_WRITE_BANDWIDTH_BYTES);
        for (MachineProfile.Disk d : profile.disks()) {
            Gendisk disk;
            if (d.name().startsWith("nvme")) {
                disk = new Gendisk(d.name(), BLOCK_EXT_MAJOR, nextExt++, 0, d.nrSects(),
                        new QueueLimits(512, 512, 1280, 2048, false, 1023, 128, "[none] mq-deadline",
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
            bdevs.add(disk);
        }
    }
}
