package io.simproc.sysfs;

import io.simproc.kernel.Task;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * khugepaged through the machine's files: /sys/kernel/mm/transparent_hugepage/khugepaged's knobs (parsing, ranges,
 * errnos, nothing changed on a refusal) and counters; memory faulted in 4 KiB pages collapsed into THPs once its
 * VMA is advised (AnonHugePages in meminfo and smaps_rollup, pages_collapsed, thp_collapse_alloc, full_scans),
 * max_ptes_none refusing sparse ranges (thp_scan_exceed_none_pte), the enabled mode stopping and starting the
 * thread, a fork registering the child, MADV_COLLAPSE, swap entries read back within max_ptes_swap (and ranges
 * over it left alone), and khugepaged's CPU time. The mm invariants (khugepaged's
 * with them) are checked at the end of each run.
 */
class KhugepagedTest {
    private static final String DIR = "/kernel/mm/transparent_hugepage/khugepaged/";

    /** Process a mallocs 64 MiB and writes a quarter of its pages at random: 4 KiB pages (THP mode madvise). */
    private static final String SPARSE = """
            machine:
              memory: 512M
              cpu: 2
              thp: madvise
              processes:
                - program: systemd
                  args: [/sbin/init]
            timeline:
              - at: 100ms
                spawn: {name: a, program: bash, args: [bash]}
              - malloc: {process: a, size: 64M, name: m}
              - touch: {process: a, name: m, size: 25%, order: random}
            """;

    private static SysFixture sparse(String knobs, String more) {
        return SysFixture.scenario(SPARSE + "  - at: 200ms\n    khugepaged: {pages_to_scan: 4096,"
                + " scan_sleep_millisecs: 10" + knobs + "}\n" + more, 5);
    }

    private static long value(SysFixture f, String file) {
        return Long.parseLong(f.sys(DIR + file).trim());
    }

    private static int pid(SysFixture f, String comm) {
        return f.kernel.read(k -> k.tasks().all().stream().filter(t -> t.comm().equals(comm)).findFirst()
                .map(Task::pid).orElseThrow());
    }

    private static long vmstat(SysFixture f, String key) {
        return io.simproc.proc.ProcText.vmstat(f.proc("/vmstat")).get(key);
    }

