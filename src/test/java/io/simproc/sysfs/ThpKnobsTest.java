package io.simproc.sysfs;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.Task;
import io.simproc.mm.Gfp;
import io.simproc.mm.Prot;
import io.simproc.mm.ThpFlags;
import io.simproc.mm.Vma;
import io.simproc.proc.PidFixture;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcText;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /sys/kernel/mm/transparent_hugepage/{enabled,defrag,use_zero_page} drive the fault path: the mode decides which
 * faults get huge pages, defrag whether a fault compacts, wakes kcompactd or neither, use_zero_page what a read
 * maps; a bad write is EINVAL and changes nothing. The mm invariants are checked after each step.
 */
class ThpKnobsTest {
    private static final long MB = 1L << 20;
    private static final String THP = "/kernel/mm/transparent_hugepage/";

    /** A machine with a process to fault in, and its /sys. */
    private record Machine(PidFixture f, ProcFs sys, Task task) {
        Kernel kernel() {
            return f.kernel;
        }

        int write(String file, String text) {
            int r = SysFixture.write(sys, THP + file, text, Credentials.ROOT);
            kernel().read(k -> {
                k.checkInvariants();
                return null;
            });
            return r;
        }

        String read(String file) {
            return SysFixture.read(sys, THP + file, Credentials.ROOT);
        }

        long meminfo(String field) {
            return ProcText.meminfo(f.read("/meminfo")).get(field);
        }

        long vmstat(String field) {
            return ProcText.vmstat(f.read("/vmstat")).get(field);
        }

        /** A private anonymous mapping of len bytes (aligned to 2 MiB), touched all over. */
        long touched(long len, boolean write) {
            Kernel k = kernel();
            long a = k.mutate(() -> k.syscalls().mmap(task, 0, len, Prot.READ | Prot.WRITE,
                    Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0));
            assertEquals(0, (int) k.mutate(() -> k.syscalls().touch(task, a, len, write)));
            k.read(m -> {
                m.checkInvariants();
                return null;
            });
            return a;
        }
    }

    private static Machine machine(String profile) {
        PidFixture f = new PidFixture(profile);
        return new Machine(f, new ProcFs(f.kernel, SysTree.create(f.kernel)), f.spawn(List.of("bash")));
    }

    @Test
    void writingEnabledChangesTheNextFaults() {
        Machine m = machine("memory: 1G\nthp: madvise\n");
        assertEquals(6, m.write("enabled", "never\n"));
        assertEquals("always madvise [never]\n", m.read("enabled"));
        long before = m.meminfo("AnonHugePages");
        m.touched(64 * MB, true);
        assertEquals(before, m.meminfo("AnonHugePages"), "THP never: a 64 MiB touch gets no huge page");
        assertEquals(7, m.write("enabled", "always\n"));
        assertEquals("[always] madvise never\n", m.read("enabled"));
        long faults = m.vmstat("thp_fault_alloc");
        m.touched(64 * MB, true);
        assertEquals(before + 64 * 1024, m.meminfo("AnonHugePages"), "THP always: the touch gets 32 huge pages");
        assertEquals(faults + 32, m.vmstat("thp_fault_alloc"));
        assertEquals(before + 64 * 1024, SysFixture.nodeMeminfo(0, SysFixture.read(m.sys(),
                "/devices/system/node/node0/meminfo", Credentials.ROOT)).get("AnonHugePages"), "node0 shows them");
    }

    @Test
    void aBadWriteIsInvalidAndChangesNothing() {
        Machine m = machine("memory: 1G\nthp: always\n");
        long minFree = minFreeKbytes(m);
        for (String bad : List.of("garbage\n", "Never\n", " never", "never\n\n", "always madvise", "[madvise]")) {
            assertEquals(-Errno.EINVAL, m.write("enabled", bad), "enabled: " + bad);
            assertEquals(-Errno.EINVAL, m.write("defrag", bad), "defrag: " + bad);
        }
        assertEquals("[always] madvise never\n", m.read("enabled"));
        assertEquals("always defer defer+madvise [madvise] never\n", m.read("defrag"));
        assertEquals(minFree, minFreeKbytes(m));
        for (String bad : List.of("2\n", "-1", "one", "", "99999999999999999999999\n")) {
            int expected = bad.isEmpty() ? 0 : bad.startsWith("9") ? -Errno.ERANGE : -Errno.EINVAL;
            assertEquals(expected, m.write("use_zero_page", bad), "use_zero_page: '" + bad + "'");
        }
        assertEquals("1\n", m.read("use_zero_page"));
        assertEquals(7, m.write("defrag", "always\n"));
        assertEquals(13, m.write("defrag", "defer+madvise"));
        assertEquals("always defer [defer+madvise] madvise never\n", m.read("defrag"));
    }

    @Test
    void enabledAddsOrRemovesTheThpReserveOfMinFreeKbytes() {
        Machine m = machine("memory: 4G\nthp: always\n");
        long withThp = minFreeKbytes(m);
        m.write("enabled", "never");
        long without = minFreeKbytes(m);
        assertTrue(without < withThp, "set_recommended_min_free_kbytes falls back to the default: " + without);
        m.write("enabled", "madvise");
        assertEquals(withThp, minFreeKbytes(m), "enabling THP raises it again");
    }

