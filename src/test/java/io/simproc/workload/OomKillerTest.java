package io.simproc.workload;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.KernelPanic;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Printk;
import io.simproc.kernel.Task;
import io.simproc.mm.VmEvent;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTestSupport;
import io.simproc.proc.ProcTree;
import io.simproc.sysctl.SysctlTable;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OOM killer (mm/oom_kill.c) against real workloads on a 512 MiB machine without swap: who is chosen,
 * the report in the log line by line, the victim's memory coming back, the allocating-task mode and panic_on_oom.
 */
class OomKillerTest {
    static final long MIB = 1L << 20;
    static final Pattern KILLED = Pattern.compile("^(Out of memory(?: \\(oom_kill_allocating_task\\))?): Killed process"
            + " (\\d+) \\((\\S+)\\) total-vm:(\\d+)kB, anon-rss:(\\d+)kB, file-rss:(\\d+)kB, shmem-rss:(\\d+)kB,"
            + " UID:(\\d+) pgtables:(\\d+)kB oom_score_adj:(-?\\d+)$");
    static final Pattern TASK_ROW = Pattern.compile("^\\[ *(\\d+)\\] +(\\d+) +(\\d+) +(\\d+) +(\\d+) +(\\d+) +(\\d+)"
            + " +(\\d+) +(\\d+) +(\\d+) +(-?\\d+) (\\S+)$");

    private Kernel k;
    private ProcFs fs;

    @BeforeEach
    void machine() {
        k = Kernel.boot(MachineProfileLoader.parse("t", "memory: 512M\n"), 7);
        k.setDebugChecks(true);
        fs = new ProcFs(k, ProcTree.create(SysctlTable.create()));
    }

    static Task spawn(Kernel k, String comm, int oomScoreAdj) {
        Program p = ProgramCatalog.embedded().program("bash");
        return k.mutate(() -> {
            Task t = k.processes().fork(k.tasks().get(2));
            assertEquals(0, k.syscalls().execve(t, p.exe(), p.interp(), p.libs(), List.of(comm)));
            k.processes().setIdentity(t, comm, null, null, oomScoreAdj);
            return t;
        });
    }

    /** Grow {@code t} a MiB at a time (in one simulation step) until something stops it; returns the MiB it got. */
    static int grow(Kernel k, Task t, int maxMib) {
        GlibcMalloc malloc = new GlibcMalloc(k, t);
        return k.mutate(() -> {
            for (int i = 0; i < maxMib; i++) {
                if (k.tasks().get(t.pid()) != t) {
                    return i;
                }
                long p = malloc.malloc(MIB);
                if (p == 0 || k.tasks().get(t.pid()) != t || k.syscalls().touch(t, p, MIB, true) != 0) {
                    return i;
                }
            }
            return maxMib;
        });
    }

    static List<String> log(Kernel k) {
        return k.read(kk -> kk.log().records().stream().map(Printk.Record::text).toList());
    }

    private long memFree() {
        return k.read(kk -> kk.mm().vmstat().globalZoneState(io.simproc.mm.ZoneStatItem.NR_FREE_PAGES));
    }

