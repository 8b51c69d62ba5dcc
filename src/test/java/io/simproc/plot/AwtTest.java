package io.simproc.plot;

import org.junit.jupiter.api.Test;

import java.awt.GraphicsEnvironment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AwtTest {
    @Test
    void aHostWithoutFontsGetsOneLineThatSaysWhatToInstall() {
        // What JDK 17's font manager throws on a Debian host with fontconfig but no font.
        InternalError awt = new InternalError(new RuntimeException(
                "Fontconfig head is null, check your fonts or fonts configuration"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Awt.requireFonts(() -> {
            throw awt;
        }));
        assertEquals(Awt.NO_FONTS + " (Fontconfig head is null, check your fonts or fonts configuration)",
                e.getMessage());
        assertSame(awt, e.getCause());
        assertTrue(e.getMessage().contains("fonts-dejavu-core"));
        IllegalStateException empty = assertThrows(IllegalStateException.class, () -> Awt.requireFonts(() -> false));
        assertEquals(Awt.NO_FONTS, empty.getMessage());
    }

    @Test
    void thisHostHasFontsAndNoDisplayIsNeeded() {
        Awt.headless();
        Awt.requireFonts();
        assertTrue(GraphicsEnvironment.isHeadless());
    }
}
