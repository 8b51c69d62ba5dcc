package io.simproc.mm;

/**
 * fs/drop_caches.c: what a write to /proc/sys/vm/drop_caches does (drop_caches_sysctl_handler()). Bit 0
 * invalidates every clean, unmapped, unlocked page cache page of every regular file and block device (shmem is not
 * droppable) and counts drop_pagecache; bit 1 runs the slab shrinkers at priority 0 until they free little and
 * counts drop_slab; the log line {@code "<comm> (<pid>): drop_caches: <value>"} is printed unless an earlier write
 * had bit 2 set (the write carrying bit 2 is itself still logged).
 */
public final class DropCaches {
    private final MemoryManager mm;
    private boolean stfu;
    private int lastValue;

    DropCaches(MemoryManager mm) {
        this.mm = mm;
    }

    /** The value last written (sysctl_drop_caches). */
    public int lastValue() {
        return lastValue;
    }

    /** drop_caches_sysctl_handler() after a successful write of {@code value} (1..4). */
    public void drop(int value) {
        mm.assertWriter();
        lastValue = value;
        if ((value & 1) != 0) {
            for (AddressSpace f : java.util.List.copyOf(mm.inodes().files())) {
                mm.filemap().invalidateMappingPages(f);
            }
            mm.vmstat().countEvent(VmEvent.DROP_PAGECACHE, 1);
        }
        if ((value & 2) != 0) {
            dropSlab();
            mm.vmstat().countEvent(VmEvent.DROP_SLAB, 1);
        }
        if (!stfu) {
            mm.services().printk(KernelServices.KERN_INFO, String.format("%s (%d): drop_caches: %d",
                    mm.services().currentComm(), mm.services().currentPid(), value));
        }
        stfu |= (value & 4) != 0;
    }

    /** drop_slab(): shrink every node at priority 0, again while a round frees more than 2^shift objects. */
    private void dropSlab() {
        int shift = 0;
        long freed;
        do {
            freed = 0;
            for (PgData pgdat : mm.nodes()) {
                freed += mm.shrinkers().shrinkSlab(Gfp.GFP_KERNEL, pgdat.nodeId(), 0);
            }
            shift++;
        } while ((freed >> shift) > 1);
    }
}