    @Test
    void theGrowingTaskIsKilledNotTheBiggerImmuneOneAndTheReportIsTheKernels() {
        Task big = spawn(k, "database", -1000);
        assertEquals(200, grow(k, big, 200));
        Task grower = spawn(k, "leaky", 0);
        long oomScoreBefore = Long.parseLong(ProcTestSupport.read(fs, "/" + big.pid() + "/oom_score").trim());
        assertEquals(0, oomScoreBefore, "adj -1000: oom_score 0");
        int got = grow(k, grower, 1000);
        assertTrue(got > 100 && got < 400, "leaky got " + got + " MiB before the OOM killer");
        assertNull(k.tasks().get(grower.pid()), "leaky was killed (and reaped by init)");
        assertEquals(io.simproc.kernel.Processes.SIGKILL, grower.exitCode(), "the wait status init reaped: killed by"
                + " signal 9, while it was the task faulting");
        assertNotNull(k.tasks().get(big.pid()), "the -1000 task survives");
        assertEquals(1L, (long) k.read(kk -> kk.mm().vmstat().event(VmEvent.OOM_KILL)));
        List<String> log = log(k);
        int header = indexOf(log, "leaky invoked oom-killer: gfp_mask=0x");
        assertTrue(header >= 0, String.join("\n", log));
        assertTrue(log.get(header).matches("leaky invoked oom-killer: gfp_mask=0x[0-9a-f]+\\(GFP_HIGHUSER_MOVABLE[^)]*\\),"
                + " order=0, oom_score_adj=0"), log.get(header));
        assertEquals("Mem-Info:", log.get(header + 1));
        assertTrue(log.get(header + 2).startsWith("active_anon:"));
        int pagecache = header;
        while (!log.get(pagecache).endsWith(" total pagecache pages")) {
            pagecache++;
        }
        assertEquals("Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB",
                log.get(pagecache - 1), "hugetlb_show_meminfo_node() before the page cache line");
        int table = indexOf(log, "Tasks state (memory values in pages):");
        assertEquals("[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents"
                + " oom_score_adj name", log.get(table + 1));
        int rows = 0;
        for (int i = table + 2; TASK_ROW.matcher(log.get(i)).matches(); i++) {
            rows++;
        }
        assertEquals(2, rows, "database and leaky: init and kernel threads are not listed");
        String summary = log.get(table + 2 + rows);
        assertEquals("oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,"
                + "task_memcg=/,task=leaky,pid=" + grower.pid() + ",uid=0", summary);
        Matcher m = KILLED.matcher(log.get(table + 3 + rows));
        assertTrue(m.matches(), log.get(table + 3 + rows));
        assertEquals("Out of memory", m.group(1));
        assertEquals(grower.pid(), Integer.parseInt(m.group(2)));
        assertTrue(Long.parseLong(m.group(5)) > 100 * 1024, "anon-rss in kB");
        assertTrue(memFree() > Long.parseLong(m.group(5)) / 4, "the victim's memory came back");
    }

    @Test
    void anotherProcessIsKilledAtOnceAndTheAllocationSucceeds() {
        Task hog = spawn(k, "hog", 0);
        assertEquals(250, grow(k, hog, 250));
        Task worker = spawn(k, "worker", -900);
        int got = grow(k, worker, 300);
        assertEquals(300, got, "worker never failed: the hog was killed for it");
        assertNull(k.tasks().get(hog.pid()));
        assertEquals(io.simproc.kernel.Processes.SIGKILL, hog.exitCode(), "the wait status: killed by signal 9");
        assertNotNull(k.tasks().get(worker.pid()));
        assertTrue(log(k).stream().anyMatch(l -> l.startsWith("Out of memory: Killed process " + hog.pid() + " (hog)")));
        assertFalse(k.tasks().get(worker.pid()).isOomVictim());
    }

    @Test
    void allocatingTaskModeKillsTheCaller() {
        Task hog = spawn(k, "hog", 0);
        assertEquals(250, grow(k, hog, 250));
        assertEquals(2, ProcTestSupport.write(fs, "/sys/vm/oom_kill_allocating_task", "1\n", 0));
        Task small = spawn(k, "small", 0);
        int got = grow(k, small, 400);
        assertTrue(got < 400);
        assertNull(k.tasks().get(small.pid()), "the allocating task died");
        assertNotNull(k.tasks().get(hog.pid()), "the bigger one lives");
        assertTrue(log(k).stream().anyMatch(l -> l.startsWith("Out of memory (oom_kill_allocating_task): Killed process "
                + small.pid() + " (small)")));
    }

