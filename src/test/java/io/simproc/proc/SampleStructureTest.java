package io.simproc.proc;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.simproc.proc.LineShapes.assertAllMatch;
import static io.simproc.proc.LineShapes.assertSameShapes;
import static io.simproc.proc.LineShapes.digits;
import static io.simproc.proc.LineShapes.rightAligned;
import static io.simproc.proc.ProcTestSupport.USER;
import static io.simproc.proc.ProcTestSupport.lines;
import static io.simproc.proc.ProcTestSupport.quote;
import static io.simproc.proc.ProcTestSupport.read;
import static io.simproc.proc.ProcTestSupport.sample;
import static io.simproc.proc.ProcTestSupport.shared;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The files of a booted default machine have the line structure of the real 6.18 samples: the same keys in the same
 * order, numbers in the same columns, the same trailing spaces and header lines. Numbers are abstracted by
 * {@link LineShapes}; where the sampled machine (2 CPUs) and ours (4 CPUs) legitimately differ, the per-CPU parts
 * are compared one CPU at a time.
 */
class SampleStructureTest {
    /** The default machine's CPU count (samples/machines/default.yaml). */
    private static final int CPUS = 4;
    private static final int SAMPLE_CPUS = 2;

    private static List<String> ours(String file) {
        return lines(file, read(shared(), "/" + file));
    }

    private static List<String> sampleLines(String sampleFile) {
        return lines("sample " + sampleFile, sample(sampleFile));
    }

    // ---------------------------------------------------------------------------------------------------------
    // meminfo

    @Test
    void meminfoHasTheSampleLabelsInOrder() {
        assertEquals(labels(sampleLines("meminfo.txt")), labels(ours("meminfo")));
    }

    @Test
    void meminfoValuesEndInTheSampleColumns() {
        assertSameShapes("meminfo", sampleLines("meminfo.txt"), ours("meminfo"), LineShapes::rightAligned);
    }

    /**
     * Every line is {@code "%-16s%8lu kB"} with the colon inside the 16, except HugePages_* ({@code "%-19s%5lu"},
     * no unit). The rule is checked on the sample too, so it describes the real file.
     */
    @Test
    void meminfoLinesArePrintedWithTheKernelWidths() {
        assertMeminfoWidths("sample meminfo.txt", sampleLines("meminfo.txt"));
        assertMeminfoWidths("meminfo", ours("meminfo"));
    }

    private static void assertMeminfoWidths(String what, List<String> lines) {
        for (String line : lines) {
            String label = line.substring(0, line.indexOf(':') + 1);
            long value = Long.parseLong(line.substring(label.length()).replace(" kB", "").trim());
            String expected = label.startsWith("HugePages_") ? String.format("%-19s%5d", label, value)
                    : String.format("%-16s%8d kB", label, value);
            assertEquals(expected, line, what + ": " + quote(line) + " is not printed with the kernel's widths");
        }
    }

    /** VmallocTotal does not fit in 8 columns and pushes " kB" right, exactly as in the sample. */
    @Test
    void meminfoVmallocTotalOverflowsItsColumn() {
        String line = "VmallocTotal:   34359738367 kB";
        assertTrue(sampleLines("meminfo.txt").contains(line));
        assertTrue(ours("meminfo").contains(line), "no line " + quote(line));
    }

    private static List<String> labels(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            out.add(l.substring(0, l.indexOf(':')));
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------
    // vmstat

    @Test
    void vmstatHasExactlyTheSample192NamesInOrder() {
        List<String> expected = names(sampleLines("vmstat.txt"));
        assertEquals(192, expected.size());
        List<String> actual = names(ours("vmstat"));
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            assertEquals(expected.get(i), actual.get(i), "vmstat line " + (i + 1));
        }
        assertEquals(expected, actual);
    }

    @Test
    void vmstatLinesAreNameSpaceUnpaddedNumberEndingWithNrUnstable() {
        String rule = "^[a-z0-9_]+ (0|[1-9][0-9]*)$";
        assertAllMatch("sample vmstat.txt", sampleLines("vmstat.txt"), rule);
        List<String> ours = ours("vmstat");
        assertAllMatch("vmstat", ours, rule);
        assertEquals("nr_unstable 0", ours.get(ours.size() - 1));
    }

