package io.simproc.block;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A disk without hardware (loop, zram): one minor, no capacity, in virtual/, its partition range as its driver
 * makes it; it takes no I/O, and a bio sent to it is a bug that changes nothing.
 */
class UnbackedDiskTest {
    @Test
    void anUnbackedDiskHasNoCapacityAndOneMinor() {
        Gendisk loop = Gendisk.unbacked("loop3", 7, 3, false, QueueLimits.loop());
        assertEquals(0, loop.part0().nrSects());
        assertEquals(1, loop.minors());
        assertEquals(3, loop.part0().minor());
        assertTrue(loop.isVirtual());
        assertEquals(256, loop.extRange(), "loop devices may be partitioned");
        Gendisk zram = Gendisk.unbacked("zram0", 253, 0, true, QueueLimits.zram());
        assertEquals(1, zram.extRange(), "GENHD_FL_NO_PART");
        assertFalse(zram.queue().isMq(), "bio-based");
        assertTrue(loop.queue().isMq());
    }

    @Test
    void aBioToAnUnbackedDiskIsRefusedAndCountsNothing() {
        Gendisk loop = Gendisk.unbacked("loop0", 7, 0, false, QueueLimits.loop());
        assertThrows(IllegalStateException.class, () -> loop.part0().submit(DiskStats.STAT_READ, 1, 0, 8, 0, true,
                true));
        assertEquals(0, loop.part0().stats().ios(DiskStats.STAT_READ));
        assertNull(loop.check());
    }
}
