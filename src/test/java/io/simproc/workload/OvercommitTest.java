package io.simproc.workload;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Printk;
import io.simproc.kernel.Task;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.Prot;
import io.simproc.mm.ShowMem;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTestSupport;
import io.simproc.proc.ProcTree;
import io.simproc.sysctl.SysctlTable;
import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The overcommit policy (mm/util.c: __vm_enough_memory(), vm_commit_limit()) seen by a process: which mappings
 * are charged to Committed_AS,
 * what each overcommit_memory mode refuses, ENOMEM reaching the program (malloc returning NULL), the refusal logged,
 * and the knobs with their ranges and side effects.
 */
class OvercommitTest {
    private Kernel k;
    private ProcFs fs;
    private Task task;
    private GlibcMalloc malloc;

    @BeforeEach
    void process() {
        k = Kernel.boot(MachineProfileLoader.parse("t", "memory: 512M\n"), 1);
        k.setDebugChecks(true);
        fs = new ProcFs(k, ProcTree.create(SysctlTable.create()));
        task = spawn("bash");
        malloc = new GlibcMalloc(k, task);
    }

    private Task spawn(String program) {
        Program p = ProgramCatalog.embedded().program(program);
        return k.mutate(() -> {
            Task t = k.processes().fork(k.tasks().get(2));
            assertEquals(0, k.syscalls().execve(t, p.exe(), p.interp(), p.libs(), List.of(program)));
            return t;
        });
    }

    private MemoryManager mm() {
        return k.mm();
    }

    private long committed() {
        return k.read(kk -> kk.mm().overcommit().committedAsPages());
    }

    private long commitLimit() {
        return k.read(kk -> ShowMem.vmCommitLimit(kk.mm()));
    }

    private int knob(String name, String value) {
        return ProcTestSupport.write(fs, "/sys/vm/" + name, value, 0);
    }

    private String knob(String name) {
        return ProcTestSupport.read(fs, "/sys/vm/" + name).trim();
    }

    private long mmapAnon(long bytes, int flags) {
        return k.mutate(() -> k.syscalls().mmap(task, 0, bytes, Prot.READ | Prot.WRITE,
                Prot.MAP_ANONYMOUS | flags, null, 0));
    }

    private boolean logged(String text) {
        return k.read(kk -> kk.log().records().stream().map(Printk.Record::text).anyMatch(l -> l.contains(text)));
    }

    @Test
    void privateWritableMappingsAreChargedReadOnlyAndNoreserveAreNot() {
        long before = committed();
        assertTrue(mmapAnon(10 << 20, Prot.MAP_PRIVATE) > 0);
        assertEquals(before + 2560, committed(), "private writable: 10 MiB charged");
        long ro = k.mutate(() -> k.syscalls().mmap(task, 0, 4 << 20, Prot.READ, Prot.MAP_PRIVATE
                | Prot.MAP_ANONYMOUS, null, 0));
        assertEquals(before + 2560, committed(), "read-only private: not charged");
        assertEquals(0, (int) k.mutate(() -> k.syscalls().mprotect(task, ro, 4 << 20, Prot.READ | Prot.WRITE)));
        assertEquals(before + 2560 + 1024, committed(), "made writable: charged then");
        assertTrue(mmapAnon(8 << 20, Prot.MAP_PRIVATE | Prot.MAP_NORESERVE) > 0);
        assertEquals(before + 3584, committed(), "MAP_NORESERVE honoured in mode 0");
        long shared = mmapAnon(4 << 20, Prot.MAP_SHARED);
        assertEquals(before + 3584 + 1024, committed(), "shared anonymous: its shmem object is charged");
        k.mutate(() -> k.syscalls().munmap(task, shared, 4 << 20));
        assertEquals(before + 3584, committed(), "the object goes with its last mapping, and its charge");
        assertTrue(mmapAnon(4 << 20, Prot.MAP_SHARED | Prot.MAP_NORESERVE) > 0);
        assertEquals(before + 3584, committed(), "shared anonymous with MAP_NORESERVE: not charged in mode 0");
        assertEquals(3, knob("overcommit_memory", "2\n") + 1);
        assertTrue(mmapAnon(8 << 20, Prot.MAP_PRIVATE | Prot.MAP_NORESERVE) > 0);
        assertEquals(before + 3584 + 2048, committed(), "mode 2 ignores MAP_NORESERVE");
    }

