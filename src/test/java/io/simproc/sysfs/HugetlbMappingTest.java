package io.simproc.sysfs;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.Task;
import io.simproc.mm.Prot;
import io.simproc.proc.PidFixture;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcText;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mmap(MAP_ANONYMOUS | MAP_PRIVATE | MAP_HUGETLB) against the hugetlb pool (mm/hugetlb.c): the mmap reserves
 * (HugePages_Rsvd), faults consume the reservations and take folios (HugePages_Free), munmap and exit give them back,
 * surplus folios come from and go back to the buddy allocator, a pool too small is ENOMEM with nothing changed. The
 * process's files show the mapping as Linux does: maps, smaps (Private_Hugetlb, 2048 kB page sizes, no Rss),
 * status (HugetlbPages, not in VmRSS), numa_maps (huge). The mm invariants are checked after every call.
 */
class HugetlbMappingTest {
    private static final String LEAN = "memory: 1G\ncpu: 2\nprocesses:\n  - program: systemd\n    args: [/sbin/init]\n";
    private static final long MB = 1 << 20;
    private static final String H = "/kernel/mm/hugepages/hugepages-2048kB/";

    private final PidFixture f = new PidFixture(LEAN);
    private final ProcFs sys = new ProcFs(f.kernel, SysTree.create(f.kernel));
    private final Task task = f.spawn(List.of("bash"));

    private <T> T call(java.util.function.Supplier<T> body) {
        T r = f.kernel.mutate(body::get);
        f.kernel.read(k -> {
            k.checkInvariants();
            return null;
        });
        return r;
    }

    private void sysctl(String path, String value) {
        assertTrue(call(() -> SysFixture.write(f.fs, path, value + "\n", Credentials.ROOT)) > 0);
    }

    private long mmap(long len) {
        Kernel k = f.kernel;
        return call(() -> k.syscalls().mmap(task, 0, len, Prot.READ | Prot.WRITE,
                Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS | Prot.MAP_HUGETLB, null, 0));
    }

    private int touch(long addr, long len, boolean write) {
        return call(() -> f.kernel.syscalls().touch(task, addr, len, write));
    }

    private int munmap(long addr, long len) {
        return call(() -> f.kernel.syscalls().munmap(task, addr, len));
    }

    private Map<String, Long> meminfo() {
        return ProcText.meminfo(f.read("/meminfo"));
    }

    private String pid(String file) {
        return f.read("/" + task.pid() + "/" + file);
    }

    private static long field(String text, String label) {
        for (String line : text.split("\n")) {
            if (line.startsWith(label + ":")) {
                return Long.parseLong(line.substring(label.length() + 1).replace("kB", "").trim());
            }
        }
        throw new AssertionError(label + " not in\n" + text);
    }

    /** The smaps record of the VMA starting at addr. */
    private String smapsOf(long addr) {
        String smaps = pid("smaps");
        int at = smaps.indexOf(String.format("%x-", addr));
        assertTrue(at >= 0, smaps);
        int end = smaps.indexOf("VmFlags:", at);
        return smaps.substring(at, smaps.indexOf('\n', end) + 1);
    }

