package io.simproc.scenario;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What each step does to the machine, seen through the proc files, on a small machine. */
class StepsTest {
    private static final String DB = """
            timeline:
              - at: 1s
                spawn: {name: db, program: postgres, uid: 106, oom_score_adj: -900, cmdline: "postgres -D /data"}
            """;

    private static List<String> lines(ScenarioFixture f) {
        return f.outcomes().stream().map(Outcome::line).toList();
    }

    @Test
    void spawnSetsIdentityAndExpectationsSeeIt() {
        ScenarioFixture f = ScenarioFixture.small(DB + """
                  - at: 2s
                    expect:
                      - PID(process=db).status.Uid == 106
                      - PID(process=db).oom_score_adj == -900
                      - PID(name=db).status.PPid == 1
                      - PID(pid=1).status.Pid == 1
                """).toEnd();
        assertEquals(List.of(), f.problems());
        assertEquals(4, f.engine.passed());
        int pid = f.run.lastProcess("db").pid();
        assertEquals("postgres\0-D\0/data\0", f.read("/" + pid + "/cmdline"));
    }

    @Test
    void touchAtARateSpreadsTheFaultsOverTime() {
        ScenarioFixture f = ScenarioFixture.small(DB + """
                  - malloc: {process: db, size: 40M, name: buf}
                  - at: 2s
                    touch: {process: db, name: buf, rate: 20M/s}
                  - at: 3s
                    expect: PID(process=db).smaps_rollup.Anonymous < 25M
                  - at: 4100ms
                    expect: PID(process=db).smaps_rollup.Anonymous > 40M
                """);
        f.until(3000);
        assertEquals(1, f.engine.workloads().size(), "the touch runs as a workload");
        assertTrue(f.engine.workloads().get(0).startsWith("touch (write) buf in db at 20M/s: "),
                f.engine.workloads().toString());
        f.toEnd();
        assertEquals(List.of(), f.problems());
        assertEquals(List.of(), f.engine.workloads(), "done after 2 s");
    }

    @Test
    void aWorkloadWhoseProcessDiesReportsItAtItsEntry() {
        ScenarioFixture f = ScenarioFixture.small(DB + """
                  - malloc: {process: db, size: 40M, name: buf}
                  - at: 2s
                    touch: {process: db, name: buf, rate: 10M/s}
                  - at: 3s
                    kill: db
                """).toEnd().until(4000);
        List<String> l = lines(f);
        assertEquals(1, l.size(), l.toString());
        assertTrue(l.get(0).matches("ERROR at 3s +t\\.yaml:14:5  touch \\(write\\) buf in db at 10M/s: 10M of 40M"
                + "  \\(process 'db' \\(pid \\d+\\) has exited\\)"), l.get(0));
        assertEquals(List.of(), f.engine.workloads());
    }

    @Test
    void randomReadsOfAPrivateFileMappingFillThePageCache() {
        ScenarioFixture f = ScenarioFixture.small(DB + """
                  - mmap: {process: db, name: data, path: /var/lib/pg/base.dat, size: 64M}
                  - at: 2s
                    expect: PID(process=db).smaps("/var/lib/pg/base.dat").Rss == 0
                  - touch: {process: db, name: data, access: read, order: random, size: 8M}
                  - at: 3s
                    expect:
                      - PID(process=db).smaps("/var/lib/pg/base.dat").Rss > 4M
                      - PID(process=db).smaps("/var/lib/pg/base.dat").Rss <= 8M
                      - PID(process=db).smaps("/var/lib/pg/base.dat").Anonymous == 0
                """).toEnd();
        assertEquals(List.of(), f.problems());
    }

    @Test
    void mlockAndMadvise() {
        ScenarioFixture f = ScenarioFixture.small(DB + """
                  - malloc: {process: db, size: 8M, name: buf, write: true}
                  - mlock: {process: db, name: buf}
                  - at: 2s
                    expect: PID(process=db).status.VmLck >= 8M
                  - munlock: {process: db, name: buf}
                  - madvise: {process: db, name: buf, advice: dontneed}
                  - at: 3s
                    expect:
                      - PID(process=db).status.VmLck == 0
                      - PID(process=db).status.RssAnon < 2M
                """).toEnd();
        assertEquals(List.of(), f.problems());
    }

