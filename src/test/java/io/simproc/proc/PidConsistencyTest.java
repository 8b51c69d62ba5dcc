package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.Task;
import io.simproc.mm.MmDebug;
import io.simproc.mm.NodeStatItem;
import io.simproc.mm.Prot;
import io.simproc.mm.Vma;
import io.simproc.mm.VmFlags;
import io.simproc.uapi.Credentials;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Examples of the cross-file promises of the per-process files: proportional sizes of a library shared by
 * several processes add up to the pages they map, a fork shares anonymous memory until a write copies exactly the
 * written pages, and mlock shows in VmLck and Locked. {@link PidFilesPropertyTest} checks the same promises after
 * random operations.
 */
class PidConsistencyTest {
    private static long nrAnonMapped(Kernel k) {
        return k.read(m -> m.mm().vmstat().globalNodeState(NodeStatItem.NR_ANON_MAPPED));
    }

    /** The smaps record of a process's VMA whose line ends with {@code name} and has these permissions. */
    private static PidNumbers.SmapsRecord record(PidFixture f, Task t, String perms, String name) {
        for (PidNumbers.SmapsRecord r : PidNumbers.smaps(f.read("/" + t.pid() + "/smaps"))) {
            if (r.header().contains(" " + perms + " ") && r.header().endsWith(name)) {
                return r;
            }
        }
        throw new AssertionError("no " + perms + " " + name + " VMA in pid " + t.pid());
    }

    /**
     * libc's text mapped by n processes: each shows Rss r and Pss r / n (in the kernel's fixed point: a third of a
     * page is not exact), and the Pss add up to r — exactly when n divides a page, else short by the truncations.
     */
    @Test
    void theProportionalSharesOfASharedLibraryPageAddUpToItsSize() {
        for (int n : new int[] {2, 3, 4}) {
            PidFixture f = new PidFixture();
            Task parent = f.spawn(List.of("bash"));
            List<Task> all = new ArrayList<>(List.of(parent));
            long pages = 12;
            f.kernel.mutate(() -> {
                Vma text = null;
                for (Vma v : parent.mm().vmas()) {
                    if (v.file() != null && v.file().path().endsWith("libc.so.6") && v.test(VmFlags.VM_EXEC)) {
                        text = v;
                    }
                }
                f.kernel.syscalls().touch(parent, text.start(), pages * 4096, false);
                for (int i = 1; i < n; i++) {
                    Task c = f.kernel.syscalls().fork(parent);
                    f.kernel.syscalls().touch(c, text.start(), pages * 4096, false);
                    all.add(c);
                }
                return null;
            });
            long pssSum = 0;
            for (Task t : all) {
                PidNumbers.SmapsRecord libc = record(f, t, "r-xp", "libc.so.6");
                assertEquals(pages * 4, libc.kb().get("Rss"), "n=" + n);
                assertEquals(pages * 4, libc.kb().get("Shared_Clean"), "n=" + n + ": every page is shared");
                long fixedPoint = pages * ((4096L << 12) / n);
                assertEquals((fixedPoint >> 12) >> 10, libc.kb().get("Pss"), "n=" + n + ": PSS_SHIFT fixed point");
                pssSum += libc.kb().get("Pss");
            }
            if (Integer.bitCount(n) == 1) {
                assertEquals(pages * 4, pssSum, n + " processes share 12 pages: their shares are the pages");
            } else {
                assertTrue(pssSum <= pages * 4 && pssSum >= pages * 4 - n, n + " processes: " + pssSum
                        + " kB, each share truncated once");
            }
            List<PidNumbers.Rollup> rollups = new ArrayList<>();
            for (Task t : all) {
                rollups.add(PidNumbers.checkProcess(f.fs, t, "n=" + n));
            }
            PidNumbers.checkMachine(f.kernel, rollups, "n=" + n);
            assertEquals(List.of(), MmDebug.violations(f.kernel.mm()));
        }
    }

