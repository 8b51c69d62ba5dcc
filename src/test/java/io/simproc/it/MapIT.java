package io.simproc.it;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code simproc map DIR}: the picture of a mounted machine, asked through its control socket, has one cell per
 * pageblock of the zones zoneinfo lists and one outline per free block of order 9 or more that buddyinfo counts
 * (the machine runs at a millionth of real speed, so both describe the same state); the PNG decodes.
 */
class MapIT {
    private static int count(Document d, String cls) {
        NodeList all = d.getElementsByTagName("rect");
        int n = 0;
        for (int i = 0; i < all.getLength(); i++) {
            if (cls.equals(((Element) all.item(i)).getAttribute("class"))) {
                n++;
            }
        }
        return n;
    }

    @Test
    void theMapOfAMountedMachineMatchesItsZoneinfoAndBuddyinfo() throws Exception {
        try (MountedMachine m = MountedMachine.start("--seed", "6", "--speed", "0.000001")) {
            Path svg = Files.createTempFile("simproc-map-", ".svg");
            Path png = Files.createTempFile("simproc-map-", ".png");
            try {
                for (Path out : List.of(svg, png)) {
                    Exec.run(List.of("java", "-jar", MountedMachine.jar().toString(), "map", m.dir().toString(),
                            "--out", out.toString(), "-q"), 60).assertOk("simproc map DIR --out " + out);
                }
                long cells = 0;
                Matcher z = Pattern.compile("(?s)pages free.*?spanned\\s+(\\d+).*?start_pfn:\\s+(\\d+)")
                        .matcher(m.read("zoneinfo"));
                while (z.find()) {
                    long spanned = Long.parseLong(z.group(1));
                    long start = Long.parseLong(z.group(2));
                    if (spanned > 0) {
                        cells += ((start + spanned - 1) >> 9) - (start >> 9) + 1;
                    }
                }
                long outlines = 0;
                for (String line : m.read("buddyinfo").split("\n")) {
                    String[] f = line.trim().split("\\s+");
                    for (int order = 9; order <= 10; order++) {
                        outlines += Long.parseLong(f[4 + order]);
                    }
                }
                Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
                assertEquals(cells, count(d, "pageblock") + count(d, "hole"));
                assertEquals(outlines, count(d, "free-block"));
                assertTrue(outlines > 0);
                assertNotNull(ImageIO.read(png.toFile()), "the PNG decodes");
            } finally {
                Files.deleteIfExists(svg);
                Files.deleteIfExists(png);
            }
        }
    }
}