    private static List<String> names(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            out.add(l.substring(0, l.indexOf(' ')));
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------
    // zoneinfo

    private static final String PAGESETS_MARKER = "<per-cpu pagesets>";
    private static final String CPU_LINE = "    cpu: #";
    private static final String THRESHOLD_LINE = "  vm stats threshold: #";

    /** The zoneinfo lines with every run of per-CPU blocks replaced by one marker line, and the runs themselves. */
    private record Collapsed(List<String> lines, List<List<List<String>>> runs) {
    }

    private static Collapsed collapsePagesets(List<String> lines) {
        List<String> out = new ArrayList<>();
        List<List<List<String>>> runs = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            if (!digits(lines.get(i)).equals(CPU_LINE)) {
                out.add(lines.get(i++));
                continue;
            }
            int j = i + 1;
            while (j < lines.size() && !digits(lines.get(j)).equals(CPU_LINE)
                    && !digits(lines.get(j)).equals(THRESHOLD_LINE)) {
                j++;
            }
            int end = j < lines.size() && digits(lines.get(j)).equals(THRESHOLD_LINE) ? j + 1 : j;
            if (out.isEmpty() || !out.get(out.size() - 1).equals(PAGESETS_MARKER)) {
                out.add(PAGESETS_MARKER);
                runs.add(new ArrayList<>());
            }
            runs.get(runs.size() - 1).add(lines.subList(i, end));
            i = end;
        }
        return new Collapsed(out, runs);
    }

    @Test
    void zoneinfoLinesHaveTheSampleShapesWithPagesetsComparedPerCpu() {
        Collapsed sample = collapsePagesets(sampleLines("zoneinfo.txt"));
        Collapsed ours = collapsePagesets(ours("zoneinfo"));
        assertEquals(3, sample.runs().size(), "the sample has three populated zones");
        for (List<List<String>> run : sample.runs()) {
            assertEquals(SAMPLE_CPUS, run.size());
        }
        assertSameShapes("zoneinfo (pagesets collapsed)", sample.lines(), ours.lines(), LineShapes::digits);

        List<String> sampleBlock = sample.runs().get(0).get(0);
        assertEquals(7, sampleBlock.size(), "a 6.18 pageset block: cpu, count, high, batch, high_min, high_max,"
                + " vm stats threshold");
        for (int zone = 0; zone < ours.runs().size(); zone++) {
            List<List<String>> run = ours.runs().get(zone);
            assertEquals(CPUS, run.size(), "pagesets of populated zone #" + zone + " should list every CPU");
            for (int cpu = 0; cpu < run.size(); cpu++) {
                List<String> block = run.get(cpu);
                assertEquals("    cpu: " + cpu, block.get(0), "CPUs in order in populated zone #" + zone);
                assertSameShapes("zoneinfo pageset of cpu " + cpu + " in populated zone #" + zone, sampleBlock,
                        block, LineShapes::digits);
            }
        }
    }

    @Test
    void zoneinfoListsEveryZoneOfTheNodeLikeTheSample() {
        assertEquals(zoneHeaders(sampleLines("zoneinfo.txt")), zoneHeaders(ours("zoneinfo")));
    }