    @Test
    void strictModeRefusesBeyondCommitLimitAndMallocReturnsNull() {
        assertEquals(2, knob("overcommit_memory", "2\n"));
        long limit = commitLimit();
        long committed = committed();
        long adminReserve = k.read(kk -> kk.mm().tunables().adminReserveKbytes()) >> 2;
        long userReserve = k.read(kk -> Math.min(task.mm().totalVm() / 32,
                kk.mm().tunables().userReserveKbytes() >> 2));
        assertTrue(committed < limit, "the small machine starts under its limit: " + committed + " < " + limit);
        // Root is current: no admin reserve. allowed = limit - user reserve; success iff committed + n < allowed.
        long fits = limit - userReserve - committed - 1;
        long tooMuch = fits + 1;
        assertEquals(-Errno.ENOMEM, mmapAnon(tooMuch << Page.PAGE_SHIFT, Prot.MAP_PRIVATE));
        assertEquals(committed, committed(), "a refused charge is undone");
        assertTrue(logged(String.format("__vm_enough_memory: pid: %d, comm: bash, bytes: %d not enough memory for"
                + " the allocation", task.pid(), tooMuch << Page.PAGE_SHIFT)));
        assertEquals(0L, (long) k.mutate(() -> malloc.malloc(tooMuch << Page.PAGE_SHIFT)), "malloc returns NULL");
        assertTrue(mmapAnon(fits << Page.PAGE_SHIFT, Prot.MAP_PRIVATE) > 0, "one page less fits");
        assertTrue(committed() <= commitLimit());
        long brkBefore = task.mm().brk();
        assertEquals(brkBefore, (long) k.mutate(() -> k.syscalls().brk(task, brkBefore + (1 << 20))),
                "brk refused: the old break comes back");
        assertNull(k.mutate(() -> k.processes().fork(task)), "fork refused: the child's charge does not fit");
        assertEquals(committed + fits, committed(), "the failed fork uncharged what it had charged");
        assertTrue(adminReserve > 0);
    }

    @Test
    void modeOneGrantsAnythingModeZeroRefusesOnlyTheImpossible() {
        long ramPlusSwap = k.read(kk -> kk.mm().vmstat().totalramPages() + kk.mm().swap().totalSwapPages());
        long beyondLimit = commitLimit() + 100;
        assertTrue(mmapAnon(beyondLimit << Page.PAGE_SHIFT, Prot.MAP_PRIVATE) > 0,
                "mode 0 grants more than CommitLimit");
        assertEquals(-Errno.ENOMEM, mmapAnon((ramPlusSwap + 1) << Page.PAGE_SHIFT, Prot.MAP_PRIVATE),
                "mode 0 refuses a single request above RAM + swap");
        assertTrue(mmapAnon(ramPlusSwap << Page.PAGE_SHIFT, Prot.MAP_PRIVATE) > 0, "but not RAM + swap itself");
        assertEquals(2, knob("overcommit_memory", "1\n"));
        assertTrue(mmapAnon((ramPlusSwap * 3) << Page.PAGE_SHIFT, Prot.MAP_PRIVATE) > 0, "mode 1 grants anything");
        assertTrue(committed() > commitLimit(), "Committed_AS is reported beyond the limit in modes 0 and 1");
    }

