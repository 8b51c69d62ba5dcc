package io.simproc.plot;

import io.simproc.record.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChartsTest {
    private static final List<Recording.Series> SERIES = List.of(
            new Recording.Series("meminfo.MemFree", "bytes", "memory"),
            new Recording.Series("meminfo.Cached", "bytes", "memory"),
            new Recording.Series("vmstat.pswpout", "pages", "swap"),
            new Recording.Series("psi.memory.some.avg10", "percent", "pressure"));

    /** A run at one swappiness: samples every 100 + 10*run ms (runs sample at different instants), events. */
    static Recording run(int swappiness, int index, String seed) {
        Recording r = new Recording(SERIES, Map.of("vm.swappiness", String.valueOf(swappiness), "seed", seed));
        long step = 100 + 10L * index;
        for (int i = 0; i < 40; i++) {
            double free = (3L << 30) - i * (20L << 20) * (1 + index);
            double cached = i == 20 ? Double.NaN : (512L << 20) + i * (8L << 20);
            r.add(i * step, new double[] {free, cached, i * swappiness, Math.min(100, i * 2.5)});
        }
        r.event(new Recording.Event(1000, "compaction", "node 0 order 9"));
        r.event(new Recording.Event(1000 + 500L * index, "compaction", "node 0 order 9"));
        if (index == 2) {
            r.event(new Recording.Event(3000, "oom_kill", "pid 42 (stress)"));
        }
        return r;
    }

    static List<Recording> threeRuns() {
        return List.of(run(0, 0, "1"), run(60, 1, "1"), run(100, 2, "1"));
    }

    static Document parse(byte[] svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg));
    }

    static List<Element> groups(Document doc, String cls) {
        List<Element> found = new ArrayList<>();
        NodeList gs = doc.getElementsByTagName("g");
        for (int i = 0; i < gs.getLength(); i++) {
            Element g = (Element) gs.item(i);
            if (cls.equals(g.getAttribute("class"))) {
                found.add(g);
            }
        }
        return found;
    }

    /** Panel name to the number of line paths drawn in it. */
    static Map<String, Integer> linesPerPanel(Document doc) {
        Map<String, Integer> lines = new TreeMap<>();
        for (Element g : groups(doc, "line")) {
            NodeList paths = g.getElementsByTagName("path");
            assertEquals(1, paths.getLength(), "one path per line");
            Element path = (Element) paths.item(0);
            assertFalse(path.getAttribute("d").isEmpty());
            assertTrue(((Element) path.getParentNode()).getAttribute("style").matches(".*stroke:rgb\\(.*fill:none.*"),
                    "a stroked, unfilled path");
            lines.merge(g.getAttribute("data-panel"), 1, Integer::sum);
        }
        return lines;
    }

    /** How each line of {@code panel} looks: its colour and dash pattern. */
    static List<String> looks(Document doc, String panel) {
        List<String> looks = new ArrayList<>();
        for (Element g : groups(doc, "line")) {
            if (g.getAttribute("data-panel").equals(panel)) {
                String style = ((Element) g.getElementsByTagName("path").item(0).getParentNode()).getAttribute("style");
                looks.add(style.replaceAll(".*(stroke:rgb\\([^)]*\\)).*", "$1")
                        + style.replaceAll("^(?!.*stroke-dasharray).*$|.*(stroke-dasharray:[^;]*).*", "$1"));
            }
        }
        return looks;
    }

    static List<String> texts(Document doc) {
        List<String> texts = new ArrayList<>();
        NodeList ts = doc.getElementsByTagName("text");
        for (int i = 0; i < ts.getLength(); i++) {
            texts.add(ts.item(i).getTextContent());
        }
        return texts;
    }

    static byte[] svg(List<Recording> runs) {
        return Charts.render(runs, ChartFormat.SVG, "swappiness 0 vs 60 vs 100");
    }

    @Test
    void drawsALinePerRunAndSeriesInThePanelOfItsGroup() throws Exception {
        Document doc = parse(svg(threeRuns()));
        assertEquals(Map.of("memory", 6, "swap", 3, "pressure", 3), linesPerPanel(doc));
    }

    @Test
    void theLinesOfAPanelLookDifferent() throws Exception {
        Document doc = parse(svg(threeRuns()));
        for (String panel : List.of("memory", "swap", "pressure")) {
            List<String> looks = looks(doc, panel);
            assertEquals(looks.size(), new HashSet<>(looks).size(), panel + ": " + looks);
        }
        List<String> memory = looks(doc, "memory");
        assertEquals(2, memory.stream().filter(l -> !l.contains("dasharray")).count(), "the first run is solid");
    }

    @Test
    void theLineCountFollowsTheRunsSoTheCheckAboveCanFail() throws Exception {
        Document doc = parse(svg(threeRuns().subList(0, 2)));
        Map<String, Integer> lines = linesPerPanel(doc);
        assertEquals(Map.of("memory", 4, "swap", 2, "pressure", 2), lines);
        assertNotEquals(Map.of("memory", 6, "swap", 3, "pressure", 3), lines);
    }

    @Test
    void theLegendNamesEachRunByTheKnobThatDiffersAndLeavesOutTheCommonSeed() throws Exception {
        List<String> texts = texts(parse(svg(threeRuns())));
        for (int swappiness : new int[] {0, 60, 100}) {
            for (Recording.Series s : SERIES) {
                String entry = s.name() + " (vm.swappiness=" + swappiness + ")";
                assertTrue(texts.contains(entry), entry + " in " + texts);
            }
        }
        assertTrue(texts.stream().noneMatch(t -> t.contains("seed")), texts.toString());
    }

    @Test
    void seedsThatDifferAreInTheLegend() throws Exception {
        List<String> texts = texts(parse(svg(List.of(run(60, 0, "1"), run(60, 1, "2")))));
        assertTrue(texts.contains("meminfo.MemFree (seed=1)"), texts.toString());
        assertTrue(texts.contains("meminfo.MemFree (seed=2)"), texts.toString());
        assertTrue(texts.stream().noneMatch(t -> t.contains("vm.swappiness")), texts.toString());
    }

    @Test
    void aSingleRunNamesOnlyItsSeries() throws Exception {
        Document doc = parse(svg(List.of(run(60, 0, "1"))));
        assertEquals(Map.of("memory", 2, "swap", 1, "pressure", 1), linesPerPanel(doc));
        assertTrue(texts(doc).contains("meminfo.MemFree"));
    }

    @Test
    void runsWithDifferentSeriesDrawWhatEachHas() throws Exception {
        Recording small = new Recording(List.of(new Recording.Series("meminfo.MemFree", "bytes", "memory"),
                new Recording.Series("meminfo.Shmem", "pages", "memory")), Map.of("vm.swappiness", "10"));
        for (int i = 0; i < 5; i++) {
            small.add(250L * i + 7, new double[] {1L << 30, 100 * i});
        }
        Document doc = parse(svg(List.of(small, run(60, 0, "1"))));
        assertEquals(Map.of("memory", 4, "swap", 1, "pressure", 1), linesPerPanel(doc));
        List<String> texts = texts(doc);
        assertTrue(texts.contains("meminfo.Shmem (vm.swappiness=10)"), texts.toString());
        assertTrue(texts.contains("memory (pages)"), "a second unit in a group gets its own axis: " + texts);
        assertTrue(texts.contains("swap (pages)"), texts.toString());
    }

    @Test
    void eachEventKindIsAMarkerInEveryPanelLabelledOnce() throws Exception {
        Document doc = parse(svg(threeRuns()));
        Map<String, Integer> markers = new TreeMap<>();
        for (Element g : groups(doc, "event")) {
            assertTrue(g.getElementsByTagName("line").getLength() >= 1, "a marker draws a line");
            markers.merge(g.getAttribute("data-kind") + "@" + g.getAttribute("data-panel"), 1, Integer::sum);
        }
        // compaction at 1000 ms in every run, 1500 and 2000 in two: three instants; one OOM kill.
        assertEquals(Map.of("compaction@memory", 3, "compaction@swap", 3, "compaction@pressure", 3,
                "oom_kill@memory", 1, "oom_kill@swap", 1, "oom_kill@pressure", 1), markers);
        List<String> texts = texts(doc);
        assertEquals(1, texts.stream().filter("compaction"::equals).count(), texts.toString());
        assertEquals(1, texts.stream().filter("oom_kill"::equals).count(), texts.toString());
        assertTrue(texts.contains("compaction (3 events)"), texts.toString());
        assertTrue(texts.contains("oom_kill (1 event)"), texts.toString());
    }

    @Test
    void aMissingValueLeavesAGap() throws Exception {
        Document doc = parse(svg(List.of(run(60, 0, "1"))));
        for (Element g : groups(doc, "line")) {
            String d = ((Element) g.getElementsByTagName("path").item(0)).getAttribute("d");
            long moves = d.chars().filter(c -> c == 'M').count();
            assertEquals(g.getAttribute("data-series").equals("meminfo.Cached") ? 2 : 1, moves, d);
        }
    }

    @Test
    void anInfiniteValueLeavesAGapAndTheAxisKeepsTheFiniteRange() throws Exception {
        Recording limit = new Recording(List.of(new Recording.Series("memory.max", "bytes", "cgroup")), Map.of());
        for (int i = 0; i < 10; i++) {
            limit.add(100L * i, new double[] {i == 4 ? Double.POSITIVE_INFINITY : (1L << 30) + i * (64L << 20)});
        }
        Document doc = parse(svg(List.of(limit)));
        Element g = groups(doc, "line").get(0);
        String d = ((Element) g.getElementsByTagName("path").item(0)).getAttribute("d");
        assertEquals(2, d.chars().filter(c -> c == 'M').count(), d);
        assertTrue(texts(doc).contains("1.5 GiB"), texts(doc).toString());
    }

    @Test
    void aSingleSampleIsAPointInTimeAndAnEmptyTitleIsNone() throws Exception {
        Recording once = new Recording(List.of(new Recording.Series("meminfo.MemFree", "bytes", "memory")), Map.of());
        once.add(0, new double[] {1L << 30});
        Document doc = parse(Charts.render(List.of(once), ChartFormat.SVG, ""));
        assertEquals(Map.of("memory", 1), linesPerPanel(doc));
        List<String> titled = texts(parse(Charts.render(List.of(once), ChartFormat.SVG, "free memory")));
        assertEquals("free memory", titled.get(0));
        assertEquals(titled.subList(1, titled.size()), texts(doc));
        assertTrue(texts(doc).contains("meminfo.MemFree"), texts(doc).toString());
    }

    @Test
    void byteAxesTickInBinaryUnits() throws Exception {
        List<String> texts = texts(parse(svg(threeRuns())));
        assertTrue(texts.stream().anyMatch(t -> t.matches("[0-9.]+ GiB")), texts.toString());
        assertTrue(texts.stream().anyMatch(t -> t.matches("[0-9.]+%")), texts.toString());
    }

    @Test
    void theSameRecordingsGiveTheSameBytes() {
        byte[] svg = svg(threeRuns());
        assertArrayEquals(svg, svg(threeRuns()));
        String text = new String(svg, StandardCharsets.UTF_8);
        assertTrue(text.contains("id='simproc-clip-0'"), "defs named by a fixed prefix");
        assertArrayEquals(Charts.render(threeRuns(), ChartFormat.PNG, "t"),
                Charts.render(threeRuns(), ChartFormat.PNG, "t"));
    }

    @Test
    void writesAPngOfTheChartsSize(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("chart.PNG");
        Charts.write(threeRuns(), png, "swappiness");
        BufferedImage image = ImageIO.read(png.toFile());
        Element svg = parse(svg(threeRuns())).getDocumentElement();
        assertEquals(ChartBuilder.WIDTH, image.getWidth());
        assertEquals(Double.parseDouble(svg.getAttribute("height")), image.getHeight());
        assertTrue(image.getHeight() > 3 * ChartBuilder.PANEL_HEIGHT);
        assertTrue(GraphicsEnvironment.isHeadless());
    }

    @Test
    void writesAnSvgFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("chart.svg");
        Charts.write(threeRuns(), file, "swappiness");
        assertArrayEquals(Charts.render(threeRuns(), ChartFormat.SVG, "swappiness"), Files.readAllBytes(file));
    }

    @Test
    void badInputIsRefusedAndWritesNothing(@TempDir Path dir) {
        Path svg = dir.resolve("chart.svg");
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> Charts.write(List.of(), svg, "t"));
        assertEquals("a chart needs at least one recording", none.getMessage());
        Recording empty = new Recording(SERIES, Map.of("vm.swappiness", "10"));
        IllegalArgumentException noSamples = assertThrows(IllegalArgumentException.class,
                () -> Charts.write(List.of(run(60, 0, "1"), empty), svg, "t"));
        assertEquals("recording 2 of 2 {vm.swappiness=10} has no samples to draw", noSamples.getMessage());
        IllegalArgumentException gif = assertThrows(IllegalArgumentException.class,
                () -> Charts.write(threeRuns(), dir.resolve("chart.gif"), "t"));
        assertEquals("a chart is written as .svg or .png, not " + dir.resolve("chart.gif"), gif.getMessage());
        assertFalse(Files.exists(svg));
        assertFalse(Files.exists(dir.resolve("chart.gif")));
    }

    @Test
    void anUnwritablePathSaysWhy(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("no/such/chart.svg");
        IOException e = assertThrows(IOException.class, () -> Charts.write(threeRuns(), missing, "t"));
        assertEquals("cannot write the chart " + missing + ": no such directory", e.getMessage());
        Path directory = Files.createDirectory(dir.resolve("is-a-dir.png"));
        IOException d = assertThrows(IOException.class, () -> Charts.write(threeRuns(), directory, "t"));
        assertTrue(d.getMessage().startsWith("cannot write the chart " + directory + ": "), d.getMessage());
    }
}
