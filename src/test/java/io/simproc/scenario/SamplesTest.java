package io.simproc.scenario;

import io.simproc.kernel.Printk;
import io.simproc.record.Recorder;
import io.simproc.record.SeriesSet;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every sample of samples/scenarios runs offline with all its expectations passing, twice with the same seed giving
 * byte-identical proc trees at its end; and breaking the behaviour a sample demonstrates makes it fail.
 */
class SamplesTest {
    static final Path SAMPLES = Path.of("samples/scenarios");

    static List<Path> samples() throws IOException {
        try (Stream<Path> s = Files.list(SAMPLES)) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> everySamplePassesAndIsDeterministic() throws IOException {
        List<Path> samples = samples();
        assertFalse(samples.isEmpty());
        return samples.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            Scenario s = ScenarioFixture.load(p);
            ScenarioFixture first = ScenarioFixture.start(s, 7).toEnd();
            assertEquals(List.of(), first.problems(), p + " has failing expectations");
            assertTrue(first.engine.passed() > 0, p + " checks nothing");
            Map<String, String> tree = first.tree();
            ScenarioFixture second = ScenarioFixture.start(ScenarioFixture.load(p), 7).toEnd();
            Map<String, String> again = second.tree();
            assertEquals(tree.keySet(), again.keySet(), p + ": the same files");
            for (Map.Entry<String, String> e : tree.entrySet()) {
                assertEquals(e.getValue(), again.get(e.getKey()), p + ": " + e.getKey() + " differs between runs");
            }
        }));
    }

    /**
     * A sample with {@code from} replaced by {@code to}, as t.yaml. The sample must still contain {@code from}, so
     * that a changed sample cannot make its break test pass vacuously.
     */
    private static Scenario broken(String sample, String from, String to) throws IOException {
        String text = Files.readString(SAMPLES.resolve(sample));
        assertTrue(text.contains(from), sample + " no longer contains: " + from);
        return new ScenarioParser(StepRegistry.standard()).parse("t.yaml", text.replace(from, to), SAMPLES);
    }

    @Test
    void everySampleSaysWhatToRunWatchAndSee() throws IOException {
        for (Path p : samples()) {
            String text = Files.readString(p);
            String name = p.getFileName().toString();
            assertTrue(text.startsWith("# " + name.replace(".yaml", "") + ": "), name + " starts with its title");
            for (String part : List.of("# Run:    simproc ctl ./mnt apply samples/scenarios/" + name, "# Watch:",
                    "# See:")) {
                assertTrue(text.contains(part), name + " header lacks '" + part + "'");
            }
        }
    }

    /**
     * Each header's "Chart:" command names series the sample's machine shows: parsed against the scenario (process
     * names) and checked on its booted machine (fields), as {@code run --plot} checks them before anything runs.
     */
    @TestFactory
    Stream<DynamicTest> everySamplesChartCommandNamesSeriesItsMachineShows() throws IOException {
        return samples().stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            String text = Files.readString(p);
            int chart = text.indexOf("\n# Chart:  simproc ");
            assertTrue(chart >= 0, p + " header lacks '# Chart:  simproc ...'");
            String command = text.substring(chart + 1, text.indexOf("\n# Watch:", chart)).replaceAll("\n#\\s+", " ");
            assertTrue(command.contains(" samples/scenarios/" + p.getFileName() + " ") && command.contains(" --plot "),
                    command);
            Matcher m = Pattern.compile("--series (?:'([^']*)'|(\\S+))").matcher(command);
            assertTrue(m.find(), command);
            String list = m.group(1) != null ? m.group(1) : m.group(2);
            Scenario s = ScenarioFixture.load(p);
            SeriesSet series = SeriesSet.parse(SeriesSet.split(list), s);
            ScenarioFixture f = ScenarioFixture.start(s, 1);
            new Recorder(f.run, series, 100, Map.of());
        }));
    }

    @Test
    void heapExpectationFailsWhenTheChunksCrossTheMmapThreshold() throws IOException {
        Scenario s = broken("malloc-brk-vs-mmap.yaml",
                "malloc: {process: small, size: 100M, chunk: 64K",
                "malloc: {process: small, size: 100M, chunk: 128K");
        ScenarioFixture f = ScenarioFixture.start(s, 7).toEnd();
        List<String> problems = f.problems();
        assertTrue(problems.stream().anyMatch(l -> l.startsWith("FAIL  at 3s     t.yaml:26:9  PID(process=small)"
                + ".smaps(\"[heap]\").Rss >= 100M  (0 >= 100.0M)")), String.join("\n", problems));
    }

    @Test
    void cowExpectationFailsWhenTheChildOnlyReads() throws IOException {
        String text = Files.readString(SAMPLES.resolve("fork-cow-pss.yaml"))
                .replaceFirst("touch: \\{process: child, name: buf, size: 50%}",
                        "touch: {process: child, name: buf, size: 50%, access: read}");
        ScenarioFixture f = ScenarioFixture.start(ScenarioFixture.parse(text), 7).toEnd();
        assertTrue(f.problems().contains("FAIL  at 5s     t.yaml:33:9  PID(process=child).smaps_rollup.Private_Dirty"
                + " >= 100M  (0 >= 100.0M)"), String.join("\n", f.problems()));
    }

    @Test
    void compactionRecoversFullyWithoutTheKmallocChurn() throws IOException {
        Scenario s = broken("fragmentation-then-compact.yaml",
                "kmalloc: {size: 4K, count: 64000, keep: 1%}",
                "sync:");
        ScenarioFixture f = ScenarioFixture.start(s, 7).toEnd();
        assertTrue(f.problems().contains("FAIL  at 11s    t.yaml:74:9  buddyinfo(zone=DMA32).order9 + 2 *"
                + " buddyinfo(zone=DMA32).order10 < 90  (146 < 90)"), String.join("\n", f.problems()));
    }

    @Test
    void theHugetlbPoolReachesItsSizeWithoutTheKmallocChurn() throws IOException {
        Scenario s = broken("hugetlb-pool-fragmentation.yaml",
                "kmalloc: {size: 4K, count: 64000, keep: 1%}",
                "sync:");
        ScenarioFixture f = ScenarioFixture.start(s, 7).toEnd();
        assertTrue(f.problems().stream().anyMatch(l -> l.contains("meminfo.HugePages_Total < 350  (400 < 350)")),
                String.join("\n", f.problems()));
    }

    @Test
    void theSecondHugetlbMappingFailsWithoutOvercommit() throws IOException {
        Scenario s = broken("hugetlb-mapping.yaml", "sysctl: {vm.nr_overcommit_hugepages: 16}", "sync:");
        ScenarioFixture f = ScenarioFixture.start(s, 7).toEnd();
        assertTrue(f.problems().contains("ERROR at 4s     t.yaml:59:5  mmap 64M of hugetlb memory in batch  (mmap 64M"
                + " of hugetlb memory in batch: Cannot allocate memory)"), String.join("\n", f.problems()));
        assertTrue(f.problems().stream().anyMatch(l -> l.contains("meminfo.HugePages_Surp == 16  (0 == 16)")),
                String.join("\n", f.problems()));
    }

    @Test
    void aPreferredPolicyMissesWhereABindDoesNot() throws IOException {
        Scenario s = broken("numa-fallback.yaml", "mempolicy: \"bind:1\"", "mempolicy: \"prefer:0\"");
        ScenarioFixture f = ScenarioFixture.start(s, 7).toEnd();
        assertTrue(f.problems().stream().anyMatch(l -> l.startsWith("FAIL  at 6s     t.yaml:56:9  vmstat.numa_miss =="
                + " $miss")), String.join("\n", f.problems()));
    }

    @Test
    void strictOvercommitExpectationFailsInTheHeuristicMode() throws IOException {
        Scenario s = broken("overcommit-strict.yaml",
                "sysctl: {vm.overcommit_memory: 2}",
                "sysctl: {vm.overcommit_memory: 0}");
        ScenarioFixture f = ScenarioFixture.start(s, 7).toEnd();
        assertTrue(f.problems().contains("FAIL  at 2s     t.yaml:33:5  malloc 600M in app fails with ENOMEM  (it"
                + " succeeded)"), String.join("\n", f.problems()));
    }

    @Test
    void theOomReportParsesAndNamesTheLeakNotTheExemptDatabase() throws IOException {
        ScenarioFixture f = ScenarioFixture.start(ScenarioFixture.load(SAMPLES.resolve("oom-killer.yaml")), 7).toEnd();
        int leaky = f.run.lastProcess("leaky").pid();
        int db = f.run.lastProcess("db").pid();
        List<String> log = f.kernel.read(k -> k.log().records().stream().map(Printk.Record::text).toList());
        int invoked = log.indexOf("leaky invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0,"
                + " oom_score_adj=0");
        assertTrue(invoked >= 0, String.join("\n", log));
        assertEquals("Mem-Info:", log.get(invoked + 1));
        int table = log.indexOf("Tasks state (memory values in pages):");
        assertTrue(table > invoked, "the task table follows the Mem-Info");
        assertEquals("[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents"
                + " oom_score_adj name", log.get(table + 1));
        Pattern row = Pattern.compile("\\[ *(\\d+)\\] +(\\d+) +(\\d+) +(\\d+) +(\\d+) +(\\d+) +(\\d+) +(\\d+)"
                + " +(\\d+) +(\\d+) +(-?\\d+) (\\S+)");
        Map<String, Matcher> rows = new java.util.HashMap<>();
        int i = table + 2;
        for (Matcher m; (m = row.matcher(log.get(i))).matches(); i++) {
            rows.put(m.group(12), m);
        }
        assertEquals(String.valueOf(db), rows.get("db").group(1));
        assertEquals("-1000", rows.get("db").group(11));
        assertTrue(Long.parseLong(rows.get("db").group(5)) > Long.parseLong(rows.get("leaky").group(5)),
                "db is the bigger task");
        assertEquals("oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,"
                + "task_memcg=/system.slice/python3.11.service,task=leaky,pid=" + leaky + ",uid=0", log.get(i));
        Matcher killed = Pattern.compile("Out of memory: Killed process (\\d+) \\((\\S+)\\) total-vm:(\\d+)kB,"
                + " anon-rss:(\\d+)kB, file-rss:(\\d+)kB, shmem-rss:(\\d+)kB, UID:(\\d+) pgtables:(\\d+)kB"
                + " oom_score_adj:(-?\\d+)").matcher(log.get(i + 1));
        assertTrue(killed.matches(), log.get(i + 1));
        assertEquals(String.valueOf(leaky), killed.group(1));
        assertEquals("leaky", killed.group(2));
        assertEquals(Long.parseLong(rows.get("leaky").group(6)) * 4, Long.parseLong(killed.group(4)),
                "anon-rss is the table's rss_anon in kB");
        assertEquals(1, log.stream().filter(l -> l.startsWith("Out of memory: Killed process")).count());
    }

    @Test
    void theContainerIsNotKilledUnderAFourGibLimit() throws IOException {
        Scenario s = broken("container-oom.yaml", "memory.max: 256M", "memory.max: 4G");
        List<String> problems = ScenarioFixture.start(s, 7).toEnd().problems();
        assertTrue(problems.stream().anyMatch(l -> l.contains("memory.events.oom_kill == 1  (0 == 1)")),
                String.join("\n", problems));
        assertTrue(problems.stream().anyMatch(l -> l.contains("vmstat.oom_kill == 1  (0 == 1)")),
                String.join("\n", problems));
    }

    @Test
    void theV1GrowerIsNotKilledUnderFourGibLimits() throws IOException {
        Scenario s = broken("cgroup-v1-limit.yaml", "memory.limit_in_bytes: 200M, memory.memsw.limit_in_bytes: 300M",
                "memory.limit_in_bytes: 4G, memory.memsw.limit_in_bytes: 4G");
        List<String> problems = ScenarioFixture.start(s, 7).toEnd().problems();
        assertTrue(problems.stream().anyMatch(l -> l.contains("memory.oom_control.oom_kill == 1  (0 == 1)")),
                String.join("\n", problems));
        assertTrue(problems.stream().anyMatch(l -> l.contains("memory.failcnt > 0")), String.join("\n", problems));
        assertTrue(problems.stream().anyMatch(l -> l.contains("vmstat.oom_kill == 1  (0 == 1)")),
                String.join("\n", problems));
    }

    @Test
    void theV1SamplesOomReportIsMemcg1s() throws IOException {
        ScenarioFixture f = ScenarioFixture.start(ScenarioFixture.load(SAMPLES.resolve("cgroup-v1-limit.yaml")), 7)
                .toEnd();
        int grower = f.run.lastProcess("grower").pid();
        List<String> log = f.kernel.read(k -> k.log().records().stream().map(Printk.Record::text).toList());
        int invoked = log.indexOf("grower invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0");
        assertTrue(invoked >= 0, String.join("\n", log));
        assertEquals(List.of(), f.problems());
        assertTrue(log.get(invoked + 1).matches("memory: usage \\d+kB, limit 204800kB, failcnt [1-9]\\d*"),
                log.get(invoked + 1));
        assertTrue(log.get(invoked + 2).matches("memory\\+swap: usage \\d+kB, limit 307200kB, failcnt [1-9]\\d*"),
                log.get(invoked + 2));
        assertTrue(log.get(invoked + 3).matches("kmem: usage [1-9]\\d*kB, limit 9007199254740988kB, failcnt 0"),
                log.get(invoked + 3));
        assertEquals("Memory cgroup stats for /acegroup:", log.get(invoked + 4));
        assertTrue(log.get(invoked + 5).startsWith("cache "), log.get(invoked + 5));
        assertTrue(log.contains("hierarchical_memory_limit 209715200"), String.join("\n", log));
        assertTrue(log.contains("hierarchical_memsw_limit 314572800"), String.join("\n", log));
        int table = log.indexOf("Tasks state (memory values in pages):");
        assertTrue(table > invoked);
        assertTrue(log.get(table + 2).endsWith(" grower"), "only the group's task: " + log.get(table + 2));
        assertEquals("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
                + "oom_memcg=/acegroup,task_memcg=/acegroup,task=grower,pid=" + grower + ",uid=0", log.get(table + 3));
        assertTrue(log.get(table + 4).startsWith("Memory cgroup out of memory: Killed process " + grower + " (grower)"),
                log.get(table + 4));
    }

    @Test
    void theContainersOomReportIsTheGroups() throws IOException {
        ScenarioFixture f = ScenarioFixture.start(ScenarioFixture.load(SAMPLES.resolve("container-oom.yaml")), 7)
                .toEnd();
        int leaky = f.run.lastProcess("leaky").pid();
        List<String> log = f.kernel.read(k -> k.log().records().stream().map(Printk.Record::text).toList());
        int invoked = log.indexOf("leaky invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0");
        assertTrue(invoked >= 0, String.join("\n", log));
        assertTrue(log.get(invoked + 1).matches("memory: usage 262144kB, limit 262144kB, failcnt \\d+"),
                log.get(invoked + 1));
        assertEquals("swap: usage 0kB, limit 0kB, failcnt 0", log.get(invoked + 2));
        assertEquals("Memory cgroup stats for /demo.slice/app:", log.get(invoked + 3));
        assertTrue(log.get(invoked + 4).startsWith("anon "), log.get(invoked + 4));
        int table = log.indexOf("Tasks state (memory values in pages):");
        assertTrue(table > invoked);
        assertTrue(log.get(table + 2).endsWith(" leaky"), "only the group's task: " + log.get(table + 2));
        assertEquals("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
                + "oom_memcg=/demo.slice/app,task_memcg=/demo.slice/app,task=leaky,pid=" + leaky + ",uid=0",
                log.get(table + 3));
        assertTrue(log.get(table + 4).startsWith("Memory cgroup out of memory: Killed process " + leaky + " (leaky)"),
                log.get(table + 4));
    }

    @Test
    void theReadersCacheIsNotHeldWithoutTheLimit() throws IOException {
        Scenario s = broken("page-cache-limit.yaml", "memory.max: 512M", "memory.max: max");
        List<String> problems = ScenarioFixture.start(s, 7).toEnd().problems();
        assertTrue(problems.stream().anyMatch(l -> l.contains("cgroup(\"/backup.slice\").memory.current <= 512M")),
                String.join("\n", problems));
        assertTrue(problems.stream().anyMatch(l -> l.contains("memory.events.max > 0  (0 > 0)")),
                String.join("\n", problems));
    }

    @Test
    void theGrowerIsNeitherReclaimedNorSlowedUnderAFourGibHigh() throws IOException {
        Scenario s = broken("memory-high-throttle.yaml", "memory.high: 128M", "memory.high: 4G");
        List<String> problems = ScenarioFixture.start(s, 7).toEnd().problems();
        for (String failed : List.of("memory.events.high > 0  (0 > 0)", "memory.current < 160M",
                "memory.pressure.some.avg10 > 30  (0 > 30)", "pressure.memory.some.avg10 > 5  (0 > 5)")) {
            assertTrue(problems.stream().anyMatch(l -> l.contains(failed)), failed + " in " + problems);
        }
    }

    @Test
    void withoutMemoryLowTheIdleDatabaseIsSwappedOut() throws IOException {
        Scenario s = broken("memory-low-protection.yaml", "memory.low: 256M", "memory.low: 0");
        List<String> problems = ScenarioFixture.start(s, 7).toEnd().problems();
        for (String failed : List.of("cgroup(\"/prod.slice\").memory.swap.current < 2M",
                "cgroup(\"/prod.slice\").memory.stat.anon > 230M", "cgroup(\"/prod.slice\").memory.stat.pgscan == 0")) {
            assertTrue(problems.stream().anyMatch(l -> l.contains(failed)), failed + " in " + problems);
        }
    }

    @Test
    void withoutTheExemptionTheBiggerDatabaseIsKilled() throws IOException {
        Scenario s = broken("oom-killer.yaml",
                "spawn: {name: db, program: postgres, oom_score_adj: -1000}",
                "spawn: {name: db, program: postgres, oom_score_adj: 0}");
        ScenarioFixture f = ScenarioFixture.start(s, 7).toEnd();
        int db = f.run.lastProcess("db").pid();
        assertTrue(f.problems().contains("ERROR at 5s     t.yaml:43:9  PID(process=db).status.VmRSS > 500M  (/proc/"
                + db + "/status: No such file)"), String.join("\n", f.problems()));
        List<String> log = f.kernel.read(k -> k.log().records().stream().map(Printk.Record::text).toList());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("Out of memory: Killed process " + db + " (db) ")),
                String.join("\n", log));
    }

    @Test
    void pageCacheExpectationFailsWithoutTheReader() throws IOException {
        Scenario s = broken("page-cache-growth.yaml",
                "  - read: {process: backup, path: /srv/backup/full.tar, size: 8G, rate: 300M/s}\n",
                "");
        ScenarioFixture f = ScenarioFixture.start(s, 7).until(12_000);
        assertEquals(List.of("FAIL  at 12s    t.yaml:29:9  meminfo.Cached - $cached > 3G"), failures(f),
                String.join("\n", f.problems()));
    }

    @Test
    void swappinessExpectationsFailWhenBothPhasesUseTheSameValue() throws IOException {
        Scenario s = broken("swappiness-10-vs-100.yaml",
                "sysctl: {vm.swappiness: 100}",
                "sysctl: {vm.swappiness: 10}");
        ScenarioFixture f = ScenarioFixture.start(s, 7).until(50_000);
        assertEquals(List.of("FAIL  at 50s    t.yaml:56:9  vmstat.pswpout - $out > 4 * $out10",
                "FAIL  at 50s    t.yaml:57:9  vmstat.pswpout - $out > 8000",
                "FAIL  at 50s    t.yaml:58:9  meminfo.Cached > $cached10 + 32M"), failures(f),
                String.join("\n", f.problems()));
    }

    @Test
    void dropCachesExpectationsFailWithoutTheDirtyWrite() throws IOException {
        Scenario s = broken("drop-caches.yaml",
                "  - write: {process: job, path: /srv/data/export.csv, size: 512M}\n",
                "");
        ScenarioFixture f = ScenarioFixture.start(s, 7).until(4_000);
        assertEquals(List.of("FAIL  at 2s     t.yaml:36:9  meminfo.Dirty >= 512M",
                "FAIL  at 4s     t.yaml:47:9  $cached - meminfo.Cached > 500M"), failures(f),
                String.join("\n", f.problems()));
    }

    @Test
    void dirtyWritebackExpectationsFailWhenDirtyRatioIsHigh() throws IOException {
        Scenario s = broken("dirty-writeback.yaml",
                "duration: 10s\n",
                "duration: 10s\nsysctl: {vm.dirty_ratio: 80}\n");
        ScenarioFixture f = ScenarioFixture.start(s, 7).until(5_000);
        assertEquals(List.of("FAIL  at 3s     t.yaml:35:9  meminfo.Dirty + meminfo.Writeback > 0.95 *"
                + " vmstat.nr_dirty_threshold * 4K"), failures(f),
                String.join("\n", f.problems()));
    }

    @Test
    void thpExpectationsFailWhenTheMachineRunsTheMadviseMode() throws IOException {
        Scenario s = broken("thp-fragmentation.yaml", "  thp: always\n", "  thp: madvise\n");
        ScenarioFixture f = ScenarioFixture.start(s, 7).until(2_000);
        assertEquals(List.of("FAIL  at 2s     t.yaml:37:9  vmstat.thp_fault_alloc == 31",
                "FAIL  at 2s     t.yaml:38:9  meminfo.AnonHugePages == 62M",
                "FAIL  at 2s     t.yaml:39:9  PID(process=e).smaps_rollup.AnonHugePages == 62M",
                "FAIL  at 2s     t.yaml:40:9  vmstat.nr_anon_transparent_hugepages == 31"), failures(f),
                String.join("\n", f.problems()));
    }

    @Test
    void withoutMadviseTheFragmentedMachineGivesNoHugePages() throws IOException {
        Scenario s = broken("thp-fragmentation.yaml", "advice: hugepage", "advice: normal");
        ScenarioFixture f = ScenarioFixture.start(s, 7).until(7_000);
        assertEquals(List.of("FAIL  at 7s     t.yaml:68:9  vmstat.compact_stall > $stall",
                "FAIL  at 7s     t.yaml:69:9  PID(process=g).smaps_rollup.AnonHugePages >= 50M"), failures(f),
                String.join("\n", f.problems()));
    }

    @Test
    void withKsmdStoppedNothingMerges() throws IOException {
        Scenario s = broken("ksm-dedup.yaml", "sleep_millisecs: 20, run: 1}", "sleep_millisecs: 20, run: 0}");
        assertEquals(NOTHING_MERGED, failures(ScenarioFixture.start(s, 7).until(10_000)));
    }

    @Test
    void withoutMadvMergeableNothingMerges() throws IOException {
        Scenario s = broken("ksm-dedup.yaml", "advice: mergeable", "advice: normal");
        assertEquals(NOTHING_MERGED, failures(ScenarioFixture.start(s, 7).until(10_000)));
    }

    @Test
    void aZramDeviceTooSmallSendsThePressureBackToTheDisk() throws IOException {
        Scenario s = broken("zram-vs-disk-swap.yaml", "disksize: 1G}", "disksize: 32M}");
        ScenarioFixture f = ScenarioFixture.start(s, 7).toEnd();
        assertEquals(List.of("FAIL  at 16s    t.yaml:52:9  zram0.mm_stat.orig_data_size > 150M",
                "FAIL  at 16s    t.yaml:55:9  pressure.io.some.total - $io < $disk_io / 20",
                "FAIL  at 16s    t.yaml:57:9  pressure.memory.some.total - $stall + pressure.io.some.total - $io"
                        + " < ($disk_stall + $disk_io) / 4"), failures(f), String.join("\n", f.problems()));
    }

    /** What ksm-dedup reports at 10s when ksmd had nothing to merge. */
    private static final List<String> NOTHING_MERGED = List.of("FAIL  at 10s    t.yaml:79:9  ksm.full_scans >= 2",
            "FAIL  at 10s    t.yaml:80:9  ksm.pages_shared == 4095",
            "FAIL  at 10s    t.yaml:81:9  ksm.pages_sharing == 9 * 4095",
            "FAIL  at 10s    t.yaml:82:9  meminfo.AnonPages < $anon_before - 140M",
            "FAIL  at 10s    t.yaml:83:9  PID(process=guest1).ksm_merging_pages == 4095",
            "FAIL  at 10s    t.yaml:84:9  PID(process=guest1).ksm_stat.ksm_process_profit > 0",
            "FAIL  at 10s    t.yaml:85:9  PID(process=guest1).smaps_rollup.KSM == 16380K",
            "FAIL  at 10s    t.yaml:86:9  PID(process=guest1).smaps_rollup.Pss_Anon < 16M / 10 + 2M");

    @Test
    void withMaxPtesNoneZeroKhugepagedLeavesTheSparseHeapAlone() throws IOException {
        Scenario s = broken("khugepaged-collapse.yaml", "scan_sleep_millisecs: 1000}",
                "scan_sleep_millisecs: 1000, max_ptes_none: 0}");
        ScenarioFixture f = ScenarioFixture.start(s, 7).until(10_000);
        assertEquals(List.of("FAIL  at 2.500s t.yaml:44:9  khugepaged.pages_collapsed >= 8",
                "FAIL  at 6s     t.yaml:48:9  khugepaged.pages_collapsed == 31",
                "FAIL  at 6s     t.yaml:49:9  vmstat.thp_collapse_alloc == 31",
                "FAIL  at 6s     t.yaml:51:9  meminfo.AnonHugePages == 62M",
                "FAIL  at 6s     t.yaml:52:9  PID(process=app).smaps_rollup.AnonHugePages == 62M",
                "FAIL  at 6s     t.yaml:53:9  meminfo.AnonPages >= $anon_before + 44M",
                "FAIL  at 6s     t.yaml:60:9  vmstat.thp_collapse_alloc == 38",
                "FAIL  at 6s     t.yaml:61:9  khugepaged.pages_collapsed == 31"), failures(f),
                String.join("\n", f.problems()));
    }

    @Test
    void withoutMadvHugepageNothingIsCollapsedByKhugepaged() throws IOException {
        Scenario s = broken("khugepaged-collapse.yaml", "name: heap, advice: hugepage", "name: heap, advice: normal");
        ScenarioFixture f = ScenarioFixture.start(s, 7).until(10_000);
        assertEquals(List.of("FAIL  at 2.500s t.yaml:44:9  khugepaged.pages_collapsed >= 8",
                "FAIL  at 6s     t.yaml:48:9  khugepaged.pages_collapsed == 31",
                "FAIL  at 6s     t.yaml:49:9  vmstat.thp_collapse_alloc == 31",
                "FAIL  at 6s     t.yaml:51:9  meminfo.AnonHugePages == 62M",
                "FAIL  at 6s     t.yaml:52:9  PID(process=app).smaps_rollup.AnonHugePages == 62M",
                "FAIL  at 6s     t.yaml:53:9  meminfo.AnonPages >= $anon_before + 44M",
                "FAIL  at 6s     t.yaml:54:9  khugepaged.full_scans >= 1",
                "FAIL  at 6s     t.yaml:60:9  vmstat.thp_collapse_alloc == 38",
                "FAIL  at 6s     t.yaml:61:9  khugepaged.pages_collapsed == 31"), failures(f),
                String.join("\n", f.problems()));
    }

    @Test
    void aLongtermPinLetsTheFirstCmaAllocationSucceed() throws IOException {
        Scenario s = broken("cma-dma.yaml", "  - at: 1s\n    pin: {process: app, name: buf}",
                "  - at: 1s\n    pin: {process: app, name: buf, longterm: true}");
        List<String> failed = failures(ScenarioFixture.start(s, 7).until(1_500));
        assertTrue(failed.containsAll(List.of(
                "FAIL  at 1s     t.yaml:43:5  dma_alloc 64M (order 14) by cam as frame fails with ENOMEM",
                "FAIL  at 1s     t.yaml:46:9  vmstat.cma_alloc_fail == 1",
                "FAIL  at 1s     t.yaml:47:9  vmstat.cma_alloc_success == 0")), String.join("\n", failed));
    }

    @Test
    void withoutPinsNothingBlocksTheCmaAllocation() throws IOException {
        Scenario s = broken("cma-dma.yaml",
                "pin: {process: app, name: buf}\n  - dma_alloc: {driver: cam, size: 64M, name: frame}",
                "dma_alloc: {driver: cam, size: 64M, name: frame}");
        List<String> failed = failures(ScenarioFixture.start(s, 7).until(1_500));
        assertTrue(failed.containsAll(List.of(
                "FAIL  at 1s     t.yaml:41:5  dma_alloc 64M (order 14) by cam as frame fails with ENOMEM",
                "FAIL  at 1s     t.yaml:45:9  vmstat.cma_alloc_fail == 1",
                "FAIL  at 1s     t.yaml:46:9  vmstat.cma_alloc_success == 0")), String.join("\n", failed));
    }

    /** The FAIL lines without the values compared, which move with any change in how reclaim weighs pages. */
    private static List<String> failures(ScenarioFixture f) {
        return f.problems().stream().map(l -> l.substring(0, l.lastIndexOf("  ("))).toList();
    }
}
