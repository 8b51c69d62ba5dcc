package io.simproc.sysfs;

import io.simproc.kernel.Task;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * KSM through the machine's files: /sys/kernel/mm/ksm's knobs (parsing, ranges, errnos, nothing changed on a
 * refusal) and counters, ksmd merging the identical pages of mergeable processes, /proc/PID/ksm_stat and
 * ksm_merging_pages, the KSM and VmFlags lines of smaps, copy-on-write of a KSM page (cow_ksm), unmerging by
 * MADV_UNMERGEABLE and run 2, KSM's zero page, stable node chains, a fork of merged memory and ksmd's CPU time; the
 * mm invariants (KSM's with them) are checked at every step of the scenarios.
 */
class KsmTest {
    private static final String DIR = "/kernel/mm/ksm/";

    /**
     * Four processes with 4 MiB each of the same image, mergeable: madvise takes the 1023 whole pages inside each
     * malloc'd chunk. ksmd is fast.
     */
    private static final String GUESTS = """
            machine:
              memory: 512M
              cpu: 2
              processes:
                - program: systemd
                  args: [/sbin/init]
            timeline:
              - at: 100ms
                spawn: {name: a, program: bash, args: [bash]}
              - spawn: {name: b, program: bash, args: [bash]}
              - spawn: {name: c, program: bash, args: [bash]}
              - spawn: {name: d, program: bash, args: [bash]}
              - malloc: {process: a, size: 4M, name: m}
              - malloc: {process: b, size: 4M, name: m}
              - malloc: {process: c, size: 4M, name: m}
              - malloc: {process: d, size: 4M, name: m}
              - madvise: {process: a, name: m, advice: mergeable}
              - madvise: {process: b, name: m, advice: mergeable}
              - madvise: {process: c, name: m, advice: mergeable}
              - madvise: {process: d, name: m, advice: mergeable}
              - touch: {process: a, name: m, data: img}
              - touch: {process: b, name: m, data: img}
              - touch: {process: c, name: m, data: img}
              - touch: {process: d, name: m, data: img}
            """;

    private static SysFixture guests(String knobs, String more) {
        return SysFixture.scenario(GUESTS + "  - at: 200ms\n    ksm: {pages_to_scan: 2000, sleep_millisecs: 10"
                + knobs + ", run: 1}\n" + more, 3);
    }

    private long value(SysFixture f, String file) {
        return Long.parseLong(f.sys(DIR + file).trim());
    }

    private static int pid(SysFixture f, String comm) {
        return f.kernel.read(k -> k.tasks().all().stream().filter(t -> t.comm().equals(comm)).findFirst()
                .map(Task::pid).orElseThrow());
    }

    private static long vmstat(SysFixture f, String key) {
        return io.simproc.proc.ProcText.vmstat(f.proc("/vmstat")).get(key);
    }

    @Test
    void theKnobsParseAsTheKernelsStoresAndRefusalsChangeNothing() {
        SysFixture f = SysFixture.boot("memory: 512M\n", 1);
        String[][] refused = {
            {"run", "3\n", "EINVAL"}, {"run", "-1\n", "EINVAL"}, {"run", "x\n", "EINVAL"},
            {"pages_to_scan", "4294967296\n", "EINVAL"}, {"sleep_millisecs", "1.5\n", "EINVAL"},
            {"max_page_sharing", "1\n", "EINVAL"}, {"max_page_sharing", "2147483648\n", "ERANGE"},
            {"merge_across_nodes", "2\n", "EINVAL"}, {"use_zero_pages", "maybe\n", "EINVAL"},
            {"smart_scan", "o\n", "EINVAL"}, {"advisor_mode", "fast\n", "EINVAL"},
            {"advisor_target_scan_time", "0\n", "EINVAL"}, {"stable_node_chains_prune_millisecs", "-5\n", "EINVAL"}};
        for (String[] r : refused) {
            String before = f.sys(DIR + r[0]);
            int errno = r[2].equals("EINVAL") ? Errno.EINVAL : Errno.ERANGE;
            assertEquals(-errno, f.writeSys(DIR + r[0], r[1], Credentials.ROOT), r[0] + " < " + r[1]);
            assertEquals(before, f.sys(DIR + r[0]), r[0] + " unchanged");
        }
        assertEquals(4, f.writeSys(DIR + "pages_to_scan", "+500", Credentials.ROOT));
        assertEquals("500\n", f.sys(DIR + "pages_to_scan"));
        assertEquals(3, f.writeSys(DIR + "use_zero_pages", "on\n", Credentials.ROOT));
        assertEquals("1\n", f.sys(DIR + "use_zero_pages"));
        assertEquals(4, f.writeSys(DIR + "smart_scan", "Off\n", Credentials.ROOT));
        assertEquals("0\n", f.sys(DIR + "smart_scan"));
        assertEquals(3, f.writeSys(DIR + "max_page_sharing", "64\n", Credentials.ROOT));
        assertEquals("64\n", f.sys(DIR + "max_page_sharing"));
        assertEquals(2, f.writeSys(DIR + "merge_across_nodes", "0\n", Credentials.ROOT));
        assertEquals("0\n", f.sys(DIR + "merge_across_nodes"));
        assertEquals(-Errno.EACCES, f.writeSys(DIR + "run", "1\n", new Credentials(1000, 1000, 1)));
        assertEquals(10, f.writeSys(DIR + "advisor_mode", "scan-time\n", Credentials.ROOT));
        assertEquals("none [scan-time]\n", f.sys(DIR + "advisor_mode"));
        assertEquals("500\n", f.sys(DIR + "pages_to_scan"), "the advisor starts at advisor_min_pages_to_scan");
        assertEquals(-Errno.EINVAL, f.writeSys(DIR + "pages_to_scan", "100\n", Credentials.ROOT),
                "the advisor owns pages_to_scan");
        assertEquals(5, f.writeSys(DIR + "advisor_mode", "none\n", Credentials.ROOT));
        assertEquals("100\n", f.sys(DIR + "pages_to_scan"), "back to the default");
        assertEquals(2, f.writeSys(DIR + "run", "1\n", Credentials.ROOT));
        assertEquals("1\n", f.sys(DIR + "run"));
    }

    @Test
    void ksmdMergesTheIdenticalPagesAndTheFilesAgree() {
        SysFixture f = guests("", "").until(2_000);
        assertEquals(1023, value(f, "pages_shared"));
        assertEquals(3 * 1023, value(f, "pages_sharing"));
        assertEquals(0, value(f, "pages_unshared"));
        assertTrue(value(f, "full_scans") >= 2);
        assertTrue(value(f, "pages_scanned") >= 2 * 4 * 1023);
        long items = 4 * 1023;
        assertEquals(3 * 1023 * 4096L - items * 64, value(f, "general_profit"));
        int a = pid(f, "a");
        assertEquals("1023\n", f.proc("/" + a + "/ksm_merging_pages"));
        assertEquals("ksm_rmap_items 1023\nksm_zero_pages 0\nksm_merging_pages 1023\nksm_process_profit "
                + (1023 * 4096L - 1023 * 64) + "\nksm_merge_any: no\nksm_mergeable: yes\n",
                f.proc("/" + a + "/ksm_stat"));
        String rollup = f.proc("/" + a + "/smaps_rollup");
        assertTrue(rollup.contains("\nKSM:                4092 kB\n"), rollup);
        assertTrue(rollup.contains("\nPss_Anon:"), rollup);
        String smaps = f.proc("/" + a + "/smaps");
        assertTrue(smaps.contains("KSM:                4092 kB\n"), smaps);
        assertTrue(smaps.contains(" mg \n") || smaps.contains(" mg"), "VM_MERGEABLE shows as mg");
        assertEquals(-Errno.EBUSY, f.writeSys(DIR + "merge_across_nodes", "0\n", Credentials.ROOT));
        assertEquals(-Errno.EBUSY, f.writeSys(DIR + "max_page_sharing", "16\n", Credentials.ROOT));
        assertEquals("1\n", f.sys(DIR + "merge_across_nodes"));
        assertEquals(2, f.writeSys(DIR + "run", "2\n", Credentials.ROOT));
        assertEquals(0, value(f, "pages_shared"));
        assertEquals(0, value(f, "pages_sharing"));
        assertEquals("ksm_rmap_items 0\nksm_zero_pages 0\nksm_merging_pages 0\nksm_process_profit 0\n"
                + "ksm_merge_any: no\nksm_mergeable: yes\n", f.proc("/" + a + "/ksm_stat"));
        assertTrue(f.proc("/" + a + "/smaps_rollup").contains("\nKSM:                   0 kB\n"));
        assertEquals(4 * 1023, vmstat(f, "cow_ksm"), "unmerging copied every merged page back");
        assertEquals(2, f.writeSys(DIR + "merge_across_nodes", "0\n", Credentials.ROOT), "no KSM pages left");
    }

    @Test
    void aWriteCopiesTheKsmPageAndTheNextScanDropsTheWriter() {
        SysFixture f = guests("", """
                  - at: 2s
                    touch: {process: b, name: m, size: 1M}
                """).until(1_900);
        long sharing = value(f, "pages_sharing");
        assertEquals(0, vmstat(f, "cow_ksm"));
        f.until(3_000);
        assertEquals(256, vmstat(f, "cow_ksm"), "page 0 of the chunk was never merged");
        assertEquals(sharing - 256, value(f, "pages_sharing"));
        assertEquals(1023, value(f, "pages_shared"));
        assertEquals("767\n", f.proc("/" + pid(f, "b") + "/ksm_merging_pages"));
    }

    @Test
    void unmergeableGivesTheRangeBackAndOthersKeepSharing() {
        SysFixture f = guests("", """
                  - at: 2s
                    madvise: {process: c, name: m, advice: unmergeable}
                """).until(2_100);
        assertEquals("0\n", f.proc("/" + pid(f, "c") + "/ksm_merging_pages"));
        assertTrue(f.proc("/" + pid(f, "c") + "/ksm_stat").endsWith("ksm_mergeable: no\n"));
        assertEquals(1023, value(f, "pages_shared"));
        assertEquals(2 * 1023, value(f, "pages_sharing"));
    }

    @Test
    void zeroFilledPagesMergeIntoTheZeroPageWithUseZeroPages() {
        String text = GUESTS.replace("data: img", "data: zero");
        SysFixture f = SysFixture.scenario(text + "  - at: 200ms\n    ksm: {pages_to_scan: 2000, sleep_millisecs: 10,"
                + " use_zero_pages: 1, run: 1}\n", 3).until(2_000);
        assertEquals(4 * 1023, value(f, "ksm_zero_pages"));
        assertEquals(0, value(f, "pages_shared"));
        assertEquals(4 * 1023 * 4096L, value(f, "general_profit"), "the next scan passes over the zero page: no items");
        int a = pid(f, "a");
        assertTrue(f.proc("/" + a + "/ksm_stat").startsWith("ksm_rmap_items 0\nksm_zero_pages 1023\n"));
        f.writeSys(DIR + "run", "2\n", Credentials.ROOT);
        assertEquals(0, value(f, "ksm_zero_pages"), "unmerged: private zeroed pages again");
    }

    @Test
    void maxPageSharingMakesChainsOfDups() {
        SysFixture f = guests(", max_page_sharing: 2", "").until(2_000);
        assertEquals(2 * 1023, value(f, "pages_shared"), "two KSM pages of each content, two sharers each");
        assertEquals(2 * 1023, value(f, "pages_sharing"));
        assertEquals(1023, value(f, "stable_node_chains"));
        assertEquals(2 * 1023, value(f, "stable_node_dups"));
    }

    @Test
    void prctlMakesEveryMappingMergeable() {
        SysFixture f = SysFixture.scenario(GUESTS.replace("madvise: {process: d, name: m, advice: mergeable}",
                "prctl: {process: d, memory_merge: 1}") + "  - at: 200ms\n    ksm: {pages_to_scan: 5000, run: 1}\n"
                + "  - malloc: {process: d, size: 1M, name: later}\n", 3).until(2_000);
        int d = pid(f, "d");
        String stat = f.proc("/" + d + "/ksm_stat");
        assertTrue(stat.contains("\nksm_merging_pages 1023\n"), stat);
        assertTrue(stat.endsWith("ksm_merge_any: yes\nksm_mergeable: yes\n"), stat);
        long items = Long.parseLong(stat.lines().findFirst().orElseThrow().split(" ")[1]);
        assertTrue(items > 1025, "every anonymous page of d has an rmap item: " + items);
        String smaps = f.proc("/" + d + "/smaps");
        long mergeable = smaps.lines().filter(l -> l.startsWith("VmFlags:") && l.contains(" mg ")).count();
        long writablePrivate = smaps.lines().filter(l -> l.startsWith("VmFlags: rd wr mr mw me ")).count();
        assertTrue(mergeable >= writablePrivate && mergeable > 2, "the later malloc too: " + smaps);
    }

    @Test
    void withoutRunNothingIsScanned() {
        SysFixture f = SysFixture.scenario(GUESTS, 3).until(2_000);
        assertEquals(0, value(f, "pages_scanned"));
        assertEquals(0, value(f, "full_scans"));
        assertEquals("0\n", f.proc("/" + pid(f, "a") + "/ksm_merging_pages"));
    }

    @Test
    void aForkedChildSharesTheKsmPagesAndKsmdChargesItsTime() {
        SysFixture f = guests("", """
                  - at: 2s
                    fork: {process: a, name: kid, args: [bash]}
                """).until(3_000);
        int kid = f.kernel.read(k -> k.tasks().all().stream().mapToInt(Task::pid).max().orElseThrow());
        assertEquals("1023\n", f.proc("/" + kid + "/ksm_merging_pages"), "ksmd listed the child's mappings");
        assertEquals(4 * 1023, value(f, "pages_sharing"));
        int ksmd = pid(f, "ksmd");
        List<String> stat = List.of(f.proc("/" + ksmd + "/stat").split(" "));
        assertTrue(Long.parseLong(stat.get(14)) > 0, "ksmd's stime: " + stat);
    }
}
