package io.simproc.record;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** CSV and OpenMetrics text of a recording, and the choice between them by extension. */
class RecordingFilesTest {
    private static Recording sample() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("vm.swappiness", "10");
        labels.put("note", "a \"quoted\" \\ value");
        Recording r = new Recording(List.of(
                new Recording.Series("meminfo.MemFree", "bytes", "memory"),
                new Recording.Series("meminfo.Active(anon)", "bytes", "memory"),
                new Recording.Series("vmstat.pswpout", "pages", "swap"),
                new Recording.Series("pressure.memory.some.total", "us", "pressure"),
                new Recording.Series("pressure.memory.full.avg10", "percent", "pressure"),
                new Recording.Series("zoneinfo(node=0, zone=Normal).free", "number", "zoneinfo"),
                new Recording.Series("cgroup(\"/a\").memory.max", "number", "cgroup"),
                new Recording.Series("rate(vmstat.pgfault)", "number/s", "other"),
                new Recording.Series("meminfo.SwapTotal - meminfo.SwapFree", "bytes", "swap")), labels);
        r.add(0, new double[] {1048576, 4096, 0, 1500000, 0.25, 7, Double.POSITIVE_INFINITY, Double.NaN, 0});
        r.add(1500, new double[] {524288, 8192, 3, 2000001, 1.5, 9, 268435456, 1.0 / 3, 4096});
        return r;
    }

    @Test
    void csvHasAHeaderWithUnitsAndExactValues() throws Exception {
        StringWriter w = new StringWriter();
        CsvWriter.write(sample(), w);
        assertEquals("""
                time_s,meminfo.MemFree (bytes),meminfo.Active(anon) (bytes),vmstat.pswpout (pages),\
                pressure.memory.some.total (us),pressure.memory.full.avg10 (percent),\
                "zoneinfo(node=0, zone=Normal).free (number)","cgroup(""/a"").memory.max (number)",\
                rate(vmstat.pgfault) (number/s),meminfo.SwapTotal - meminfo.SwapFree (bytes)
                0.000,1048576,4096,0,1500000,0.25,7,+Inf,,0
                1.500,524288,8192,3,2000001,1.5,9,268435456,0.3333333333333333,4096
                """, w.toString());
    }

    @Test
    void openMetricsUsesNodeExporterNamesAndTheSimulatedClock() throws Exception {
        StringWriter w = new StringWriter();
        Map<String, String> target = new LinkedHashMap<>();
        target.put("job", "simproc");
        target.put("instance", "box");
        OpenMetricsWriter.write(sample(), 1_767_225_600_000L, target, w);
        String l = "{job=\"simproc\",instance=\"box\",vm_swappiness=\"10\",note=\"a \\\"quoted\\\" \\\\ value\"}";
        assertEquals("""
                # TYPE node_memory_MemFree_bytes gauge
                # UNIT node_memory_MemFree_bytes bytes
                # HELP node_memory_MemFree_bytes simproc series meminfo.MemFree [bytes], group memory
                node_memory_MemFree_bytesL 1048576 1767225600.000
                node_memory_MemFree_bytesL 524288 1767225601.500
                # TYPE node_memory_Active_anon_bytes gauge
                # UNIT node_memory_Active_anon_bytes bytes
                # HELP node_memory_Active_anon_bytes simproc series meminfo.Active(anon) [bytes], group memory
                node_memory_Active_anon_bytesL 4096 1767225600.000
                node_memory_Active_anon_bytesL 8192 1767225601.500
                # TYPE node_vmstat_pswpout unknown
                # HELP node_vmstat_pswpout simproc series vmstat.pswpout [pages], group swap
                node_vmstat_pswpoutL 0 1767225600.000
                node_vmstat_pswpoutL 3 1767225601.500
                # TYPE node_pressure_memory_waiting_seconds counter
                # UNIT node_pressure_memory_waiting_seconds seconds
                # HELP node_pressure_memory_waiting_seconds simproc series pressure.memory.some.total [us], group \
                pressure (recorded in us, exported in seconds)
                node_pressure_memory_waiting_seconds_totalL 1.5 1767225600.000
                node_pressure_memory_waiting_seconds_totalL 2.000001 1767225601.500
                # TYPE simproc_pressure_memory_full_avg10_percent gauge
                # UNIT simproc_pressure_memory_full_avg10_percent percent
                # HELP simproc_pressure_memory_full_avg10_percent simproc series pressure.memory.full.avg10 \
                [percent], group pressure
                simproc_pressure_memory_full_avg10_percentL 0.25 1767225600.000
                simproc_pressure_memory_full_avg10_percentL 1.5 1767225601.500
                # TYPE simproc_zoneinfo_node_0_zone_Normal_free gauge
                # HELP simproc_zoneinfo_node_0_zone_Normal_free simproc series zoneinfo(node=0, zone=Normal).free \
                [number], group zoneinfo
                simproc_zoneinfo_node_0_zone_Normal_freeL 7 1767225600.000
                simproc_zoneinfo_node_0_zone_Normal_freeL 9 1767225601.500
                # TYPE simproc_cgroup_a_memory_max gauge
                # HELP simproc_cgroup_a_memory_max simproc series cgroup("/a").memory.max [number], group cgroup
                simproc_cgroup_a_memory_maxL +Inf 1767225600.000
                simproc_cgroup_a_memory_maxL 268435456 1767225601.500
                # TYPE simproc_rate_vmstat_pgfault_per_second gauge
                # UNIT simproc_rate_vmstat_pgfault_per_second per_second
                # HELP simproc_rate_vmstat_pgfault_per_second simproc series rate(vmstat.pgfault) [number/s], \
                group other
                simproc_rate_vmstat_pgfault_per_secondL 0.3333333333333333 1767225601.500
                # TYPE simproc_memory_swap_used_bytes gauge
                # UNIT simproc_memory_swap_used_bytes bytes
                # HELP simproc_memory_swap_used_bytes simproc series meminfo.SwapTotal - meminfo.SwapFree [bytes], \
                group swap
                simproc_memory_swap_used_bytesL 0 1767225600.000
                simproc_memory_swap_used_bytesL 4096 1767225601.500
                # EOF
                """.replace("L ", l + " "), w.toString());
    }

    @Test
    void expressionsThatSanitizeAlikeGetNumberedFamilies() throws Exception {
        Recording r = new Recording(List.of(new Recording.Series("meminfo.Cached + meminfo.Dirty", "bytes", "m"),
                new Recording.Series("meminfo.Cached+meminfo.Dirty ", "bytes", "m")), Map.of());
        r.add(0, new double[] {1, 2});
        StringWriter w = new StringWriter();
        OpenMetricsWriter.write(r, 0, Map.of(), w);
        assertEquals("""
                # TYPE simproc_meminfo_Cached_plus_meminfo_Dirty_bytes gauge
                # UNIT simproc_meminfo_Cached_plus_meminfo_Dirty_bytes bytes
                # HELP simproc_meminfo_Cached_plus_meminfo_Dirty_bytes simproc series meminfo.Cached + meminfo.Dirty \
                [bytes], group m
                simproc_meminfo_Cached_plus_meminfo_Dirty_bytes 1 0.000
                # TYPE simproc_meminfo_Cached_plus_meminfo_Dirty_2_bytes gauge
                # UNIT simproc_meminfo_Cached_plus_meminfo_Dirty_2_bytes bytes
                # HELP simproc_meminfo_Cached_plus_meminfo_Dirty_2_bytes simproc series meminfo.Cached+meminfo.Dirty  \
                [bytes], group m
                simproc_meminfo_Cached_plus_meminfo_Dirty_2_bytes 2 0.000
                # EOF
                """, w.toString());
    }

    @Test
    void theExtensionChoosesTheFormat(@TempDir Path tmp) throws Exception {
        assertEquals(RecordingFiles.Format.CSV, RecordingFiles.formatOf(Path.of("a/b.CSV")));
        assertEquals(RecordingFiles.Format.OPENMETRICS, RecordingFiles.formatOf(Path.of("b.om")));
        assertEquals(RecordingFiles.Format.OPENMETRICS, RecordingFiles.formatOf(Path.of("b.txt")));
        assertEquals("r.json: unknown recording format (name it .csv for CSV, .om or .txt for OpenMetrics)",
                assertThrows(IllegalArgumentException.class, () -> RecordingFiles.formatOf(Path.of("r.json")))
                        .getMessage());
        Path f = tmp.resolve("r.csv");
        RecordingFiles.write(f, sample(), 0, Map.of());
        StringWriter w = new StringWriter();
        CsvWriter.write(sample(), w);
        assertEquals(w.toString(), Files.readString(f));
        try (var left = Files.list(tmp)) {
            assertEquals(List.of(f), left.toList(), "no temporary file left");
        }
    }

    @Test
    void numbersAreExactWithoutExponents() {
        assertEquals("12345678901234", Numbers.format(12345678901234.0, 0));
        assertEquals("12.345678901234", Numbers.format(12345678901234.0, -12));
        assertEquals("0.000001", Numbers.format(1, -6));
        assertEquals("0.0000001", Numbers.format(1e-7, 0));
        assertEquals("-2.5", Numbers.format(-2.5, 0));
        assertEquals("100000000000000000000", Numbers.format(1e20, 0));
        assertEquals("-0.004", Numbers.seconds(-4));
    }
}
