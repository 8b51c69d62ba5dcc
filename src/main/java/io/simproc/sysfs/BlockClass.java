package io.simproc.sysfs;

import io.simproc.block.BlockDevice;
import io.simproc.block.Gendisk;
import io.simproc.block.QueueLimits;
import io.simproc.kernel.Kernel;
import io.simproc.proc.Diskstats;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.Seq;

import java.util.ArrayList;
import java.util.List;

/**
 * The disks in /sys (block/genhd.c disk_attrs, block/partitions/core.c part_attrs, block/blk-sysfs.c queue
 * attributes): each disk's directory under its PCI device, with its partitions as subdirectories and its request
 * queue under queue/ (a disk without a device, loop's and zram's, under virtual/block); /sys/block/DISK and
 * /sys/class/block/{DISK,PART} are links to them, as the block class makes them. A loop device's loop/ directory
 * (backing_file, offset...) is made by loop_configure() when it is bound to a file, so an unbound one has none. stat has the 17 counters of /proc/diskstats in "%8lu" columns, inflight the reads and writes in
 * flight.
 */
final class BlockClass {
    private BlockClass() {
    }

    /**
     * The PCI device holding disk {@code i}: a virtio, NVMe or SCSI controller. The first disk is the reference
     * board's virtio-blk in slot 2 (virtio1; its queue interrupt is in kernel.Interrupts); slots 3 to 6 hold
     * eth0's virtio-net and the board's other virtio devices (/proc/iomem), so further disks take slots 7 on.
     */
    static String devicePath(Gendisk d, int i) {
        String slot = String.format("pci0000:00/0000:00:%02x.0", i == 0 ? 2 : 6 + i);
        if (d.name().startsWith("nvme")) {
            return slot + "/nvme/" + d.name().substring(0, d.name().indexOf('n', 4)) + "/" + d.name();
        }
        if (d.name().startsWith("sd")) {
            return slot + "/host" + i + "/target" + i + ":0:0/" + i + ":0:0:0/block/" + d.name();
        }
        return slot + "/virtio" + (i == 0 ? 1 : 4 + i) + "/block/" + d.name();
    }

    /**
     * Where disk {@code d} is under /sys/devices: virtual/block/NAME for a disk without a parent device, else below
     * the PCI device holding it, the disks with one numbered in order from 0.
     */
    static String sysfsPath(Gendisk d, List<Gendisk> disks) {
        if (d.isVirtual()) {
            return "virtual/block/" + d.name();
        }
        int i = 0;
        for (Gendisk o : disks) {
            if (o == d) {
                break;
            }
            i += o.isVirtual() ? 0 : 1;
        }
        return devicePath(d, i);
    }

    /**
     * The directories under /sys/devices holding the disks: the PCI bus with every disk's device path below it,
     * and virtual/block with the disks that have no device.
     */
    static List<ProcEntry> deviceTrees(Kernel k) {
        List<Gendisk> disks = k.mm().blockDevices().disks();
        List<ProcEntry> slots = new ArrayList<>();
        List<ProcEntry> unbacked = new ArrayList<>();
        for (Gendisk d : disks) {
            if (d.isVirtual()) {
                unbacked.add(diskDir(d));
                continue;
            }
            String[] path = sysfsPath(d, disks).split("/");
            ProcEntry e = diskDir(d);
            for (int c = path.length - 2; c >= 1; c--) {
                e = Sysfs.dir(path[c], List.of(e));
            }
            slots.add(e);
        }
        return List.of(Sysfs.dir("pci0000:00", slots),
                Sysfs.dir("virtual", List.of(Sysfs.dir("block", unbacked))));
    }

    /** /sys/block: a link per disk. */
    static ProcEntry blockDir(Kernel k) {
        List<Gendisk> disks = k.mm().blockDevices().disks();
        List<ProcEntry> links = new ArrayList<>();
        for (Gendisk d : disks) {
            links.add(Sysfs.link(d.name(), "../devices/" + sysfsPath(d, disks)));
        }
        return Sysfs.dir("block", links);
    }

    /** /sys/class/block: a link per disk and per partition. */
    static ProcEntry classBlockDir(Kernel k) {
        List<Gendisk> disks = k.mm().blockDevices().disks();
        List<ProcEntry> links = new ArrayList<>();
        for (Gendisk d : disks) {
            String target = "../../devices/" + sysfsPath(d, disks);
            links.add(Sysfs.link(d.name(), target));
            for (BlockDevice p : d.partitions()) {
                links.add(Sysfs.link(p.name(), target + "/" + p.name()));
            }
        }
        return Sysfs.dir("block", links);
    }

