package io.simproc.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Prometheus loads simproc's OpenMetrics export: {@code promtool tsdb create-blocks-from openmetrics} (Debian's
 * prometheus package, which install-deps installs) accepts the file of {@code simproc run --record X.om} and the
 * blocks it writes hold as many series and samples as the file has.
 */
class PromtoolIT {
    private static final String PROMTOOL = "/usr/bin/promtool";

    @Test
    void promtoolLoadsEverySeriesAndSampleOfTheExport(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(Path.of(PROMTOOL)), PROMTOOL + " is not installed");
        Path om = tmp.resolve("oom.om");
        Path scenario = MountedMachine.basedir().resolve("samples/scenarios/oom-killer.yaml");
        Exec.run(List.of("java", "-jar", MountedMachine.jar().toString(), "run", scenario.toString(), "--record",
                om.toString(), "--every", "250ms", "--epoch", "2026-01-01T00:00:00Z", "--series",
                String.join(",", List.of("meminfo.MemFree", "meminfo.Active(anon)", "vmstat.oom_kill",
                        "pressure.memory.some.total", "pressure.memory.some.avg10", "rate(vmstat.pgfault)",
                        "PID(process=leaky).status.VmRSS")), "-q"), 120).assertOk("simproc run --record");
        int samples = 0;
        Set<String> series = new HashSet<>();
        for (String line : Files.readAllLines(om)) {
            if (!line.startsWith("#")) {
                samples++;
                series.add(line.substring(0, line.indexOf('}') + 1));
            }
        }
        assertEquals(7, series.size(), "one labelled series per recorded series");
        Exec.Result r = Exec.run(List.of(PROMTOOL, "tsdb", "create-blocks-from", "openmetrics", om.toString(),
                tmp.resolve("blocks").toString()), 120).assertOk("promtool tsdb create-blocks-from openmetrics");
        List<String[]> blocks = new ArrayList<>();
        for (String line : r.out().lines().toList()) {
            String[] w = line.trim().split("\\s+");
            if (w.length == 8 && w[0].matches("[0-9A-Z]{26}")) {
                blocks.add(w);
            }
        }
        assertEquals(1, blocks.size(), "6 s of samples from an hour's start fit one block:\n" + r.out());
        String[] b = blocks.get(0);
        assertEquals(samples, Long.parseLong(b[4]), "NUM SAMPLES\n" + r.out());
        assertEquals(series.size(), Long.parseLong(b[6]), "NUM SERIES\n" + r.out());
        assertEquals(Long.toString(1_767_225_600_000L), b[1], "MIN TIME: scenario time 0 at --epoch");
        assertTrue(samples > 7 * 20, "samples every 250ms for 6s: " + samples);
    }
}
