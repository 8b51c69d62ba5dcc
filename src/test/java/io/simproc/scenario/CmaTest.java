package io.simproc.scenario;

import io.simproc.kernel.Printk;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CMA area of a machine with {@code cma} (mm/cma.c, kernel/dma/contiguous.c): where boot places it and what it
 * logs, the files that show it (meminfo, zoneinfo, vmstat, pagetypeinfo, /sys/kernel/mm/cma), and cma_alloc() for
 * the dma_alloc step — movable pages migrated out, pinned ones making it fail, FOLL_LONGTERM pins moving pages out
 * of CMA first, cma_release() on dma_free.
 */
class CmaTest {
    private static final String MACHINE = """
            machine:
              memory: 1G
              cpu: 2
              cma: 64M
              processes:
                - program: systemd
                  args: [/sbin/init]
            """;

    private static List<String> dmesg(ScenarioFixture f) {
        return f.kernel.read(k -> k.log().records().stream().map(Printk.Record::text).toList());
    }

    private static String sys(ScenarioFixture f, String file) {
        return new String(f.run.sysFs().render((io.simproc.proc.ProcFile) f.run.sysFs().lookup(
                "/kernel/mm/cma/reserved/" + file, io.simproc.uapi.Credentials.ROOT), io.simproc.uapi.Credentials.ROOT),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void aSmallMachinesAreaIsTheTopOfMemoryAndTheFilesShowIt() {
        ScenarioFixture f = ScenarioFixture.start(ScenarioFixture.parse(MACHINE + "duration: 1s\n"), 1).toEnd();
        List<String> log = dmesg(f);
        assertTrue(log.stream().anyMatch(l -> l.matches("cma: Reserved 64 MiB at 0x000000003[0-9a-f]{7}")),
                String.join("\n", log));
        assertTrue(log.stream().anyMatch(l -> l.startsWith("Memory: ") && l.endsWith(", 65536K cma-reserved)")));
        assertTrue(log.stream().anyMatch(l -> l.startsWith("Command line: ") && l.endsWith(" cma=64M")));
        assertTrue(f.read("/meminfo").contains("\nCmaTotal:          65536 kB\n"), f.read("/meminfo"));
        assertTrue(f.read("/zoneinfo").contains("\n        cma      16384\n"));
        assertTrue(f.read("/pagetypeinfo").matches("(?s).*Node 0, zone    DMA32 +\\d+ +\\d+ +\\d+ +0 +32 +0 .*"),
                f.read("/pagetypeinfo"));
        assertEquals("16384\n", sys(f, "total_pages"));
        assertEquals("16384\n", sys(f, "available_pages"));
        assertEquals("0\n", sys(f, "alloc_pages_success"));
        assertEquals("0\n", sys(f, "alloc_pages_fail"));
        assertEquals("0\n", sys(f, "release_pages_success"));
    }

    @Test
    void aLargeMachinesAreaStartsAt4GiBAndAFixedOneWhereItIsTold() {
        ScenarioFixture f = ScenarioFixture.start(ScenarioFixture.parse(
                "machine:\n  memory: 8G\n  cma: 64M\nduration: 100ms\n"), 1).toEnd();
        assertTrue(dmesg(f).contains("cma: Reserved 64 MiB at 0x0000000100000000"));
        ScenarioFixture fixed = ScenarioFixture.start(ScenarioFixture.parse(
                "machine:\n  memory: 2G\n  cma: 32M@512M-544M\nduration: 100ms\n"), 1).toEnd();
        assertTrue(dmesg(fixed).contains("cma: Reserved 32 MiB at 0x0000000020000000"));
        assertTrue(dmesg(fixed).stream().anyMatch(l -> l.endsWith(" cma=32M@512M-544M")));
    }

    @Test
    void dmaAllocMigratesTheRunsPagesOutAndDmaFreeReleasesThem() {
        ScenarioFixture f = ScenarioFixture.start(ScenarioFixture.parse(MACHINE + """
                timeline:
                  - at: 500ms
                    spawn: {name: app, program: python3.11}
                  - malloc: {process: app, size: 850M, chunk: 10M, name: buf}
                  - touch: {process: app, name: buf}
                  - at: 1s
                    remember: {mig: vmstat.pgmigrate_success, cma_free: meminfo.CmaFree}
                  - expect: meminfo.CmaFree < 32M
                  - dma_alloc: {driver: cam, size: 32M, name: frame}
                  - expect:
                      - vmstat.cma_alloc_success == 1
                      - vmstat.pgmigrate_success > $mig
                  - at: 2s
                    dma_free: frame
                """), 3);
        f.until(1_500);
        assertEquals(List.of(), f.problems());
        assertEquals("8192\n", sys(f, "alloc_pages_success"));
        long cmaFreeKb = Long.parseLong(f.read("/meminfo").replaceAll("(?s).*\nCmaFree: +(\\d+) kB\n.*", "$1"));
        assertTrue(f.read("/vmstat").contains("\nnr_free_cma " + cmaFreeKb / 4 + "\n"),
                "vmstat's nr_free_cma is CmaFree");
        assertTrue(f.read("/zoneinfo").contains("\n      nr_free_cma  " + cmaFreeKb / 4 + "\n"),
                "DMA32's nr_free_cma is all of it");
        assertEquals("8192\n", sys(f, "available_pages"));
        f.until(2_500);
        assertEquals("8192\n", sys(f, "release_pages_success"));
        assertEquals("16384\n", sys(f, "available_pages"));
    }

    @Test
    void shortTermPinsMakeItFailAndLongTermPinsLeaveTheArea() {
        ScenarioFixture f = ScenarioFixture.start(ScenarioFixture.parse(MACHINE + """
                timeline:
                  - at: 500ms
                    spawn: {name: app, program: python3.11}
                  - malloc: {process: app, size: 850M, chunk: 10M, name: buf}
                  - touch: {process: app, name: buf}
                  - at: 1s
                    pin: {process: app, name: buf}
                  - dma_alloc: {driver: cam, size: 64M, name: frame}
                    fails: ENOMEM
                  - unpin: {process: app, name: buf}
                  - free: {process: app, name: buf, count: 40}
                  - pin: {process: app, name: buf, longterm: true}
                  - dma_alloc: {driver: cam, size: 64M, name: frame2}
                  - expect: vmstat.cma_alloc_success == 1    # the whole area: no pinned page is left in it
                """), 3);
        f.until(1_500);
        assertEquals(List.of(), f.problems());
        assertEquals("16384\n", sys(f, "alloc_pages_fail"));
        List<String> log = dmesg(f);
        assertTrue(log.contains("cma: __cma_alloc: reserved: alloc failed, req-size: 16384 pages, ret: -16"),
                String.join("\n", log));
        int at = log.indexOf("cma: __cma_alloc: reserved: alloc failed, req-size: 16384 pages, ret: -16");
        assertEquals(List.of("cma: number of available pages: ", "cma: range 0: 16384@0", "cma: ",
                "=> 16384 free of 16384 total pages"), log.subList(at + 1, at + 5));
    }
}
