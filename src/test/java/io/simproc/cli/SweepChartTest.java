package io.simproc.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Charts from the command line. The sweep of issue 16's "done when": the swappiness sample under three values,
 * drawn as SVG, shows three lines per series, one per setting, and marks the sample's drop_caches. And one run's
 * chart, with or without a recording file.
 */
class SweepChartTest {
    @RegisterExtension
    final StdStreams std = new StdStreams();

    @Test
    void theSwappinessSampleUnderThreeValuesDrawsThreeLinesPerSeries(@TempDir Path tmp) throws Exception {
        Path svg = tmp.resolve("s.svg");
        assertEquals(0, Main.run("sweep", "samples/scenarios/swappiness-10-vs-100.yaml", "--set",
                "vm.swappiness=0,60,100", "--series", "meminfo.Cached,vmstat.pswpout,rate(vmstat.pgscan_kswapd)",
                "--every", "500ms", "--plot", svg.toString(), "-q"));
        Map<String, Set<String>> runsBySeries = new TreeMap<>();
        Set<String> events = new TreeSet<>();
        lines(svg, runsBySeries, events);
        Set<String> settings = Set.of("vm.swappiness=0", "vm.swappiness=60", "vm.swappiness=100");
        assertEquals(Map.of("meminfo.Cached", settings, "vmstat.pswpout", settings, "rate(vmstat.pgscan_kswapd)",
                settings), runsBySeries);
        assertTrue(events.contains("drop_caches"), events.toString());
        assertTrue(Files.size(svg) > 10_000);
    }

    @Test
    void oneRunsChartWithOrWithoutARecordingFile(@TempDir Path tmp) throws Exception {
        Path png = tmp.resolve("one.png");
        Path svg = tmp.resolve("one.svg");
        String[] common = {"samples/scenarios/drop-caches.yaml", "--series", "meminfo.Cached,meminfo.MemFree", "-q"};
        assertEquals(0, Main.run(concat(new String[] {"run", "--plot", png.toString()}, common)));
        assertEquals(1000, ImageIO.read(png.toFile()).getWidth());
        Path csv = tmp.resolve("one.csv");
        assertEquals(0, Main.run(concat(new String[] {"run", "--plot", svg.toString(), "--record", csv.toString()},
                common)));
        Map<String, Set<String>> runsBySeries = new TreeMap<>();
        lines(svg, runsBySeries, new TreeSet<>());
        assertEquals(Set.of("meminfo.Cached", "meminfo.MemFree"), runsBySeries.keySet());
        assertEquals(1, runsBySeries.get("meminfo.Cached").size());
        assertTrue(Files.readString(csv).startsWith("time_s,meminfo.Cached (bytes),meminfo.MemFree (bytes)\n"));
        assertEquals(1, Main.run("run", "samples/scenarios/drop-caches.yaml", "--plot",
                tmp.resolve("x.gif").toString()));
        assertTrue(!Files.exists(tmp.resolve("x.gif")));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Each line's series and run, and each event marker's kind, of the SVG chart {@code svg}. */
    private static void lines(Path svg, Map<String, Set<String>> runsBySeries, Set<String> events) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc = f.newDocumentBuilder().parse(svg.toFile());
        NodeList groups = doc.getElementsByTagName("g");
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            if (g.getAttribute("class").equals("line")) {
                assertTrue(runsBySeries.computeIfAbsent(g.getAttribute("data-series"), k -> new TreeSet<>())
                        .add(g.getAttribute("data-run")), "one line per run and series");
            } else if (g.getAttribute("class").equals("event")) {
                events.add(g.getAttribute("data-kind"));
            }
        }
    }
}
