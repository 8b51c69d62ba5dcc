package io.simproc.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sweep of issue 16's "done when": the swappiness sample under three values, drawn as SVG, shows three lines
 * per series, one per setting, and marks the sample's drop_caches.
 */
class SweepChartTest {
    @Test
    void theSwappinessSampleUnderThreeValuesDrawsThreeLinesPerSeries(@TempDir Path tmp) throws Exception {
        Path svg = tmp.resolve("s.svg");
        assertEquals(0, Main.run("sweep", "samples/scenarios/swappiness-10-vs-100.yaml", "--set",
                "vm.swappiness=0,60,100", "--series", "meminfo.Cached,vmstat.pswpout,rate(vmstat.pgscan_kswapd)",
                "--every", "500ms", "--plot", svg.toString(), "-q"));
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc = f.newDocumentBuilder().parse(svg.toFile());
        Map<String, Set<String>> runsBySeries = new TreeMap<>();
        Set<String> events = new TreeSet<>();
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
        Set<String> settings = Set.of("vm.swappiness=0", "vm.swappiness=60", "vm.swappiness=100");
        assertEquals(Map.of("meminfo.Cached", settings, "vmstat.pswpout", settings, "rate(vmstat.pgscan_kswapd)",
                settings), runsBySeries);
        assertTrue(events.contains("drop_caches"), events.toString());
        assertTrue(Files.size(svg) > 10_000);
    }
}
