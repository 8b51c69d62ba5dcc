package io.simproc.kernel;

import io.simproc.uapi.Errno;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * nf_conntrack_init_start()'s sizing from the machine's memory (net/netfilter/nf_conntrack_core.c): 1/16384 of
 * memory in 8-byte buckets, 65536 above 1 GiB, 262144 above 4 GiB, at least 1024, rounded up to a whole page of
 * buckets (512); nf_conntrack_max one entry per bucket; nf_ct_expect_max four per 256 buckets.
 */
class NfConntrackTest {
    private static final long GIB_PAGES = 1L << 18;

    @Test
    void theTableGrowsWithMemoryUpToItsCaps() {
        assertEquals(1024, NfConntrack.htableAutosize(GIB_PAGES / 16), "64 MiB: 512 buckets, raised to 1024");
        assertEquals(8192, NfConntrack.htableAutosize(GIB_PAGES), "1 GiB exactly: not above 1 GiB");
        assertEquals(65536, NfConntrack.htableAutosize(GIB_PAGES + 1));
        assertEquals(65536, NfConntrack.htableAutosize(4 * GIB_PAGES), "4 GiB exactly: not above 4 GiB");
        assertEquals(262144, NfConntrack.htableAutosize(4 * GIB_PAGES + 1));
        NfConntrack host = NfConntrack.init(24 * GIB_PAGES - 200_000);
        assertEquals(262144, host.htableSize(), "the 24 GiB guest this was checked on");
        assertEquals(262144, host.max());
        assertEquals(4096, host.expectMax());
    }

    /** The profiles' machines: their MemTotal (totalram_pages) sizes the table. */
    @Test
    void theMachinesOfTheSampleProfiles() {
        for (String profile : new String[] {"default", "small-1g"}) {
            Kernel k = Kernel.boot(MachineProfileLoader.load(Path.of("samples/machines/" + profile + ".yaml")), 1);
            long pages = k.mm().vmstat().totalramPages();
            NfConntrack ct = k.initNet().conntrack();
            long expected = pages > 4 * GIB_PAGES ? 262144
                    : pages > GIB_PAGES ? 65536 : (pages * 4096 / 16384 / 8 + 511) / 512 * 512;
            assertEquals(expected, ct.htableSize(), profile);
            assertEquals(ct.htableSize(), ct.max(), profile);
            assertEquals(Math.max(1, ct.htableSize() / 256) * 4, ct.expectMax(), profile);
            assertEquals(0, ct.count());
        }
        // The 2-node 64 GiB server is not booted here (its mem_map alone is a quarter of the test heap): with any
        // reserved memory taken out of its RAM it stays far above 4 GiB, where the table is capped.
        long serverPages = MachineProfileLoader.load(Path.of("samples/machines/server-2node-64g.yaml")).nodeBytes()
                .stream().mapToLong(Long::longValue).sum() / 4096;
        NfConntrack server = NfConntrack.init(serverPages * 15 / 16);
        assertEquals(List.of(262144, 262144, 4096), List.of(server.htableSize(), server.max(), server.expectMax()));
    }

    @Test
    void aResizeRoundsUpToWholePagesOrFailsAsTheKernelDoes() {
        NfConntrack ct = NfConntrack.init(8 * GIB_PAGES);
        assertEquals(0, ct.hashResize(1000));
        assertEquals(1024, ct.htableSize());
        assertEquals(-Errno.EINVAL, ct.hashResize(0));
        assertEquals(-Errno.ENOMEM, ct.hashResize(Integer.MAX_VALUE / 8 + 1L));
        assertEquals(-Errno.ENOMEM, ct.hashResize(Integer.MAX_VALUE / 8), "rounded up past INT_MAX bytes");
        assertEquals(-Errno.ENOMEM, ct.hashResize(0xffffffffL));
        assertEquals(1024, ct.htableSize(), "failed resizes keep the table");
        assertEquals(262144, ct.max(), "nf_conntrack_max does not follow the buckets");
    }
}
