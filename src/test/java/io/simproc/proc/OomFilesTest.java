package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.Printk;
import io.simproc.kernel.Task;
import io.simproc.mm.MmStruct;
import io.simproc.mm.Prot;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * oom_score, oom_score_adj and oom_adj (fs/proc/base.c, mm/oom_kill.c: oom_badness()) with the kernel's write
 * rules, the live probe of
 * samples/sysctl_write_probe_results.txt replayed, and expectations computed independently from the badness
 * formula. A 4 GiB machine: there a small process scores as the sampled one did (666, 671 for adj 7...), because
 * its RSS is below totalpages / 1000.
 */
class OomFilesTest {
    private static final Credentials ROOT = Credentials.ROOT;
    private static final Credentials OWNER = new Credentials(1000, 1000, 4242);
    /**
     * RSS plus page tables of the test process, in pages. The sampled python (5462 pages on a machine of
     * 6171021) lay between totalpages mod 1000 and totalpages / 1000, which is what gives 666 for adj 0 and 1333
     * for adj 1000; this machine has 1023753 pages, so about 900 pages do the same here.
     */
    private static final long BADNESS_PAGES = 900;

    private PidFixture f;
    private Task p;
    private String dir;

    @BeforeEach
    void start() {
        f = new PidFixture("memory: 4G\ncpu: 2\n");
        p = f.spawn(List.of("python3"));
        dir = "/" + p.pid();
        f.kernel.mutate(() -> {
            long have = p.mm().rssPages() + p.mm().pgtablesBytes() / 4096;
            long bytes = (BADNESS_PAGES - have - 1) * 4096;
            long a = f.kernel.syscalls().mmap(p, 0, bytes, Prot.READ | Prot.WRITE,
                    Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0);
            return f.kernel.syscalls().touch(p, a, bytes, true);
        });
    }

    /** proc_oom_score() scaling oom_badness() (fs/proc/base.c, mm/oom_kill.c), from the machine's counters. */
    private long expectedScore(Task t, int adj) {
        return f.kernel.read(k -> {
            if (adj == -1000) {
                return 0L;
            }
            MmStruct mm = t.mm();
            long totalpages = k.mm().vmstat().totalramPages() + k.mm().swap().totalSwapPages();
            long points = mm.rssPages() + mm.rss(MmStruct.MM_SWAPENTS) + mm.pgtablesBytes() / 4096
                    + adj * (totalpages / 1000);
            return (1000 + points * 1000 / totalpages) * 2 / 3;
        });
    }

    private long score() {
        return Long.parseLong(f.read(dir + "/oom_score").trim());
    }

    private int write(String file, String text, Credentials who) {
        return f.write(dir + "/" + file, text, who);
    }

    private String read(String file) {
        return f.read(dir + "/" + file).trim();
    }

    @Test
    void scoresFollowTheBadnessFormulaAndMatchTheSampledMachine() {
        long totalpages = f.kernel.read(k -> k.mm().vmstat().totalramPages() + k.mm().swap().totalSwapPages());
        long points = f.kernel.read(k -> p.mm().rssPages() + p.mm().pgtablesBytes() / 4096);
        assertEquals(BADNESS_PAGES, points);
        assertTrue(points > totalpages % 1000 && points < totalpages / 1000, totalpages + " pages, " + points);
        assertEquals(expectedScore(p, 0), score());
        assertEquals(666, score(), "the sample's idle process");
        for (int adj : new int[] {7, 16, 500, 1000, -1, -500, -999}) {
            assertEquals(Integer.toString(adj).length() + 1, write("oom_score_adj", adj + "\n", ROOT));
            assertEquals(expectedScore(p, adj), score(), "adj " + adj);
        }
        write("oom_score_adj", "7", ROOT);
        assertEquals(671, score());
        write("oom_score_adj", "0x10", ROOT);
        assertEquals(677, score());
        write("oom_score_adj", "500", ROOT);
        assertEquals(1000, score());
        write("oom_score_adj", "1000", ROOT);
        assertEquals(1333, score());
    }