    @Test
    void forkExecExitAndKill() {
        ScenarioFixture f = ScenarioFixture.small(DB + """
                  - fork: {process: db, name: worker, args: ["postgres: worker"]}
                  - fork: {process: db, name: sh, exec: dash, args: [sh, -c, "sleep 9"]}
                  - at: 2s
                    expect:
                      - PID(process=worker).status.PPid == PID(process=db).status.Pid
                      - PID(name=sh).status.PPid == PID(process=db).status.Pid
                  - exit: {process: sh, code: 3}
                  - kill: {process: worker, signal: TERM}
                  - kill: {pid: 1}
                  - at: 3s
                    exit: worker
                """).toEnd();
        String db = String.valueOf(f.run.lastProcess("db").pid());
        assertEquals(List.of(
                "PASS  at 2s     t.yaml:17:9  PID(process=worker).status.PPid == PID(process=db).status.Pid  (" + db
                        + " == " + db + ")",
                "PASS  at 2s     t.yaml:18:9  PID(name=sh).status.PPid == PID(process=db).status.Pid  (" + db + " == "
                        + db + ")",
                "ERROR at 2s     t.yaml:21:5  kill -9 1  (kill -9 1: pid 1 (systemd) ignores the signal, as init and"
                        + " kernel threads do)",
                "ERROR at 3s     t.yaml:22:5  exit worker (0)  (process 'worker' (pid " + f.run.lastProcess("worker")
                        .pid() + ") has exited)"), lines(f));
        assertEquals("dash", f.run.lastProcess("sh").exe().substring(f.run.lastProcess("sh").exe().lastIndexOf('/')
                + 1));
    }

    @Test
    void sysctlWritesThroughProcSysAndARefusedValueIsAFailedStep() {
        ScenarioFixture f = ScenarioFixture.small("""
                sysctl:
                  vm.min_free_kbytes: 32768
                timeline:
                  - expect: sys.vm.min_free_kbytes == 32768
                  - sysctl: {vm.watermark_scale_factor: 5000}
                  - expect: sys.vm.watermark_scale_factor == 10
                """).toEnd();
        assertEquals(List.of(
                "PASS  at 0s     t.yaml:13:13  sys.vm.min_free_kbytes == 32768  (32768 == 32768)",
                "ERROR at 0s     t.yaml:14:5  sysctl vm.watermark_scale_factor=5000  (sysctl"
                        + " vm.watermark_scale_factor = 5000: Invalid argument)",
                "PASS  at 0s     t.yaml:15:13  sys.vm.watermark_scale_factor == 10  (10 == 10)"), lines(f));
    }

    @Test
    void everyRepeatsAndForBoundsIt() {
        ScenarioFixture f = ScenarioFixture.small(DB + """
                  - at: 2s
                    every: 500ms
                    repeat: 3
                    malloc: {process: db, size: 1M, write: true}
                  - at: 2s
                    every: 1s
                    for: 2500ms
                    expect: meminfo.MemTotal > 0
                """).toEnd();
        assertEquals(3, f.engine.passed(), "at 2s, 3s and 4s");
        assertEquals(4000, f.run.scenario().endMillis());
    }

    @Test
    void expressionsDoArithmeticAndReadParenthesisedFields() {
        ScenarioFixture f = ScenarioFixture.small("""
                timeline:
                  - expect:
                      - meminfo.Active(anon) + meminfo.Inactive(anon) > 0
                      - meminfo.MemTotal / 1K == sys.vm.min_free_kbytes * 0 + meminfo.MemTotal / 1024
                      - (meminfo.MemFree - meminfo.MemTotal) * -1 > 0
                      - vmstat.nr_free_pages * 4K == meminfo.MemFree
                      - meminfo.NoSuchField > 0
                """).toEnd();
        List<String> l = lines(f);
        assertEquals(5, l.size());
        assertTrue(l.subList(0, 4).stream().allMatch(s -> s.startsWith("PASS")), String.join("\n", l));
        assertEquals("ERROR at 0s     t.yaml:16:9  meminfo.NoSuchField > 0  (/proc/meminfo has no field"
                + " 'NoSuchField')", l.get(4));
    }