    @Test
    void adminReserveKeepsRootAhead() {
        assertEquals(2, knob("overcommit_memory", "2\n"));
        Task user = spawn("bash");
        k.mutate(() -> k.syscalls().setuid(user, 1000, 1000));
        long adminReserve = k.read(kk -> kk.mm().tunables().adminReserveKbytes()) >> 2;
        long userReserve = k.read(kk -> Math.min(user.mm().totalVm() / 32,
                kk.mm().tunables().userReserveKbytes() >> 2));
        long room = commitLimit() - userReserve - committed() - 1;
        long n = room - adminReserve + 1;
        long asUser = k.mutate(() -> k.syscalls().mmap(user, 0, n << Page.PAGE_SHIFT, Prot.READ | Prot.WRITE,
                Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0));
        assertEquals(-Errno.ENOMEM, asUser, "an unprivileged task may not eat into the admin reserve");
        long asRoot = k.mutate(() -> k.syscalls().mmap(task, 0, n << Page.PAGE_SHIFT, Prot.READ | Prot.WRITE,
                Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0));
        assertTrue(asRoot > 0, "root may");
    }

    @Test
    void knobsHaveTheKernelRangesAndZeroEachOther() {
        assertEquals(-Errno.EINVAL, knob("overcommit_memory", "3\n"));
        assertEquals(-Errno.EINVAL, knob("overcommit_memory", "-1\n"));
        assertEquals("0", knob("overcommit_memory"));
        assertEquals(3, knob("overcommit_ratio", "-5\n"));
        assertEquals("-5", knob("overcommit_ratio"));
        assertEquals(3, knob("overcommit_ratio", "80\n"));
        long ram = k.read(kk -> kk.mm().vmstat().totalramPages());
        assertEquals(ram * 80 / 100, commitLimit());
        assertEquals(-Errno.EINVAL, knob("overcommit_kbytes", "-1\n"));
        assertEquals(-Errno.EINVAL, knob("overcommit_kbytes", "abc\n"));
        assertEquals("80", knob("overcommit_ratio"), "a refused kbytes write leaves the ratio");
        assertEquals(2, knob("overcommit_kbytes", "0\n"));
        assertEquals("0", knob("overcommit_ratio"), "writing overcommit_kbytes, even 0, zeroes the ratio");
        assertEquals(0, commitLimit(), "ratio 0, kbytes 0, no swap");
        assertEquals(7, knob("overcommit_kbytes", "102400\n"));
        assertEquals(25600, commitLimit());
        assertTrue(ProcTestSupport.read(fs, "/meminfo").contains("CommitLimit:      102400 kB\n"));
        assertEquals(3, knob("overcommit_ratio", "50\n"));
        assertEquals("0", knob("overcommit_kbytes"), "writing the ratio zeroes overcommit_kbytes");
        assertEquals(21, knob("overcommit_kbytes", "18446744073709551615\n"));
        assertEquals("18446744073709551615", knob("overcommit_kbytes"));
        long free = k.read(kk -> kk.mm().vmstat().globalZoneState(io.simproc.mm.ZoneStatItem.NR_FREE_PAGES));
        assertTrue(Long.parseLong(knob("user_reserve_kbytes")) <= 131072);
        assertTrue(Long.parseLong(knob("user_reserve_kbytes")) > 0 && free > 0);
        assertEquals("8192", knob("admin_reserve_kbytes"), "min(free/32, 8 MiB) on a 512 MiB machine");
    }

    @Test
    void noreserveSharedMemoryIsNotReservedButSysvSegmentsAre() {
        long before = committed();
        assertNotNull(k.mutate(() -> k.ipc().shmget(task, "seg", 8 << 20)));
        assertEquals(before + 2048, committed());
        assertEquals(2, knob("overcommit_memory", "2\n"));
        assertNull(k.mutate(() -> k.ipc().shmget(task, "huge", commitLimit() << Page.PAGE_SHIFT)),
                "shmget beyond the limit: ENOMEM");
        assertEquals(before + 2048, committed());
    }
}
