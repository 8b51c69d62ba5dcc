package io.simproc.block;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The machine's disks in the order they were added (the block class's device list, which /proc/partitions,
 * /proc/diskstats and /sys/block walk), and the partition holding the root file system, whose page cache the
 * file reads and writeback go to.
 */
public final class BlockDevices {
    private final List<Gendisk> disks = new ArrayList<>();
    private BlockDevice root;

    public void add(Gendisk disk) {
        for (Gendisk d : disks) {
            if (d.name().equals(disk.name())) {
                throw new IllegalArgumentException("disk " + disk.name() + " exists");
            }
        }
        disks.add(disk);
    }

    public List<Gendisk> disks() {
        return Collections.unmodifiableList(disks);
    }

    /** The device at /dev/NAME, or null. */
    public BlockDevice lookup(String path) {
        for (Gendisk d : disks) {
            if (d.part0().path().equals(path)) {
                return d.part0();
            }
            for (BlockDevice p : d.partitions()) {
                if (p.path().equals(path)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** The device numbered {@code major}:{@code minor}, or null. */
    public BlockDevice byDev(int major, int minor) {
        for (Gendisk d : disks) {
            if (d.major() != major) {
                continue;
            }
            if (d.part0().minor() == minor) {
                return d.part0();
            }
            for (BlockDevice p : d.partitions()) {
                if (p.minor() == minor) {
                    return p;
                }
            }
        }
        return null;
    }

    /** The root file system's device, or null on a machine without disks. */
    public BlockDevice root() {
        return root;
    }

    public void setRoot(BlockDevice root) {
        this.root = root;
    }

    /** Every disk's {@link Gendisk#check()}: the first broken invariant, or null. */
    public String check() {
        for (Gendisk d : disks) {
            String err = d.check();
            if (err != null) {
                return err;
            }
        }
        return null;
    }
}