    @Test
    void zoneinfoBuddyinfoAndSlabinfoValuesAgreeWithTheFilesTheyComeFrom() {
        ScenarioFixture f = ScenarioFixture.small("""
                timeline:
                  - expect:
                      - zoneinfo(zone=Normal).free + zoneinfo(zone=DMA32).free + zoneinfo(zone=DMA).free == vmstat.nr_free_pages
                      - zoneinfo(node=0, zone=DMA32).high > zoneinfo(zone=DMA32).low
                      - zoneinfo(zone=DMA32).low > zoneinfo(zone=DMA32).min
                      - zoneinfo(zone=DMA).nr_inactive_file == vmstat.nr_inactive_file
                      - buddyinfo(zone=DMA).order10 * 1024 <= zoneinfo(zone=DMA).free
                      - slabinfo(dentry).active_objs <= slabinfo(dentry).num_objs
                      - slabinfo(dentry).active_objs > 0
                      - slabinfo("kmalloc-64").objsize == 64
                      - zoneinfo(zone=Normal).no_such_line > 0
                      - slabinfo(no_such_cache).num_objs > 0
                """).toEnd();
        List<String> l = lines(f);
        assertTrue(l.subList(0, 8).stream().allMatch(s -> s.startsWith("PASS")), String.join("\n", l));
        assertTrue(l.get(8).endsWith("(/proc/zoneinfo has no field 'no_such_line' in node 0, zone Normal)"), l.get(8));
        assertTrue(l.get(9).endsWith("(/proc/slabinfo has no cache 'no_such_cache')"), l.get(9));
    }

    @Test
    void buddyinfoOrdersSumToTheFreePagesOfTheZone() {
        StringBuilder sum = new StringBuilder();
        for (int o = 0; o <= 10; o++) {
            sum.append(o == 0 ? "" : " + ").append("buddyinfo(zone=DMA32).order").append(o).append(" * ").append(1 << o);
        }
        ScenarioFixture f = ScenarioFixture.small("timeline:\n  - expect: " + sum + " == zoneinfo(zone=DMA32).free\n")
                .toEnd();
        assertEquals(1, f.engine.passed(), String.join("\n", lines(f)));
    }

    @Test
    void rememberKeepsValuesThatLaterExpectationsCompareWith() {
        ScenarioFixture f = ScenarioFixture.small(DB + """
                  - remember: {rss: PID(process=db).status.VmRSS, faults: vmstat.pgfault, twice: 2 * meminfo.MemTotal}
                  - malloc: {process: db, size: 40M, name: buf, write: true}
                  - at: 2s
                    expect:
                      - PID(process=db).status.VmRSS - $rss >= 40M
                      - vmstat.pgfault - $faults >= 10240
                      - $twice == 2 * meminfo.MemTotal
                      - $rss > PID(process=db).status.VmRSS
                  - remember: {rss: PID(process=db).status.VmRSS}
                  - free: {process: db, name: buf}
                  - at: 3s
                    expect: $rss - PID(process=db).status.VmRSS >= 40M
                """).toEnd();
        List<String> l = lines(f);
        assertEquals(5, l.size(), String.join("\n", l));
        assertTrue(l.get(0).startsWith("PASS  at 2s     t.yaml:17:9  PID(process=db).status.VmRSS - $rss >= 40M  ("),
                l.get(0));
        assertTrue(l.get(3).startsWith("FAIL  at 2s     t.yaml:20:9  $rss > PID(process=db).status.VmRSS  ("), l.get(3));
        assertTrue(l.get(4).startsWith("PASS  at 3s"), l.get(4));
        assertEquals(4, f.engine.passed());
    }

    @Test
    void aRememberedValueThatCannotBeReadIsAFailedStepAndItsUsersAreErrors() {
        ScenarioFixture f = ScenarioFixture.small("""
                timeline:
                  - remember: {x: meminfo.MemTotal}
                  - remember: {x: meminfo.NoSuchField}
                  - expect: $x > 0
                """).toEnd();
        assertEquals(List.of("ERROR at 0s     t.yaml:12:5  remember x = meminfo.NoSuchField  (remember x: /proc/meminfo"
                + " has no field 'NoSuchField')", "ERROR at 0s     t.yaml:13:13  $x > 0  ($x has no value: its remember"
                + " step has not run or failed)"), lines(f));
    }
}