    @Test
    void minusOneThousandAsRootMakesTheProcessUnkillable() {
        assertEquals(6, write("oom_score_adj", "-1000\n", ROOT));
        assertEquals(0, score());
        assertEquals("-1000", read("oom_score_adj"));
        assertEquals("-17", read("oom_adj"));
    }

    /** The probe of samples/sysctl_write_probe_results.txt, with the error codes the live kernel gave. */
    @Test
    void writesAreParsedAndCheckedAsTheKernelDoes() {
        assertEquals(-Errno.EINVAL, write("oom_score_adj", "1001", ROOT));
        assertEquals(-Errno.EINVAL, write("oom_score_adj", "-1001", ROOT));
        assertEquals(-Errno.EINVAL, write("oom_score_adj", "abc", ROOT));
        assertEquals(-Errno.ERANGE, write("oom_score_adj", "99999999999", ROOT));
        assertEquals(-Errno.ERANGE, write("oom_score_adj", "-99999999999", ROOT));
        assertEquals(4, write("oom_score_adj", " 7 \n", ROOT));
        assertEquals("7", read("oom_score_adj"));
        assertEquals("0", read("oom_adj"));
        assertEquals(5, write("oom_score_adj", "0x10\n", ROOT));
        assertEquals("16", read("oom_score_adj"));
        assertEquals(4, write("oom_score_adj", "010\n", ROOT), "octal");
        assertEquals("8", read("oom_score_adj"));
        assertEquals(-Errno.EINVAL, write("oom_score_adj", "09", ROOT), "9 is no octal digit");
        assertEquals(-Errno.EINVAL, write("oom_score_adj", "", ROOT));
        assertEquals(-Errno.EINVAL, write("oom_score_adj", " \n", ROOT));
        assertEquals(-Errno.EINVAL, write("oom_score_adj", "5 6", ROOT));
        assertEquals(-Errno.EINVAL, write("oom_score_adj", "--5", ROOT));
        assertEquals(2, write("oom_score_adj", "+5", ROOT));
        assertEquals("5", read("oom_score_adj"));
        assertEquals(12, write("oom_score_adj", "          12 and the rest is never looked at", ROOT),
                "only the first 12 bytes are read, and that many are consumed");
        assertEquals("12", read("oom_score_adj"));
        assertEquals(6, write("oom_score_adj", "3\0junk", ROOT), "the number ends at a NUL; all is consumed");
        assertEquals("3", read("oom_score_adj"));
    }

    /** oom_adj: valid inputs -16..15 and -17, converted both ways as fs/proc/base.c's oom_adj_write/read do. */
    @Test
    void theLegacyScaleConvertsBothWays() {
        int[][] table = {{-17, -1000, -17}, {-16, -941, -15}, {-1, -58, 0}, {0, 0, 0}, {1, 58, 0}, {7, 411, 6},
            {8, 470, 7}, {14, 823, 13}, {15, 1000, 15}};
        for (int[] row : table) {
            assertEquals(Integer.toString(row[0]).length(), write("oom_adj", Integer.toString(row[0]), ROOT));
            assertEquals(Integer.toString(row[1]), read("oom_score_adj"), "oom_adj " + row[0]);
            assertEquals(Integer.toString(row[2]), read("oom_adj"), "oom_adj " + row[0] + " reads back");
        }
        assertEquals(-Errno.EINVAL, write("oom_adj", "16", ROOT));
        assertEquals(-Errno.EINVAL, write("oom_adj", "-18", ROOT));
        write("oom_score_adj", "500", ROOT);
        assertEquals("8", read("oom_adj"));
        write("oom_score_adj", "999", ROOT);
        assertEquals("15", read("oom_adj"), "999 × 17 / 1000 = 16 is capped at 15");
    }