    /**
     * /sys/dev/block: a link MAJOR:MINOR per disk and partition to its device (drivers/base/core.c
     * device_create_sys_dev_entry()), which tools holding a device number use to find its attributes (zramctl,
     * lsblk).
     */
    static ProcEntry devBlockDir(Kernel k) {
        List<Gendisk> disks = k.mm().blockDevices().disks();
        List<ProcEntry> links = new ArrayList<>();
        for (Gendisk d : disks) {
            String target = "../../devices/" + sysfsPath(d, disks);
            links.add(Sysfs.link(d.major() + ":" + d.part0().minor(), target));
            for (BlockDevice p : d.partitions()) {
                links.add(Sysfs.link(p.major() + ":" + p.minor(), target + "/" + p.name()));
            }
        }
        return Sysfs.dir("block", links);
    }

    private static ProcEntry diskDir(Gendisk d) {
        BlockDevice whole = d.part0();
        List<ProcEntry> e = new ArrayList<>();
        e.add(Sysfs.value("alignment_offset", 0));
        e.add(Sysfs.text("dev", whole.major() + ":" + whole.minor()));
        e.add(Sysfs.value("discard_alignment", 0));
        e.add(Sysfs.value("ext_range", d.extRange()));
        e.add(Sysfs.value("hidden", 0));
        e.add(inflight(whole));
        e.add(Sysfs.value("range", d.minors()));
        e.add(Sysfs.value("removable", 0));
        e.add(Sysfs.value("ro", 0));
        e.add(Sysfs.ro("size", ctx -> Sysfs.line(Long.toString(whole.nrSects()))));
        e.add(stat(whole));
        e.add(queueDir(d.queue()));
        if (d.name().startsWith("zram")) {
            e.addAll(ZramAttrs.attrs());
        }
        for (BlockDevice p : d.partitions()) {
            e.add(Sysfs.dir(p.name(), List.of(
                    Sysfs.value("alignment_offset", 0),
                    Sysfs.text("dev", p.major() + ":" + p.minor()),
                    Sysfs.value("discard_alignment", 0),
                    inflight(p),
                    Sysfs.value("partition", p.partno()),
                    Sysfs.value("ro", 0),
                    Sysfs.value("size", p.nrSects()),
                    Sysfs.value("start", p.startSect()),
                    stat(p))));
        }
        return Sysfs.dir(d.name(), e);
    }

    /** The queue's attributes; nr_requests and scheduler only for a blk-mq queue (queue_attr_visible()). */
    private static ProcEntry queueDir(QueueLimits q) {
        List<ProcEntry> e = new ArrayList<>(List.of(
                Sysfs.value("hw_sector_size", q.logicalBlockSize()),
                Sysfs.value("logical_block_size", q.logicalBlockSize()),
                Sysfs.value("max_hw_sectors_kb", q.maxHwSectorsKb()),
                Sysfs.value("max_sectors_kb", q.maxSectorsKb()),
                Sysfs.value("minimum_io_size", q.physicalBlockSize()),
                Sysfs.value("optimal_io_size", q.optimalIoSize()),
                Sysfs.value("physical_block_size", q.physicalBlockSize()),
                Sysfs.value("read_ahead_kb", q.readAheadKb()),
                Sysfs.value("rotational", q.rotational() ? 1 : 0)));
        if (q.isMq()) {
            e.add(5, Sysfs.value("nr_requests", q.nrRequests()));
            e.add(Sysfs.text("scheduler", q.scheduler()));
        }
        return Sysfs.dir("queue", e);
    }

    /** part_stat_show(). */
    private static ProcEntry stat(BlockDevice b) {
        return Sysfs.ro("stat", ctx -> {
            Seq s = new Seq(160);
            long[] f = Diskstats.fields(ctx.kernel(), b);
            for (int i = 0; i < f.length; i++) {
                if (i > 0) {
                    s.put(' ');
                }
                s.dec(f[i], 8);
            }
            return Sysfs.line(s);
        });
    }

    /** part_inflight_show(): "%8u %8u". */
    private static ProcEntry inflight(BlockDevice b) {
        return Sysfs.ro("inflight", ctx -> {
            long[] f = Diskstats.inFlight(ctx.kernel(), b);
            return Sysfs.line(new Seq(20).dec(f[0], 8).put(' ').dec(f[1], 8));
        });
    }
}