    private static long anonHuge(SysFixture f, String path) {
        for (String line : f.proc(path).split("\n")) {
            if (line.startsWith("AnonHugePages:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no AnonHugePages in " + path);
    }

    @Test
    void theKnobsParseAsTheKernelsStoresAndRefusalsChangeNothing() {
        SysFixture f = SysFixture.boot("memory: 512M\n", 1);
        assertEquals("4096\n", f.sys(DIR + "pages_to_scan"));
        assertEquals("10000\n", f.sys(DIR + "scan_sleep_millisecs"));
        assertEquals("60000\n", f.sys(DIR + "alloc_sleep_millisecs"));
        assertEquals("511\n", f.sys(DIR + "max_ptes_none"));
        assertEquals("64\n", f.sys(DIR + "max_ptes_swap"));
        assertEquals("256\n", f.sys(DIR + "max_ptes_shared"));
        assertEquals("1\n", f.sys(DIR + "defrag"));
        String[][] refused = {
            {"pages_to_scan", "0\n", "EINVAL"}, {"pages_to_scan", "4294967296\n", "EINVAL"},
            {"pages_to_scan", "-1\n", "EINVAL"}, {"scan_sleep_millisecs", "1.5\n", "EINVAL"},
            {"alloc_sleep_millisecs", "x\n", "EINVAL"}, {"max_ptes_none", "512\n", "EINVAL"},
            {"max_ptes_swap", "-1\n", "EINVAL"}, {"max_ptes_shared", "99999999999999999999\n", "EINVAL"},
            {"defrag", "2\n", "EINVAL"}, {"defrag", "99999999999999999999\n", "ERANGE"},
            {"defrag", "yes\n", "EINVAL"}};
        for (String[] r : refused) {
            String before = f.sys(DIR + r[0]);
            int errno = r[2].equals("EINVAL") ? Errno.EINVAL : Errno.ERANGE;
            assertEquals(-errno, f.writeSys(DIR + r[0], r[1], Credentials.ROOT), r[0] + " < " + r[1]);
            assertEquals(before, f.sys(DIR + r[0]), r[0] + " unchanged");
        }
        assertEquals(4, f.writeSys(DIR + "pages_to_scan", "+512", Credentials.ROOT));
        assertEquals("512\n", f.sys(DIR + "pages_to_scan"));
        assertEquals(2, f.writeSys(DIR + "max_ptes_none", "0\n", Credentials.ROOT));
        assertEquals("0\n", f.sys(DIR + "max_ptes_none"));
        assertEquals(4, f.writeSys(DIR + "max_ptes_swap", "511\n", Credentials.ROOT));
        assertEquals(2, f.writeSys(DIR + "defrag", "0\n", Credentials.ROOT));
        assertEquals("0\n", f.sys(DIR + "defrag"));
        assertEquals(4, f.writeSys(DIR + "scan_sleep_millisecs", "100\n", Credentials.ROOT));
        assertEquals(-Errno.EACCES, f.writeSys(DIR + "pages_collapsed", "1\n", Credentials.ROOT));
        assertEquals(-Errno.EACCES, f.writeSys(DIR + "pages_to_scan", "1\n", new Credentials(1000, 1000, 1)));
    }

    @Test
    void unadvisedMemoryIsNotCollapsed() {
        SysFixture f = sparse("", "").until(2_000);
        assertEquals(0, value(f, "pages_collapsed"));
        assertEquals(0, vmstat(f, "thp_collapse_alloc"));
        assertEquals(0, anonHuge(f, "/meminfo"));
    }

    @Test
    void advisedSparseMemoryIsCollapsedAndTheFilesAgree() {
        SysFixture f = sparse("", "  - madvise: {process: a, name: m, advice: hugepage}\n").until(1_500);
        int a = pid(f, "a");
        // glibc maps 64 MiB and a page for its header: 31 whole aligned 2 MiB ranges.
        assertEquals(31, value(f, "pages_collapsed"));
        assertEquals(31, vmstat(f, "thp_collapse_alloc"));
        assertEquals(0, vmstat(f, "thp_collapse_alloc_failed"));
        assertEquals(31 * 2048, anonHuge(f, "/meminfo"));
        assertEquals(31 * 2048, anonHuge(f, "/" + a + "/smaps_rollup"));
        assertEquals(31, vmstat(f, "nr_anon_transparent_hugepages"));
        assertTrue(value(f, "full_scans") >= 2, "the list was passed over again and again");
        long rss = Long.parseLong(f.proc("/" + a + "/status").lines().filter(l -> l.startsWith("RssAnon:"))
                .findFirst().orElseThrow().replaceAll("[^0-9]", ""));
        assertTrue(rss >= 31 * 2048, "the empty PTEs became zeroed pages of the THPs: RssAnon " + rss);
        int khugepaged = pid(f, "khugepaged");
        List<String> stat = List.of(f.proc("/" + khugepaged + "/stat").split(" "));
        assertTrue(Long.parseLong(stat.get(14)) > 0, "khugepaged's stime: " + stat);
    }

    @Test
    void maxPtesNoneZeroLeavesSparseRangesAlone() {
        SysFixture f = sparse(", max_ptes_none: 0", "  - madvise: {process: a, name: m, advice: hugepage}\n")
                .until(1_500);
        assertEquals(0, value(f, "pages_collapsed"));
        assertEquals(0, vmstat(f, "thp_collapse_alloc"));
        assertTrue(vmstat(f, "thp_scan_exceed_none_pte") >= 31);
        assertEquals(0, anonHuge(f, "/meminfo"));
    }

    @Test
    void modeAlwaysCollapsesAfterTheFactOnceTheProcessFaultsAgain() {
        SysFixture f = sparse("", """
                  - thp: {enabled: always}
                  - malloc: {process: a, size: 8M, name: more, write: true}
                """).until(1_500);
        assertTrue(anonHuge(f, "/meminfo") >= 31 * 2048 + 3 * 2048, "the new mapping faulted THPs and registered"
                + " the process; khugepaged collapsed the old one: " + anonHuge(f, "/meminfo"));
        assertTrue(value(f, "pages_collapsed") >= 31, "the old mapping's ranges (and the one the two share)");
    }

    @Test
    void modeNeverRegistersNothing() {
        SysFixture f = sparse("", """
                  - thp: {enabled: never}
                  - madvise: {process: a, name: m, advice: hugepage}
                  - at: 1s
                    thp: {enabled: madvise}
                """).until(900);
        assertEquals(0, value(f, "pages_collapsed"));
        f.until(1_500);
        assertEquals(0, value(f, "pages_collapsed"), "the advice registered nothing under never (a fault would)");
    }

    @Test
    void madvCollapseCollapsesAtOnce() {
        SysFixture f = SysFixture.scenario(SPARSE + """
                  - at: 200ms
                    madvise: {process: a, name: m, advice: collapse}
                """, 5).until(200);
        assertEquals(31, vmstat(f, "thp_collapse_alloc"));
        assertEquals(0, value(f, "pages_collapsed"), "not khugepaged's");
        assertEquals(31 * 2048, anonHuge(f, "/meminfo"));
    }

    @Test
    void aForkedChildIsRegisteredAndItsSharedPagesCountAgainstMaxPtesShared() {
        SysFixture f = SysFixture.scenario(SPARSE + """
                  - madvise: {process: a, name: m, advice: hugepage}
                  - fork: {process: a, name: b}
                  - at: 200ms
                    khugepaged: {pages_to_scan: 4096, scan_sleep_millisecs: 10, max_ptes_shared: 0}
                """, 5).until(1_500);
        assertEquals(0, value(f, "pages_collapsed"), "every page is shared with the child");
        assertTrue(vmstat(f, "thp_scan_exceed_share_pte") > 0);
    }

    @Test
    void swappedPagesAreReadBackWithinMaxPtesSwap() {
        String text = """
                machine:
                  memory: 256M
                  cpu: 2
                  thp: madvise
                  swap:
                    - path: /swapfile
                      size: 256M
                  processes:
                    - program: systemd
                      args: [/sbin/init]
                timeline:
                  - at: 100ms
                    spawn: {name: a, program: bash, args: [bash]}
                  - malloc: {process: a, size: 16M, name: m, write: true}
                  - spawn: {name: hog, program: bash, args: [bash]}
                  - malloc: {process: hog, size: 240M, name: h, write: true}
                  - kill: hog
                  - touch: {process: a, name: m, size: 85%%, order: random}
                  - at: 200ms
                    madvise: {process: a, name: m, advice: hugepage}
                  - khugepaged: {pages_to_scan: 4096, scan_sleep_millisecs: 10%s}
                """;
        SysFixture f = SysFixture.scenario(text.formatted(", max_ptes_swap: 511"), 5).until(1_500);
        long swapped = vmstat(f, "pswpout");
        assertTrue(swapped > 0, "the hog pushed pages to swap");
        long collapsed = value(f, "pages_collapsed");
        assertTrue(collapsed > 0, "ranges with up to ~100 swap entries, most pages referenced, were collapsed");
        assertTrue(vmstat(f, "pswpin") > 0, "the swap entries of the collapsed ranges were read back");
        SysFixture strict = SysFixture.scenario(text.formatted(""), 5).until(1_500);
        assertTrue(vmstat(strict, "thp_scan_exceed_swap_pte") > 0);
        assertTrue(value(strict, "pages_collapsed") < collapsed,
                "ranges with more than 64 swap entries are left alone");
    }
}
