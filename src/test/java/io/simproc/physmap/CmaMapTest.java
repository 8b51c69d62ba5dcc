package io.simproc.physmap;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.mm.MigrateType;
import io.simproc.mm.PageblockSnapshot;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The map of a machine with a CMA area: its pageblocks are CMA cells, and the legend names the type. */
class CmaMapTest {
    @Test
    void theCmaAreasPageblocksAreDrawnAsCma() {
        Kernel k = Kernel.boot(MachineProfileLoader.parse("t", "memory: 1G\ncma: 64M\n"), 4);
        PageblockSnapshot s = k.read(x -> PageblockSnapshot.take(x.mm()));
        assertTrue(s.migrateTypes().contains(MigrateType.CMA));
        int cma = 0;
        for (PageblockSnapshot.ZoneBlocks z : s.zones()) {
            for (int i = 0; i < z.nrPageblocks(); i++) {
                if (z.migratetype(i) == MigrateType.CMA) {
                    cma++;
                }
            }
        }
        assertEquals(32, cma);
        String svg = SvgWriter.write(PhysMapLayout.layout(s, "t"));
        assertTrue(svg.contains(">CMA<"), "the legend names CMA");
        assertTrue(svg.toLowerCase(java.util.Locale.ROOT).contains(String.format("#%06x",
                PhysMapLayout.shade(MigrateType.CMA, 0)).toLowerCase(java.util.Locale.ROOT))
                || svg.toLowerCase(java.util.Locale.ROOT).contains(String.format("#%06x",
                PhysMapLayout.colour(MigrateType.CMA))), "CMA cells are drawn in CMA's colour");
    }
}