    @Test
    void mmapReservesFaultsConsumeAndMunmapGivesBack() {
        sysctl("/sys/vm/nr_hugepages", "8");
        long rssBefore = field(pid("status"), "VmRSS");
        long committedBefore = meminfo().get("Committed_AS");
        long a = mmap(5 * MB);
        assertTrue(a > 0 && a % (2 * MB) == 0, "2 MiB aligned: " + Long.toHexString(a));
        Map<String, Long> m = meminfo();
        assertEquals(8, m.get("HugePages_Total"));
        assertEquals(8, m.get("HugePages_Free"));
        assertEquals(3, m.get("HugePages_Rsvd"), "5 MiB rounds up to 3 huge pages, each reserved");
        assertEquals(committedBefore, m.get("Committed_AS"), "hugetlb mappings are not charged to Committed_AS");
        assertEquals(3, Long.parseLong(sys(H + "resv_hugepages").trim()));

        assertEquals(0, touch(a, 3 * MB, true));
        m = meminfo();
        assertEquals(6, m.get("HugePages_Free"), "two huge pages faulted");
        assertEquals(1, m.get("HugePages_Rsvd"), "their reservations consumed");
        assertEquals(2 * 512, ProcText.vmstat(f.read("/vmstat")).get("nr_hugetlb"));
        String status = pid("status");
        assertEquals(4096, field(status, "HugetlbPages"));
        assertEquals(rssBefore, field(status, "VmRSS"), "hugetlb pages are not in the RSS");

        String smaps = smapsOf(a);
        assertTrue(smaps.startsWith(String.format("%x-%x rw-p 00000000 00:0f ", a, a + 6 * MB)), smaps);
        assertTrue(smaps.split("\n")[0].endsWith(" /anon_hugepage (deleted)"), smaps);
        assertEquals(6144, field(smaps, "Size"));
        assertEquals(2048, field(smaps, "KernelPageSize"));
        assertEquals(2048, field(smaps, "MMUPageSize"));
        assertEquals(0, field(smaps, "Rss"));
        assertEquals(0, field(smaps, "Pss"));
        assertEquals(0, field(smaps, "Shared_Hugetlb"));
        assertEquals(4096, field(smaps, "Private_Hugetlb"));
        assertEquals(0, field(smaps, "THPeligible"));
        assertTrue(smaps.contains("VmFlags: rd wr mr mw me de ht"), smaps);
        assertEquals(4096, field(pid("smaps_rollup"), "Private_Hugetlb"));
        assertTrue(pid("maps").contains(String.format("%x-%x rw-p 00000000 00:0f ", a, a + 6 * MB)));
        String numa = pid("numa_maps");
        assertTrue(numa.contains(String.format("%x default file=/anon_hugepage\\040(deleted) huge anon=2 dirty=2 N0=2"
                + " kernelpagesize_kB=2048\n", a)), numa);

        assertEquals(-Errno.EINVAL, munmap(a, MB), "a hugetlb VMA splits only at 2 MiB");
        assertEquals(0, munmap(a, 6 * MB));
        m = meminfo();
        assertEquals(8, m.get("HugePages_Free"));
        assertEquals(0, m.get("HugePages_Rsvd"), "the unused reservation went with the mapping");
        assertEquals(0, field(pid("status"), "HugetlbPages"));
        assertEquals(0, ProcText.vmstat(f.read("/vmstat")).get("nr_hugetlb"));
    }

    @Test
    void aReadFaultTakesACleanFolioAndAWriteDirtiesIt() {
        sysctl("/sys/vm/nr_hugepages", "2");
        long a = mmap(2 * MB);
        assertEquals(0, touch(a, 4096, false));
        assertEquals(1, meminfo().get("HugePages_Free"));
        assertEquals(0, meminfo().get("HugePages_Rsvd"));
        assertTrue(pid("numa_maps").contains(" huge anon=1 mapped=1 N0=1 kernelpagesize_kB=2048")
                || pid("numa_maps").contains(" huge anon=1 N0=1 kernelpagesize_kB=2048"), pid("numa_maps"));
        long faults = ProcText.vmstat(f.read("/vmstat")).get("pgfault");
        assertEquals(0, touch(a, 2 * MB, true));
        assertEquals(faults + 1, ProcText.vmstat(f.read("/vmstat")).get("pgfault"), "one write-protect fault");
        assertTrue(pid("numa_maps").contains(" huge anon=1 dirty=1 N0=1 kernelpagesize_kB=2048"));
    }

    @Test
    void aPoolTooSmallIsEnomemAndChangesNothing() {
        sysctl("/sys/vm/nr_hugepages", "2");
        long a = mmap(2 * MB);
        String before = f.read("/meminfo");
        String maps = pid("maps");
        assertEquals(-Errno.ENOMEM, mmap(4 * MB), "one unreserved folio left, no overcommit");
        assertEquals(before, f.read("/meminfo"));
        assertEquals(maps, pid("maps"));
        assertEquals(-Errno.ENOMEM, mmap(2 * MB + 1));
        assertTrue(mmap(2 * MB) > 0, "the last free folio can still be reserved");
        assertEquals(2, meminfo().get("HugePages_Rsvd"));
        assertTrue(a > 0);
    }

    @Test
    void overcommitGrowsThePoolWithSurplusFoliosThatGoBackToTheBuddyAllocator() {
        sysctl("/sys/vm/nr_hugepages", "1");
        sysctl("/sys/vm/nr_overcommit_hugepages", "3");
        long successBefore = ProcText.vmstat(f.read("/vmstat")).get("htlb_buddy_alloc_success");
        long a = mmap(8 * MB);
        assertEquals(-Errno.ENOMEM, mmap(2 * MB), "the overcommit limit is reached");
        Map<String, Long> m = meminfo();
        assertEquals(4, m.get("HugePages_Total"));
        assertEquals(3, m.get("HugePages_Surp"));
        assertEquals(4, m.get("HugePages_Rsvd"));
        assertEquals(3, Long.parseLong(sys(H + "surplus_hugepages").trim()));
        assertEquals(3, Long.parseLong(sys("/devices/system/node/node0/hugepages/hugepages-2048kB/surplus_hugepages")
                .trim()));
        assertEquals(successBefore + 3, ProcText.vmstat(f.read("/vmstat")).get("htlb_buddy_alloc_success"),
                "surplus folios come from the buddy allocator");
        assertEquals(0, touch(a, 8 * MB, true));
        assertEquals(0, meminfo().get("HugePages_Free"));
        assertEquals(0, meminfo().get("HugePages_Rsvd"));
        assertEquals(0, munmap(a, 8 * MB));
        m = meminfo();
        assertEquals(1, m.get("HugePages_Total"), "the surplus folios left the pool (MmDebug: the HUGETLB pages are"
                + " the pool's, so they went back to the buddy allocator)");
        assertEquals(0, m.get("HugePages_Surp"));
        assertEquals(1, m.get("HugePages_Free"));
    }

