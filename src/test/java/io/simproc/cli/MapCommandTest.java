package io.simproc.cli;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.mm.MigrateType;
import io.simproc.mm.PageAlloc;
import io.simproc.mm.PageblockSnapshot;
import io.simproc.mm.Zone;
import io.simproc.physmap.PhysMapLayout;
import io.simproc.workload.Machines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code simproc map}: the SVG parses as XML and has one cell per pageblock of every populated zone, a legend
 * naming every migrate type, and one outline per free buddy block of pageblock order or more (counted from the
 * zones' free_area counters, not from the snapshot); the PNG decodes to the picture's size with the cells' colours.
 */
class MapCommandTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldErr;

    @TempDir
    Path tmp;

    @BeforeEach
    void capture() {
        oldErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(oldErr);
    }

    private static long pageblocks(Zone z) {
        return ((z.zoneEndPfn() - 1) >> PageAlloc.PAGEBLOCK_ORDER) - (z.zoneStartPfn() >> PageAlloc.PAGEBLOCK_ORDER)
                + 1;
    }

    private static long freeHighOrderBlocks(Zone z) {
        long n = 0;
        for (int o = PageAlloc.PAGEBLOCK_ORDER; o < PageAlloc.NR_PAGE_ORDERS; o++) {
            n += z.nrFreeBlocks(o);
        }
        return n;
    }

    private static List<Element> byClass(Document d, String tag, String cls) {
        NodeList all = d.getElementsByTagName(tag);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            if (cls.equals(e.getAttribute("class"))) {
                out.add(e);
            }
        }
        return out;
    }

    private void assertSvgMatchesMachine(Path profile, long seed) throws Exception {
        Path svg = tmp.resolve("map.svg");
        List<String> args = new ArrayList<>(List.of("map", "--out", svg.toString(), "--seed", Long.toString(seed)));
        if (profile != null) {
            args.addAll(List.of("-m", profile.toString()));
        }
        assertEquals(0, Main.run(args.toArray(new String[0])), err.toString(StandardCharsets.UTF_8));
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        assertEquals("svg", d.getDocumentElement().getTagName());

        Kernel k = Machines.boot(profile == null ? MachineProfileLoader.loadDefault()
                : MachineProfileLoader.load(profile), seed);
        long cells = 0;
        long outlines = 0;
        List<String> labels = new ArrayList<>();
        for (Zone z : k.mm().zones()) {
            if (z.isPopulated()) {
                cells += pageblocks(z);
                outlines += freeHighOrderBlocks(z);
                labels.add("Node " + z.node().nodeId() + ", zone " + z.type().procName());
            }
        }
        assertTrue(outlines > 0, "the machine has free high-order blocks to outline");
        assertEquals(cells, byClass(d, "rect", "pageblock").size() + byClass(d, "rect", "hole").size(),
                "one cell per pageblock of every populated zone");
        assertEquals(outlines, byClass(d, "rect", "free-block").size(),
                "one outline per free block of order >= pageblock order (buddyinfo)");
        List<Element> zoneLabels = byClass(d, "text", "zone");
        assertEquals(labels.size(), zoneLabels.size());
        for (int i = 0; i < labels.size(); i++) {
            assertTrue(zoneLabels.get(i).getTextContent().startsWith(labels.get(i)), zoneLabels.get(i)
                    .getTextContent());
        }
        StringBuilder legend = new StringBuilder();
        for (Element e : byClass(d, "text", "legend")) {
            legend.append(e.getTextContent()).append('|');
        }
        for (MigrateType mt : k.mm().config().migrateTypes()) {
            assertTrue(legend.toString().contains(mt.procName() + "|"), "legend names " + mt + ": " + legend);
        }
        assertTrue(legend.toString().contains("free block of order >= 9"), legend.toString());
        for (Element e : byClass(d, "rect", "free-block")) {
            assertEquals("none", e.getAttribute("fill"));
            assertFalse(e.getAttribute("stroke").isEmpty());
        }
    }

    @Test
    void svgHasOneCellPerPageblockALegendAndAnOutlinePerFreeHighOrderBlock() throws Exception {
        assertSvgMatchesMachine(null, 5);
    }

    @Test
    void svgOfTheTwoNodeMachineLabelsBothNodes() throws Exception {
        Path server = Path.of(System.getProperty("simproc.basedir", "."), "samples/machines/server-2node-64g.yaml");
        Path profile = tmp.resolve("two-node-4g.yaml");
        Files.writeString(profile, Files.readString(server).replace("memory: 64G", "memory: 4G")
                .replace("nodes: [32G, 32G]", "nodes: [2G, 2G]").replace("crashkernel: 256M", "crashkernel: 128M"));
        assertSvgMatchesMachine(profile, 2);
    }

    @Test
    void pngDecodesToThePicturesSizeWithTheCellsColours() throws Exception {
        Path png = tmp.resolve("map.png");
        assertEquals(0, Main.run("map", "--out", png.toString(), "--seed", "7"), err.toString(StandardCharsets.UTF_8));
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "a PNG ImageIO can decode");
        Kernel k = Machines.boot(MachineProfileLoader.loadDefault(), 7);
        PageblockSnapshot s = k.read(x -> PageblockSnapshot.take(x.mm()));
        var picture = PhysMapLayout.layout(s, "t");
        assertEquals(picture.width(), img.getWidth());
        assertEquals(picture.height(), img.getHeight());
        int checked = 0;
        for (Object shape : picture.shapes()) {
            if (shape instanceof io.simproc.physmap.Picture.Rect r
                    && r.kind() == io.simproc.physmap.Picture.Kind.CELL && checked++ % 97 == 0) {
                assertEquals(r.fill(), img.getRGB(r.x() + r.width() / 2, r.y() + r.height() / 2) & 0xffffff,
                        "cell colour at " + r.tooltip());
            }
        }
        assertTrue(checked > 100);
    }

    @Test
    void anUnknownExtensionIsAUsageErrorNamingTheFormats() {
        assertEquals(1, Main.run("map", "--out", tmp.resolve("map.jpg").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(".svg or .png"), err.toString());
        assertFalse(Files.exists(tmp.resolve("map.jpg")));
    }

    @Test
    void aScenarioRunsBeforeThePictureWhichMatchesTheRunsBuddyinfo() throws Exception {
        Path machine = Path.of("samples/machines/small-1g.yaml");
        Path scenario = tmp.resolve("fill.yaml");
        Files.writeString(scenario, """
                name: fill
                timeline:
                  - at: 1s
                    spawn: {name: fill, program: bash}
                  - malloc: {process: fill, size: 600M, name: buf, write: true}
                  - at: 3s
                    expect: meminfo.AnonPages > 600M
                """);
        Path svg = tmp.resolve("after.svg");
        assertEquals(0, Main.run("map", "--scenario", scenario.toString(), "--at", "2s", "-m", machine.toString(),
                "--out", svg.toString(), "--no-progress"), err.toString(StandardCharsets.UTF_8));
        Path out = tmp.resolve("run");
        assertEquals(0, Main.run("run", scenario.toString(), "--at", "2s,3s", "-m", machine.toString(), "--out",
                out.toString(), "--no-progress", "-q"), err.toString(StandardCharsets.UTF_8));
        long highOrderBlocks = 0;
        for (String line : Files.readString(out.resolve("2s/proc/buddyinfo")).split("\n")) {
            String[] f = line.trim().split("\\s+");
            for (int o = PageAlloc.PAGEBLOCK_ORDER; o < PageAlloc.NR_PAGE_ORDERS; o++) {
                highOrderBlocks += Long.parseLong(f[4 + o]);
            }
        }
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        assertEquals(highOrderBlocks, byClass(d, "rect", "free-block").size(),
                "the picture shows the machine at 2s of the scenario, as simproc run's tree does");
        assertTrue(Files.readString(svg).contains("at scenario fill at 2s"), "the title says when");
        String title = byClass(d, "text", "title").get(0).getTextContent();
        assertTrue(Integer.parseInt(d.getDocumentElement().getAttribute("width")) >= title.length() * 9,
                "the picture is wide enough for its title: " + title);
        Path fresh = tmp.resolve("fresh.svg");
        assertEquals(0, Main.run("map", "-m", machine.toString(), "--out", fresh.toString()));
        Document before = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(fresh.toFile());
        assertTrue(byClass(before, "rect", "free-block").size() > highOrderBlocks + 100,
                "600 MiB written took free high-order blocks away");
    }

    @Test
    void atWithoutAScenarioAndAScenarioForAMountedMachineAreUsageErrors() {
        assertEquals(1, Main.run("map", "--at", "3s", "--out", tmp.resolve("m.svg").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--at needs a --scenario to run"), err.toString());
        assertEquals(1, Main.run("map", tmp.toString(), "--scenario", "x.yaml", "--out",
                tmp.resolve("m.svg").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("use: simproc ctl " + tmp + " apply SCENARIO"),
                err.toString());
        assertFalse(Files.exists(tmp.resolve("m.svg")));
    }
}
