package io.simproc.physmap;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.mm.PageblockSnapshot;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The text form of a pageblock snapshot reads back to the same picture; a truncated one is refused. */
class PageblockTextTest {
    @Test
    void aSnapshotReadBackDrawsTheSamePicture() {
        Kernel k = Kernel.boot(MachineProfileLoader.loadDefault(), 4);
        PageblockSnapshot s = k.read(x -> PageblockSnapshot.take(x.mm()));
        List<String> lines = new ArrayList<>();
        PageblockText.write(s, lines::add);
        PageblockSnapshot back = PageblockText.parse(lines);
        assertEquals(SvgWriter.write(PhysMapLayout.layout(s, "t")), SvgWriter.write(PhysMapLayout.layout(back, "t")));
        List<String> again = new ArrayList<>();
        PageblockText.write(back, again::add);
        assertEquals(lines, again);
    }

    @Test
    void aTruncatedSnapshotIsRefusedNamingTheLine() {
        Kernel k = Kernel.boot(MachineProfileLoader.loadDefault(), 4);
        List<String> lines = new ArrayList<>();
        PageblockText.write(k.read(x -> PageblockSnapshot.take(x.mm())), lines::add);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PageblockText.parse(lines.subList(0, 20)));
        assertTrue(e.getMessage().startsWith("pageblock map line "), e.getMessage());
    }
}