    @Test
    void aForkedChildGetsTheMappingWithoutThePagesOrTheReservations() {
        sysctl("/sys/vm/nr_hugepages", "4");
        long a = mmap(4 * MB);
        assertEquals(0, touch(a, 2 * MB, true));
        Task child = call(() -> f.kernel.syscalls().fork(task));
        String childMaps = f.read("/" + child.pid() + "/maps");
        assertTrue(childMaps.contains(String.format("%x-%x rw-p 00000000 00:0f ", a, a + 4 * MB)), childMaps);
        assertEquals(0, field(f.read("/" + child.pid() + "/status"), "HugetlbPages"));
        assertEquals(1, meminfo().get("HugePages_Rsvd"), "the parent keeps its reservation");
        assertEquals(0, (int) call(() -> f.kernel.syscalls().touch(child, a, 4 * MB, true)));
        Map<String, Long> m = meminfo();
        assertEquals(1, m.get("HugePages_Free"), "the child's faults take the two unreserved pages");
        assertEquals(1, m.get("HugePages_Rsvd"));
        call(() -> {
            f.kernel.processes().exit(child, 0);
            return null;
        });
        assertEquals(3, meminfo().get("HugePages_Free"));
        assertEquals(0, munmap(a, 4 * MB));
        assertEquals(4, meminfo().get("HugePages_Free"));
        assertEquals(0, meminfo().get("HugePages_Rsvd"));
    }

    @Test
    void mlockFaultsAHugetlbMappingInWithoutLockingIt() {
        sysctl("/sys/vm/nr_hugepages", "2");
        long a = mmap(4 * MB);
        assertEquals(0, (int) call(() -> f.kernel.syscalls().mlock(task, a, 4 * MB)));
        assertEquals(0, meminfo().get("HugePages_Free"), "mlock populated both huge pages");
        assertEquals(0, field(pid("status"), "VmLck"), "mlock_fixup() does not count hugetlb VMAs");
        assertFalse(smapsOf(a).contains(" lo"), smapsOf(a));
    }

    @Test
    void exitGivesEverythingBackAndAFaultWithoutAFolioIsSigbus() {
        sysctl("/sys/vm/nr_hugepages", "2");
        long a = mmap(4 * MB);
        assertEquals(0, touch(a, 2 * MB, true));
        call(() -> {
            f.kernel.processes().exit(task, 0);
            return null;
        });
        Map<String, Long> m = meminfo();
        assertEquals(2, m.get("HugePages_Free"));
        assertEquals(0, m.get("HugePages_Rsvd"));

        Task other = f.spawn(List.of("bash"));
        Kernel k = f.kernel;
        long b = call(() -> k.syscalls().mmap(other, 0, 4 * MB, Prot.READ | Prot.WRITE,
                Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS | Prot.MAP_HUGETLB | Prot.MAP_NORESERVE, null, 0));
        assertTrue(b > 0);
        sysctl("/sys/vm/nr_hugepages", "1");
        assertEquals(-Errno.EFAULT, (int) call(() -> k.syscalls().touch(other, b, 4 * MB, true)),
                "the second huge page has no folio: SIGBUS");
        assertFalse(k.tasks().get(other.pid()) != null && k.tasks().get(other.pid()).mm() != null,
                "the process died of SIGBUS");
        assertEquals(1, meminfo().get("HugePages_Free"));
    }

    private String sys(String path) {
        return SysFixture.read(sys, path, Credentials.ROOT);
    }

