package io.simproc.workload;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTestSupport;
import io.simproc.proc.ProcTree;
import io.simproc.sysctl.SysctlTable;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random populations (sizes and oom_score_adj from −1000 to 1000) on a 256 MiB machine, then a task that grows
 * until the OOM killer acts, possibly several times. For every report in the log: the killed process is one with the
 * maximum badness among the eligible rows of the task table the kernel printed with it (rss + swapents +
 * pgtables_bytes / 4096 + oom_score_adj × (totalpages / 1000); adj −1000 never; on ties the later row), the log
 * lines parse, and for every task that did not change since, /proc/PID/oom_score read before the OOM is that
 * badness scaled as proc_oom_score() does (fs/proc/base.c).
 */
class OomVictimPropertyTest {
    @Property(tries = 6, shrinking = ShrinkingMode.OFF, edgeCases = EdgeCasesMode.NONE)
    void theVictimHasTheMaximumBadness(@ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Kernel k = Kernel.boot(MachineProfileLoader.parse("t", "memory: 256M\n"), seed);
        k.setDebugChecks(true);
        ProcFs fs = new ProcFs(k, ProcTree.create(SysctlTable.create()));
        String where = "seed " + seed;
        int n = 2 + rnd.nextInt(5);
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int adj = rnd.nextInt(4) == 0 ? -1000 : -1000 + rnd.nextInt(2001);
            Task t = OomKillerTest.spawn(k, "t" + i, adj);
            OomKillerTest.grow(k, t, 1 + rnd.nextInt(40));
            tasks.add(t);
        }
        long totalpagesNow = k.read(kk -> kk.mm().oomKill().totalPages());
        for (Task t : tasks) {
            if (k.read(kk -> kk.tasks().get(t.pid()) != t)) {
                continue; // a later task's growth OOM-killed it: its report is checked below with the others
            }
            long score = Long.parseLong(ProcTestSupport.read(fs, "/" + t.pid() + "/oom_score").trim());
            String status = ProcTestSupport.read(fs, "/" + t.pid() + "/status");
            long adj = Long.parseLong(ProcTestSupport.read(fs, "/" + t.pid() + "/oom_score_adj").trim());
            long points = kb(status, "VmRSS") / 4 + kb(status, "VmSwap") / 4 + kb(status, "VmPTE") / 4
                    + adj * (totalpagesNow / 1000);
            long expected = adj == -1000 ? 0 : (1000 + points * 1000 / totalpagesNow) * 2 / 3;
            assertEquals(expected, score, where + ": oom_score of pid " + t.pid() + " against its status");
        }
        Task grower = OomKillerTest.spawn(k, "grower", -1000 + rnd.nextInt(2001));
        OomKillerTest.grow(k, grower, 400);
        List<String> log = OomKillerTest.log(k);
        long totalpages = k.read(kk -> kk.mm().oomKill().totalPages());
        int reports = 0;
        for (int i = 0; i < log.size(); i++) {
            if (!log.get(i).equals("Tasks state (memory values in pages):")) {
                continue;
            }
            reports++;
            int best = -1;
            long bestPoints = Long.MIN_VALUE;
            int row = i + 2;
            Matcher m;
            while ((m = OomKillerTest.TASK_ROW.matcher(log.get(row))).matches()) {
                int pid = Integer.parseInt(m.group(1));
                long adj = Long.parseLong(m.group(11));
                long points = Long.parseLong(m.group(5)) + Long.parseLong(m.group(10))
                        + Long.parseLong(m.group(9)) / 4096 + adj * (totalpages / 1000);
                if (adj != -1000 && points >= bestPoints) {
                    best = pid;
                    bestPoints = points;
                }
                row++;
            }
            assertTrue(log.get(row).startsWith("oom-kill:constraint=CONSTRAINT_NONE,"), where + ": " + log.get(row));
            Matcher killed = OomKillerTest.KILLED.matcher(log.get(row + 1));
            assertTrue(killed.matches(), where + ": " + log.get(row + 1));
            assertEquals(best, Integer.parseInt(killed.group(2)), where + " report " + reports
                    + ": the victim has the highest badness");
        }
        assertTrue(reports > 0, where + ": the grower ran into the OOM killer");
    }

    /** A "Key:   N kB" line of a status file, in kB. */
    private static long kb(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.substring(key.length() + 1).trim().split("\\s+")[0]);
            }
        }
        throw new AssertionError(key + " missing from status");
    }
}