    @Test
    void panicOnOomStopsTheMachineButItStaysReadable() {
        assertEquals(-Errno.EINVAL, ProcTestSupport.write(fs, "/sys/vm/panic_on_oom", "3\n", 0));
        assertEquals(2, ProcTestSupport.write(fs, "/sys/vm/panic_on_oom", "1\n", 0));
        Task grower = spawn(k, "leaky", 0);
        assertThrows(KernelPanic.class, () -> grow(k, grower, 1000));
        assertTrue(k.panicked());
        List<String> log = log(k);
        assertEquals("---[ end Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled ]---",
                log.get(log.size() - 1));
        assertEquals("Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled",
                log.get(log.size() - 2));
        assertTrue(indexOf(log, "leaky invoked oom-killer:") >= 0, "dump_header comes before the panic");
        assertTrue(ProcTestSupport.read(fs, "/meminfo").startsWith("MemTotal:"));
        long jiffies = k.read(Kernel::jiffies);
        k.advance(1000);
        assertEquals(jiffies, (long) k.read(Kernel::jiffies), "time has stopped");
        assertEquals(-Errno.EIO, ProcTestSupport.write(fs, "/sys/vm/panic_on_oom", "0\n", 0));
        assertEquals(0L, (long) k.read(kk -> kk.mm().vmstat().event(VmEvent.OOM_KILL)));
    }

    @Test
    void memInfoSwapLinesAreSwapFreeAndSwapTotal() {
        k = Kernel.boot(MachineProfileLoader.parse("t", "memory: 512M\nswap:\n  - path: /dev/vda2\n    size: 64M\n"), 7);
        k.setDebugChecks(true);
        fs = new ProcFs(k, ProcTree.create(SysctlTable.create()));
        Task hog = spawn(k, "hog", 0);
        assertEquals(470, grow(k, hog, 470));
        long swapFree = meminfoKb("SwapFree");
        long swapTotal = meminfoKb("SwapTotal");
        assertTrue(swapFree > 0 && swapFree < swapTotal, "part of the swap is in use: " + swapFree + "/" + swapTotal);
        List<String> mem = k.read(kk -> io.simproc.mm.ShowMem.showMem(kk.mm(), io.simproc.mm.ZoneType.NORMAL.ordinal()));
        assertTrue(mem.contains("Free swap  = " + swapFree + "kB"), String.join("\n", mem));
        assertTrue(mem.contains("Total swap = " + swapTotal + "kB"), String.join("\n", mem));
        Task grower = spawn(k, "leaky", 0);
        grow(k, grower, 1000);
        List<String> log = log(k);
        int free = indexOf(log, "Free swap  = ");
        assertTrue(free >= 0, String.join("\n", log));
        long reported = Long.parseLong(log.get(free).replaceAll("\\D", ""));
        assertTrue(reported < swapTotal / 4, "the OOM report comes after swap filled up: " + log.get(free));
        assertEquals("Total swap = " + swapTotal + "kB", log.get(free + 1));
    }

    private long meminfoKb(String field) {
        Matcher m = Pattern.compile("(?m)^" + field + ": +(\\d+) kB$").matcher(ProcTestSupport.read(fs, "/meminfo"));
        assertTrue(m.find(), field);
        return Long.parseLong(m.group(1));
    }

    @Test
    void oomKnobs() {
        assertEquals(3, ProcTestSupport.write(fs, "/sys/vm/oom_kill_allocating_task", "-1\n", 0));
        assertEquals("-1\n", ProcTestSupport.read(fs, "/sys/vm/oom_kill_allocating_task"));
        assertEquals(2, ProcTestSupport.write(fs, "/sys/vm/oom_kill_allocating_task", "0\n", 0));
        assertEquals("1\n", ProcTestSupport.read(fs, "/sys/vm/oom_dump_tasks"));
        assertEquals("0\n", ProcTestSupport.read(fs, "/sys/vm/panic_on_oom"));
        assertEquals(-Errno.EINVAL, ProcTestSupport.write(fs, "/sys/vm/panic_on_oom", "-1\n", 0));
        assertEquals(2, ProcTestSupport.write(fs, "/sys/vm/oom_dump_tasks", "0\n", 0));
        Task grower = spawn(k, "leaky", 0);
        grow(k, grower, 1000);
        assertEquals(-1, indexOf(log(k), "Tasks state (memory values in pages):"), "oom_dump_tasks=0: no table");
        assertTrue(indexOf(log(k), "Out of memory: Killed process " + grower.pid()) >= 0, String.join("\n", log(k)));
    }

    static int indexOf(List<String> log, String prefix) {
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