    /**
     * Random resizes (global and per node, growing and shrinking), overcommit limits, hugetlb mappings (reserving or
     * MAP_NORESERVE) touched in part and unmapped, by two processes on two nodes: after each step the invariants
     * hold (MmDebug: the pool's lists and counts, the mappings' entries and reservations against it) and meminfo,
     * the nodes' meminfo and sysfs agree.
     */
    @Test
    void randomPoolAndMappingOperationsKeepTheInvariantsAndTheFilesInAgreement() {
        PidFixture two = new PidFixture("memory: 2G\nnodes: 2\n" + LEAN.substring(LEAN.indexOf("cpu")));
        ProcFs sys2 = new ProcFs(two.kernel, SysTree.create(two.kernel));
        Kernel k = two.kernel;
        List<Task> tasks = List.of(two.spawn(List.of("bash")), two.spawn(List.of("bash")));
        java.util.Random rnd = new java.util.Random(42);
        java.util.List<long[]> maps = new java.util.ArrayList<>();
        for (int step = 0; step < 80; step++) {
            int op = rnd.nextInt(6);
            String node = "/devices/system/node/node" + rnd.nextInt(2) + "/hugepages/hugepages-2048kB/";
            switch (op) {
                case 0 -> SysFixture.write(two.fs, "/sys/vm/nr_hugepages", rnd.nextInt(400) + "\n", Credentials.ROOT);
                case 1 -> SysFixture.write(sys2, node + "nr_hugepages", rnd.nextInt(200) + "\n", Credentials.ROOT);
                case 2 -> SysFixture.write(sys2, H + "nr_overcommit_hugepages", rnd.nextInt(20) + "\n",
                        Credentials.ROOT);
                case 3 -> {
                    int who = rnd.nextInt(2);
                    long len = (1 + rnd.nextInt(12)) * 2 * MB;
                    int flags = Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS | Prot.MAP_HUGETLB
                            | (rnd.nextInt(4) == 0 ? Prot.MAP_NORESERVE : 0);
                    long a = k.mutate(() -> k.syscalls().mmap(tasks.get(who), 0, len, Prot.READ | Prot.WRITE, flags,
                            null, 0));
                    if (a > 0) {
                        maps.add(new long[] {who, a, len});
                    } else {
                        assertEquals(-Errno.ENOMEM, a, "step " + step);
                    }
                }
                case 4 -> {
                    if (!maps.isEmpty()) {
                        long[] mp = maps.get(rnd.nextInt(maps.size()));
                        long off = rnd.nextInt((int) (mp[2] / (2 * MB))) * 2 * MB;
                        boolean write = rnd.nextBoolean();
                        int r = k.mutate(() -> k.syscalls().touch(tasks.get((int) mp[0]), mp[1] + off, 2 * MB, write));
                        assertEquals(0, r, "step " + step + ": a NORESERVE mapping may find no folio, not here");
                    }
                }
                default -> {
                    if (!maps.isEmpty()) {
                        long[] mp = maps.remove(rnd.nextInt(maps.size()));
                        assertEquals(0, (int) k.mutate(() -> k.syscalls().munmap(tasks.get((int) mp[0]), mp[1],
                                mp[2])));
                    }
                }
            }
            k.read(kk -> {
                kk.checkInvariants();
                return null;
            });
            Map<String, Long> m = ProcText.meminfo(two.read("/meminfo"));
            String hs = SysFixture.read(sys2, H + "resv_hugepages", Credentials.ROOT).trim();
            assertEquals(m.get("HugePages_Rsvd"), Long.parseLong(hs), "step " + step);
            assertEquals(m.get("HugePages_Total"),
                    Long.parseLong(SysFixture.read(sys2, H + "nr_hugepages", Credentials.ROOT).trim()), "step " + step);
            assertEquals(m.get("HugePages_Total") * 2048, m.get("Hugetlb"), "step " + step);
            for (String label : List.of("HugePages_Total", "HugePages_Free", "HugePages_Surp")) {
                long sum = 0;
                for (int nid = 0; nid < 2; nid++) {
                    sum += SysFixture.nodeMeminfo(nid, SysFixture.read(sys2, "/devices/system/node/node" + nid
                            + "/meminfo", Credentials.ROOT)).get(label);
                }
                assertEquals(m.get(label), sum, label + " at step " + step);
            }
            long usage = 0;
            for (Task t : tasks) {
                long taskUsage = field(two.read("/" + t.pid() + "/status"), "HugetlbPages");
                assertEquals(taskUsage, field(two.read("/" + t.pid() + "/smaps_rollup"), "Private_Hugetlb"),
                        "status and smaps_rollup, step " + step);
                usage += taskUsage;
            }
            assertEquals((m.get("HugePages_Total") - m.get("HugePages_Free")) * 2048, usage,
                    "every folio in use is mapped, step " + step);
            assertEquals(usage / 4, ProcText.vmstat(two.read("/vmstat")).get("nr_hugetlb"), "step " + step);
        }
    }
}