    private static long minFreeKbytes(Machine m) {
        return Long.parseLong(m.f().read("/sys/vm/min_free_kbytes").trim());
    }

    @Test
    void defragPoliciesGiveVmaThpGfpMasksFlags() {
        Machine m = machine("memory: 1G\nthp: always\n");
        Kernel k = m.kernel();
        long plain = k.mutate(() -> k.syscalls().mmap(m.task(), 0, 4 * MB, Prot.READ | Prot.WRITE,
                Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0));
        long advised = k.mutate(() -> k.syscalls().mmap(m.task(), 0, 4 * MB, Prot.READ | Prot.WRITE,
                Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0));
        assertEquals(0, (int) k.mutate(() -> k.syscalls().madvise(m.task(), advised, 4 * MB, Prot.MADV_HUGEPAGE)));
        Vma p = m.task().mm().findVma(plain);
        Vma a = m.task().mm().findVma(advised);
        int light = Gfp.GFP_TRANSHUGE_LIGHT;
        int direct = Gfp.__GFP_DIRECT_RECLAIM;
        int kswapd = Gfp.__GFP_KSWAPD_RECLAIM;
        Map<String, int[]> expected = Map.of(
                "always", new int[] {light | direct | Gfp.__GFP_NORETRY, light | direct},
                "defer", new int[] {light | kswapd, light | kswapd},
                "defer+madvise", new int[] {light | kswapd, light | direct},
                "madvise", new int[] {light, light | direct},
                "never", new int[] {light, light});
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            assertTrue(m.write("defrag", e.getKey() + "\n") > 0);
            ThpFlags flags = k.read(x -> x.mm().hugeMemory().flags());
            assertEquals(e.getValue()[0], flags.vmaThpGfpMask(p), e.getKey() + ", without MADV_HUGEPAGE");
            assertEquals(e.getValue()[1], flags.vmaThpGfpMask(a), e.getKey() + ", with MADV_HUGEPAGE");
        }
    }

    @Test
    void withoutTheZeroPageAReadFaultAllocatesAHugePage() {
        Machine m = machine("memory: 1G\nthp: always\n");
        long zeroAllocs = m.vmstat("thp_zero_page_alloc");
        m.touched(8 * MB, false);
        assertEquals(zeroAllocs + 1, m.vmstat("thp_zero_page_alloc"), "a read maps the huge zero page");
        long anon = m.meminfo("AnonHugePages");
        assertEquals(2, m.write("use_zero_page", "0\n"));
        assertEquals("0\n", m.read("use_zero_page"));
        m.touched(8 * MB, false);
        assertEquals(anon + 8 * 1024, m.meminfo("AnonHugePages"), "reads get huge pages of their own");
    }

    /**
     * On the machine of samples/scenarios/thp-fragmentation.yaml, fragmented at 5 s, process f writes 256 MiB
     * without MADV_HUGEPAGE: with the default defrag ("madvise") its faults fall back at once and wake nobody, with
     * "always" they compact directly (compact_stall), with "defer" they do not stall but wake kswapd (pageoutrun),
     * which hands over to kcompactd.
     */
    @Test
    void defragDecidesWhetherAnUnadvisedFaultCompactsWakesKswapdOrNeither() throws Exception {
        String scenario = Files.readString(Path.of("samples/scenarios/thp-fragmentation.yaml"));
        long[] madvise = fragmentedFaults(scenario, null);
        long[] always = fragmentedFaults(scenario, "always");
        long[] defer = fragmentedFaults(scenario, "defer");
        assertEquals(0, madvise[0], "madvise: no stall");
        assertEquals(0, madvise[1], "madvise: kswapd is not woken");
        assertTrue(always[0] > 0, "always: the faults compact directly: " + always[0]);
        assertEquals(0, defer[0], "defer: no stall");
        assertTrue(defer[1] > 0, "defer: kswapd is woken: " + defer[1]);
    }

    /** compact_stall and pageoutrun during f's writes, after writing {@code defrag} (unless null). */
    private static long[] fragmentedFaults(String scenario, String defrag) {
        SysFixture f = SysFixture.scenario(scenario, 1).until(4900);
        if (defrag != null) {
            assertTrue(f.writeSys(THP + "defrag", defrag, Credentials.ROOT) > 0);
        }
        Map<String, Long> before = ProcText.vmstat(f.proc("/vmstat"));
        f.until(5900);
        Map<String, Long> after = ProcText.vmstat(f.proc("/vmstat"));
        assertTrue(after.get("thp_fault_alloc") + after.get("thp_fault_fallback")
                > before.get("thp_fault_alloc") + before.get("thp_fault_fallback"), "f faulted");
        return new long[] {after.get("compact_stall") - before.get("compact_stall"),
            after.get("pageoutrun") - before.get("pageoutrun")};
    }
}