    @Test
    void theLegacyInterfaceLogsItsDeprecationOnceNamingTheWriter() {
        Credentials bash = new Credentials(0, 0, 11263);
        write("oom_adj", "3", bash);
        write("oom_adj", "4", bash);
        List<String> notices = f.kernel.read(Kernel::log).records().stream().map(Printk.Record::text)
                .filter(t -> t.contains("oom_adj is deprecated")).toList();
        assertEquals(List.of("bash (11263): /proc/" + p.pid() + "/oom_adj is deprecated, please use /proc/"
                + p.pid() + "/oom_score_adj instead."), notices);
        assertEquals(4, f.kernel.read(Kernel::log).records().stream().filter(r -> r.text().contains("deprecated"))
                .findFirst().orElseThrow().level());
    }

    /**
     * Without CAP_SYS_RESOURCE an owner may raise its score and lower it back only to the last privileged setting
     * (oom_score_adj_min); through oom_adj only to the current value.
     */
    @Test
    void loweringNeedsCapSysResourceRelativeToTheMinimumOrTheCurrentValue() {
        f.kernel.mutate(() -> f.kernel.syscalls().setuid(p, 1000, 1000));
        assertEquals(-Errno.EACCES, write("oom_score_adj", "-1", OWNER));
        assertEquals(3, write("oom_score_adj", "300", OWNER));
        assertEquals(3, write("oom_score_adj", "100", OWNER), "back down, still above the minimum 0");
        assertEquals(1, write("oom_score_adj", "0", OWNER));
        assertEquals(-Errno.EACCES, write("oom_score_adj", "-1000", OWNER));
        assertEquals(4, write("oom_score_adj", "-500", ROOT), "root moves the minimum");
        assertEquals(3, write("oom_score_adj", "200", OWNER));
        assertEquals(4, write("oom_score_adj", "-500", OWNER), "down to the last privileged setting");
        assertEquals(-Errno.EACCES, write("oom_score_adj", "-501", OWNER));
        assertEquals(2, write("oom_adj", "-5", OWNER), "oom_adj compares with the current value, -500");
        assertEquals("-294", read("oom_score_adj"));
        assertEquals(-Errno.EACCES, write("oom_adj", "-6", OWNER), "-352 is below the current -294");
        assertEquals(-Errno.EACCES, write("oom_score_adj", "-1000", new Credentials(1001, 1001, 1)),
                "another user may not open it for writing");
    }

    /** The value lives on the process: every thread sees it, and a fork inherits it. */
    @Test
    void theValueIsPerProcessAndInherited() {
        Task thread = f.kernel.mutate(() -> f.kernel.processes().newThread(p));
        write("oom_score_adj", "250", ROOT);
        assertEquals("250", f.read("/" + thread.pid() + "/oom_score_adj").trim());
        assertEquals("250", f.read(dir + "/task/" + thread.pid() + "/oom_score_adj").trim());
        assertEquals(3, f.write("/" + thread.pid() + "/oom_score_adj", "-10", ROOT));
        assertEquals("-10", read("oom_score_adj"));
        Task child = f.kernel.mutate(() -> f.kernel.syscalls().fork(p));
        assertEquals("-10", f.read("/" + child.pid() + "/oom_score_adj").trim());
    }

    @Test
    void kernelThreadsAndAGoneProcessCannotBeScored() {
        assertEquals("0", f.read("/2/oom_score").trim());
        assertEquals(3, f.write("/2/oom_score_adj", "500", ROOT), "a kernel thread takes the value");
        assertEquals("500", f.read("/2/oom_score_adj").trim());
        assertEquals("0", f.read("/2/oom_score").trim(), "but is never a victim");
        ProcFile adj = ProcTestSupport.file(f.fs, dir + "/oom_score_adj");
        f.kernel.mutate(() -> {
            f.kernel.syscalls().exit(p, 0);
            return null;
        });
        assertEquals(-Errno.ESRCH, f.fs.write(adj, ROOT, "5".getBytes(), 0));
    }
}
