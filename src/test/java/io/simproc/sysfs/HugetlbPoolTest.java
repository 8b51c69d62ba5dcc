package io.simproc.sysfs;

import io.simproc.proc.ProcText;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hugetlb pool (mm/hugetlb.c) through its files: writing nr_hugepages (the sysctl, the global or a node's sysfs
 * attribute) takes order-9 blocks from the buddy allocator, so MemFree drops by what HugePages_Total shows; the
 * nodes' shares sum to the global counts; a fragmented machine reaches a smaller pool than a fresh one; bad input
 * is EINVAL and changes nothing. The mm invariants (the pool's among them) are checked after each write.
 */
class HugetlbPoolTest {
    /** A 1 GiB machine running init alone: most of its memory free, in large blocks. */
    private static final String LEAN = "memory: 1G\ncpu: 2\nprocesses:\n  - program: systemd\n    args: [/sbin/init]\n";
    private static final String H = "/kernel/mm/hugepages/hugepages-2048kB/";

    private static String node(int nid) {
        return "/devices/system/node/node" + nid + "/hugepages/hugepages-2048kB/";
    }

    private static int write(SysFixture f, boolean sysfs, String path, String text) {
        int r = SysFixture.write(sysfs ? f.sys : f.proc, path, text, Credentials.ROOT);
        f.kernel.read(k -> {
            k.checkInvariants();
            return null;
        });
        return r;
    }

    private static long num(String text) {
        return Long.parseLong(text.trim());
    }

    private static Map<String, Long> meminfo(SysFixture f) {
        return ProcText.meminfo(f.proc("/meminfo"));
    }

    @Test
    void theSysctlGrowsAndShrinksThePoolFromTheBuddyAllocator() {
        SysFixture f = SysFixture.boot(LEAN, 1);
        long freeBefore = meminfo(f).get("MemFree");
        long commitLimitBefore = meminfo(f).get("CommitLimit");
        assertEquals(0, meminfo(f).get("HugePages_Total"));
        assertEquals(3, write(f, false, "/sys/vm/nr_hugepages", "64\n"));
        Map<String, Long> m = meminfo(f);
        assertEquals(64, m.get("HugePages_Total"));
        assertEquals(64, m.get("HugePages_Free"));
        assertEquals(0, m.get("HugePages_Rsvd"));
        assertEquals(0, m.get("HugePages_Surp"));
        assertEquals(64 * 2048, m.get("Hugetlb"));
        assertEquals(64, num(f.proc("/sys/vm/nr_hugepages")));
        assertEquals(64, num(f.sys(H + "nr_hugepages")));
        assertEquals(64, num(f.sys(H + "free_hugepages")));
        assertEquals(64, num(f.sys(node(0) + "nr_hugepages")));
        assertEquals(64, ProcText.vmstat(f.proc("/vmstat")).get("htlb_buddy_alloc_success"));
        assertEquals(commitLimitBefore - 64 * 2048 / 2, m.get("CommitLimit"),
                "vm_commit_limit(): (totalram - hugetlb) * overcommit_ratio 50% (no swap)");
        long taken = freeBefore - m.get("MemFree");
        assertTrue(taken >= 64 * 2048 && taken < 64 * 2048 + 8192, "MemFree fell by the pool: " + taken + " kB");

        assertEquals(3, write(f, true, H + "nr_hugepages", "16\n"));
        assertEquals(16, meminfo(f).get("HugePages_Total"));
        assertEquals(16, num(f.proc("/sys/vm/nr_hugepages")));
        assertEquals(2, write(f, false, "/sys/vm/nr_hugepages", "0\n"));
        assertEquals(0, meminfo(f).get("HugePages_Total"));
        assertEquals(0, meminfo(f).get("Hugetlb"));
    }

    @Test
    void aPoolLargerThanMemoryStopsWhereTheAllocatorFailsAndTheFilesAgree() {
        SysFixture f = SysFixture.boot(LEAN, 1);
        assertEquals(6, write(f, false, "/sys/vm/nr_hugepages", "10000\n"));
        Map<String, Long> m = meminfo(f);
        long reached = m.get("HugePages_Total");
        assertTrue(reached > 300 && reached < 512, "most of 1 GiB, not all: " + reached);
        assertEquals(reached, num(f.proc("/sys/vm/nr_hugepages")));
        assertEquals(reached, num(f.sys(H + "nr_hugepages")));
        assertEquals(reached, num(f.sys(node(0) + "nr_hugepages")));
        assertEquals(reached, num(f.sys(H + "free_hugepages")));
        assertEquals(1, ProcText.vmstat(f.proc("/vmstat")).get("htlb_buddy_alloc_fail"),
                "one failed try ends the resize");
        boolean oom = f.kernel.<Boolean>read(k -> k.log().records().stream()
                .anyMatch(r -> r.text().contains("Out of memory")));
        assertTrue(!oom, "__GFP_RETRY_MAYFAIL never calls the OOM killer");
    }

    @Test
    void theNodesSharesSumToTheGlobalCountsAndANodeWriteResizesItsShareOnly() {
        SysFixture f = SysFixture.boot("memory: 2G\nnodes: 2\n" + LEAN.substring(LEAN.indexOf("cpu")), 1);
        assertEquals(4, write(f, false, "/sys/vm/nr_hugepages", "101\n"));
        long n0 = num(f.sys(node(0) + "nr_hugepages"));
        long n1 = num(f.sys(node(1) + "nr_hugepages"));
        assertEquals(101, n0 + n1);
        assertEquals(1, Math.abs(n0 - n1), "round robin over the nodes");
        assertEquals(3, write(f, true, node(1) + "nr_hugepages", "10\n"));
        assertEquals(n0, num(f.sys(node(0) + "nr_hugepages")));
        assertEquals(10, num(f.sys(node(1) + "nr_hugepages")));
        assertEquals(n0 + 10, num(f.sys(H + "nr_hugepages")));
        for (String label : List.of("HugePages_Total", "HugePages_Free", "HugePages_Surp")) {
            long sum = 0;
            for (int nid = 0; nid < 2; nid++) {
                sum += SysFixture.nodeMeminfo(nid, f.sys("/devices/system/node/node" + nid + "/meminfo")).get(label);
            }
            assertEquals(meminfo(f).get(label), sum, label);
        }
        assertEquals(n0 + 10, meminfo(f).get("HugePages_Total"));
    }

    @Test
    void badInputIsEinvalAndChangesNothing() {
        SysFixture f = SysFixture.boot(LEAN, 1);
        assertEquals(3, write(f, true, H + "nr_hugepages", "12\n"));
        String before = f.proc("/meminfo");
        for (String bad : List.of("abc\n", "-1\n", "12x\n", " 5\n", "0x10\n", "\n", "1.5\n")) {
            assertEquals(-Errno.EINVAL, write(f, true, H + "nr_hugepages", bad), "sysfs " + bad);
            assertEquals(-Errno.EINVAL, write(f, true, node(0) + "nr_hugepages", bad), "node " + bad);
            assertEquals(-Errno.EINVAL, write(f, true, H + "nr_overcommit_hugepages", bad), "overcommit " + bad);
        }
        assertEquals(-Errno.ERANGE, write(f, true, H + "nr_hugepages", "99999999999999999999999\n"));
        for (String bad : List.of("abc\n", "-1\n", "12x\n")) {
            assertEquals(-Errno.EINVAL, write(f, false, "/sys/vm/nr_hugepages", bad), "sysctl " + bad);
            assertEquals(-Errno.EINVAL, write(f, false, "/sys/vm/nr_overcommit_hugepages", bad), "sysctl " + bad);
        }
        assertEquals(before, f.proc("/meminfo"));
        assertEquals(12, num(f.sys(H + "nr_hugepages")));
        assertEquals(0, num(f.sys(H + "nr_overcommit_hugepages")));
        for (String ro : List.of("free_hugepages", "resv_hugepages", "surplus_hugepages")) {
            assertEquals(0444, f.mode(H + ro), ro);
        }
        assertEquals(List.of("free_hugepages", "nr_hugepages", "nr_hugepages_mempolicy", "nr_overcommit_hugepages",
                "resv_hugepages", "surplus_hugepages"), f.list(H));
        assertEquals(List.of("free_hugepages", "nr_hugepages", "surplus_hugepages"), f.list(node(0)));
    }
}