    /** After fork nothing is copied; a write by the child copies exactly the pages it writes. */
    @Test
    void aForkCopiesOnlyThePagesTheChildWrites() {
        PidFixture f = new PidFixture();
        Task parent = f.spawn(List.of("bash"));
        long pages = 64;
        long written = 5;
        long[] area = new long[1];
        f.kernel.mutate(() -> {
            area[0] = f.kernel.syscalls().mmap(parent, 0, pages * 4096, Prot.READ | Prot.WRITE,
                    Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0);
            return f.kernel.syscalls().touch(parent, area[0], pages * 4096, true);
        });
        String name = Long.toHexString(area[0]) + "-";
        long beforeFork = nrAnonMapped(f.kernel);
        Task child = f.kernel.mutate(() -> f.kernel.syscalls().fork(parent));
        assertEquals(beforeFork, nrAnonMapped(f.kernel), "fork copies no page");
        PidNumbers.SmapsRecord shared = anonRecord(f, child, name);
        assertEquals(pages * 4, shared.kb().get("Shared_Dirty"));
        assertEquals(pages * 4 / 2, shared.kb().get("Pss"));
        f.kernel.mutate(() -> f.kernel.syscalls().touch(child, area[0] + 8 * 4096, written * 4096, true));
        assertEquals(beforeFork + written, nrAnonMapped(f.kernel), "the child's writes copy exactly its pages");
        for (Task t : List.of(parent, child)) {
            PidNumbers.SmapsRecord r = anonRecord(f, t, name);
            assertEquals(written * 4, r.kb().get("Private_Dirty"), "pid " + t.pid());
            assertEquals((pages - written) * 4, r.kb().get("Shared_Dirty"), "pid " + t.pid());
            assertEquals(written * 4 + (pages - written) * 2, r.kb().get("Pss"), "pid " + t.pid());
        }
        f.kernel.mutate(() -> f.kernel.syscalls().touch(parent, area[0], 4096, true));
        assertEquals(beforeFork + written + 1, nrAnonMapped(f.kernel), "so do the parent's");
        List<PidNumbers.Rollup> rollups = List.of(PidNumbers.checkProcess(f.fs, parent, "parent"),
                PidNumbers.checkProcess(f.fs, child, "child"));
        PidNumbers.checkMachine(f.kernel, rollups, "after COW");
        String meminfo = f.read("/meminfo");
        assertTrue(meminfo.contains(String.format("AnonPages:      %8d kB", nrAnonMapped(f.kernel) * 4)));
    }

    private static PidNumbers.SmapsRecord anonRecord(PidFixture f, Task t, String startHex) {
        for (PidNumbers.SmapsRecord r : PidNumbers.smaps(f.read("/" + t.pid() + "/smaps"))) {
            if (r.header().startsWith(startHex)) {
                return r;
            }
        }
        throw new AssertionError("no VMA at " + startHex + " in pid " + t.pid());
    }

    @Test
    void mlockShowsInVmLckLockedAndTheVmFlags() {
        PidFixture f = new PidFixture();
        Task p = f.spawn(List.of("bash"));
        long[] a = new long[1];
        f.kernel.mutate(() -> {
            a[0] = f.kernel.syscalls().mmap(p, 0, 16 * 4096, Prot.READ | Prot.WRITE,
                    Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0);
            return f.kernel.syscalls().mlock(p, a[0], 16 * 4096);
        });
        String status = f.read("/" + p.pid() + "/status");
        assertTrue(status.contains("\nVmLck:\t      64 kB\n"), status);
        PidNumbers.SmapsRecord r = anonRecord(f, p, Long.toHexString(a[0]) + "-");
        assertEquals(64, r.kb().get("Locked"));
        assertEquals(64, r.kb().get("Rss"), "mlock faults the range in");
        assertTrue(f.read("/" + p.pid() + "/smaps").contains("VmFlags: rd wr mr mw me lo ac \n"));
        PidNumbers.checkProcess(f.fs, p, "mlock");
    }

    /** statm's text is the main program's code only; VmExe and VmLib split exec_vm at it. */
    @Test
    void textCountsTheProgramsCodeAndLibTheRest() {
        PidFixture f = new PidFixture();
        Task p = f.spawn(List.of("bash"));
        long text = 0xd1000;
        long libText = 0x25000 + 0x155000;
        String[] statm = f.read("/" + p.pid() + "/statm").trim().split(" ");
        assertEquals(Long.toString(text / 4096), statm[3]);
        var status = PidNumbers.kbFields(f.read("/" + p.pid() + "/status"));
        assertEquals(text / 1024, status.get("VmExe"));
        assertEquals(libText / 1024 + 8, status.get("VmLib"), "ld.so, libc and the 8 kB vDSO");
        String stat = f.read("/" + p.pid() + "/stat", Credentials.ROOT);
        assertTrue(stat.contains(" " + p.mm().startCode() + " " + p.mm().endCode() + " "), stat);
    }
}