    private static List<String> zoneHeaders(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("Node ")).toList();
    }

    // ---------------------------------------------------------------------------------------------------------
    // buddyinfo, pagetypeinfo

    /** {@code "Node %d, zone %8s "} then {@code "%6lu "} per order: same columns and trailing space as the sample. */
    @Test
    void buddyinfoHasTheSampleColumnsAndTrailingSpaces() {
        assertSameShapes("buddyinfo", sampleLines("buddyinfo.txt"), ours("buddyinfo"), LineShapes::rightAligned);
        assertAllMatch("buddyinfo", ours("buddyinfo"),
                "^Node \\d+, zone [ A-Za-z0-9]{8} ((?=[ 0-9]{6} ) *[0-9]+ ){11}$");
    }

    @Test
    void pagetypeinfoHasTheSampleHeadersColumnsAndTrailingSpaces() {
        List<String> ours = ours("pagetypeinfo");
        assertSameShapes("pagetypeinfo", sampleLines("pagetypeinfo.txt"), ours, LineShapes::rightAligned);
        assertEquals("Page block order: 9", ours.get(0));
        assertEquals("Pages per block:  512", ours.get(1));
        assertEquals("", ours.get(2));
        assertEquals("Free pages count per migrate type at order       0      1      2      3      4      5      6"
                + "      7      8      9     10 ", ours.get(3));
        assertTrue(ours.contains("Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic"
                + "      Isolate "), "block count header");
    }

    // ---------------------------------------------------------------------------------------------------------
    // iomem

    private static final String IOMEM_LINE = "^( {2})*[0-9a-f]{8,}-[0-9a-f]{8,} : .+$";

    @Test
    void iomemLinesHaveTheKernelShape() {
        assertAllMatch("sample iomem.txt", sampleLines("iomem.txt"), IOMEM_LINE);
        assertAllMatch("iomem", ours("iomem"), IOMEM_LINE);
    }

    /** Depth-first pre-order: children inside their parent, siblings in address order without overlap. */
    @Test
    void iomemIsADepthFirstWalkOfNestedRanges() {
        assertNested("sample iomem.txt", ProcText.iomem(sample("iomem.txt")));
        List<ProcText.IomemLine> ours = ProcText.iomem(read(shared(), "/iomem"));
        assertNested("iomem", ours);
        assertEquals(0, ours.get(0).start(), "the first range starts at 0");
    }

    private static void assertNested(String what, List<ProcText.IomemLine> lines) {
        List<ProcText.IomemLine> stack = new ArrayList<>();
        ProcText.IomemLine prev = null;
        for (ProcText.IomemLine l : lines) {
            String at = what + ": " + l;
            assertTrue(l.start() <= l.end(), at + " ends before it starts");
            assertTrue(l.depth() <= stack.size(), at + " is nested deeper than the line before allows");
            while (stack.size() > l.depth()) {
                prev = stack.remove(stack.size() - 1);
            }
            if (!stack.isEmpty()) {
                ProcText.IomemLine parent = stack.get(stack.size() - 1);
                assertTrue(parent.start() <= l.start() && l.end() <= parent.end(), at + " lies outside " + parent);
            }
            if (prev != null && prev.depth() == l.depth()) {
                assertTrue(prev.end() < l.start(), at + " overlaps or precedes its sibling " + prev);
            }
            stack.add(l);
            prev = null;
        }
    }

    /** A reader without CAP_SYS_ADMIN sees every address as 8 zeros, names and nesting unchanged. */
    @Test
    void iomemForANonRootReaderShowsZeroAddressesWithTheSampleShape() {
        String zeroLine = "^( {2})*00000000-00000000 : .+$";
        assertAllMatch("sample iomem_as_nonroot.txt", sampleLines("iomem_as_nonroot.txt"), zeroLine);
        assertEquals(zeroed(sampleLines("iomem.txt")), sampleLines("iomem_as_nonroot.txt"),
                "the rule describes the sample pair");

        List<String> asUser = lines("iomem as uid 1000", read(shared(), "/iomem", USER));
        assertAllMatch("iomem as uid 1000", asUser, zeroLine);
        assertEquals(zeroed(ours("iomem")), asUser);
    }

    private static List<String> zeroed(List<String> lines) {
        return lines.stream().map(l -> l.replaceFirst("[0-9a-f]{8,}-[0-9a-f]{8,}", "00000000-00000000")).toList();
    }

    // ---------------------------------------------------------------------------------------------------------
    // stat, uptime, loadavg

    @Test
    void statHasTheSampleLinesInOrder() {
        assertStatLayout("sample stat.txt", sampleLines("stat.txt"), SAMPLE_CPUS);
        assertStatLayout("stat", ours("stat"), CPUS);
    }

    /**
     * {@code "cpu  "} (two spaces) and 10 numbers, one {@code cpuN} line per CPU with 10 numbers, then intr, ctxt,
     * btime, processes, procs_running, procs_blocked, and softirq with its total and 10 per-type counts.
     */
    private static void assertStatLayout(String what, List<String> lines, int cpus) {
        List<String> rules = new ArrayList<>();
        rules.add("cpu  \\d+( \\d+){9}");
        for (int cpu = 0; cpu < cpus; cpu++) {
            rules.add("cpu" + cpu + " \\d+( \\d+){9}");
        }
        rules.addAll(List.of("intr \\d+( \\d+)+", "ctxt \\d+", "btime \\d+", "processes \\d+", "procs_running \\d+",
                "procs_blocked \\d+", "softirq \\d+( \\d+){10}"));
        for (int i = 0; i < Math.min(rules.size(), lines.size()); i++) {
            assertTrue(lines.get(i).matches(rules.get(i)),
                    what + ": line " + (i + 1) + " " + quote(lines.get(i)) + " does not match " + rules.get(i));
        }
        assertEquals(rules.size(), lines.size(), what + ": number of lines");
    }

    @Test
    void uptimeIsTwoCentisecondValues() {
        String rule = "^\\d+\\.\\d{2} \\d+\\.\\d{2}$";
        assertAllMatch("sample uptime.txt", sampleLines("uptime.txt"), rule);
        List<String> ours = ours("uptime");
        assertEquals(1, ours.size());
        assertAllMatch("uptime", ours, rule);
    }

    @Test
    void loadavgIsThreeAveragesRunnableSlashTotalAndLastPid() {
        String rule = "^\\d+\\.\\d{2} \\d+\\.\\d{2} \\d+\\.\\d{2} \\d+/\\d+ \\d+$";
        assertAllMatch("sample loadavg.txt", sampleLines("loadavg.txt"), rule);
        List<String> ours = ours("loadavg");
        assertEquals(1, ours.size());
        assertAllMatch("loadavg", ours, rule);
    }

    @Test
    void everyRenderedFileEndsWithANewline() {
        for (String f : List.of("buddyinfo", "cpuinfo", "iomem", "loadavg", "meminfo", "pagetypeinfo", "stat",
                "uptime", "version", "vmstat", "zoneinfo")) {
            String text = read(shared(), "/" + f);
            if (!text.endsWith("\n")) {
                fail(f + " does not end with a newline");
            }
        }
    }

    @Test
    void sharedMachineIsTheDefaultProfile() {
        Map<String, Long> mem = ProcText.meminfo(read(shared(), "/meminfo"));
        assertTrue(mem.get("MemTotal") > 7L << 20 && mem.get("MemTotal") < 8L << 20, "an 8 GiB machine");
    }
}
