package io.simproc.sysctl;

import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTestSupport;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.simproc.proc.ProcTestSupport.read;
import static io.simproc.proc.ProcTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The knobs of node reclaim (mm/page_alloc.c: zone_reclaim_mode, min_unmapped_ratio, min_slab_ratio):
 * zone_reclaim_mode any int ≥ 0 (only its low three bits mean something, the rest is kept), the ratios 0..100;
 * mode 0644; bad input gets EINVAL and changes nothing.
 */
class NodeReclaimKnobsTest {
    private static final String MODE = "/sys/vm/zone_reclaim_mode";
    private static final String UNMAPPED = "/sys/vm/min_unmapped_ratio";
    private static final String SLAB = "/sys/vm/min_slab_ratio";
    private static final List<String> ALL = List.of(MODE, UNMAPPED, SLAB);

    @Test
    void defaultsAndModesAreTheKernels() {
        ProcFs fs = ProcTestSupport.shared();
        assertEquals("0\n", read(fs, MODE));
        assertEquals("1\n", read(fs, UNMAPPED));
        assertEquals("5\n", read(fs, SLAB));
        for (String p : ALL) {
            assertEquals(0644, ProcTestSupport.file(fs, p).mode(), p);
        }
    }

    @Test
    void writesTakeEffectAndBadOnesChangeNothing() {
        ProcFs fs = ProcTestSupport.bootDefault();
        assertEquals(2, write(fs, MODE, "7\n", 0));
        assertEquals("7\n", read(fs, MODE));
        assertEquals(7, fs.kernel().mm().tunables().nodeReclaimMode());
        assertEquals(3, write(fs, MODE, "12\n", 0));
        assertEquals("12\n", read(fs, MODE), "bits above RECLAIM_UNMAP are kept, as proc_dointvec_minmax keeps them");
        assertEquals(4, write(fs, UNMAPPED, "100\n", 0));
        assertEquals(100, fs.kernel().mm().tunables().minUnmappedRatio());
        assertEquals(2, write(fs, SLAB, "0\n", 0));
        assertEquals(0, fs.kernel().mm().tunables().minSlabRatio());
        String[][] bad = {{MODE, "-1\n"}, {MODE, "abc\n"}, {MODE, "2147483648\n"}, {UNMAPPED, "101\n"},
            {UNMAPPED, "-1\n"}, {SLAB, "101\n"}, {SLAB, "1x\n"}};
        for (String[] b : bad) {
            List<String> before = ALL.stream().map(p -> read(fs, p)).toList();
            assertEquals(-Errno.EINVAL, write(fs, b[0], b[1], 0), b[0] + " <- " + b[1]);
            assertEquals(before, ALL.stream().map(p -> read(fs, p)).toList(), "nothing moved");
        }
    }
}
