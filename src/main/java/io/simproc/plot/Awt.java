package io.simproc.plot;

import java.awt.Font;
import java.awt.font.FontRenderContext;

/**
 * What drawing a chart needs of the JVM's graphics: no display (AWT headless, set before any AWT class loads), and
 * at least one font, since every tick and legend is text. A host without fonts fails here with one line that says
 * what to install, instead of somewhere inside AWT.
 */
final class Awt {
    static final String NO_FONTS = "charts need fonts and none was found: install fontconfig and a font "
            + "(Debian: apt-get install fontconfig fonts-dejavu-core; mount-scripts/install-deps does)";

    private static volatile boolean fontsChecked;

    private Awt() {
    }

    /** Make AWT headless; must run before the first AWT class initialises its toolkit. */
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    /** Throws {@link IllegalStateException} with {@link #NO_FONTS} when no font can lay out text. */
    static void requireFonts() {
        if (fontsChecked) {
            return;
        }
        boolean laidOut;
        try {
            Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
            laidOut = !font.createGlyphVector(new FontRenderContext(null, true, true), "0 MiB")
                    .getVisualBounds().isEmpty();
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError vme) {
                throw vme;
            }
            throw new IllegalStateException(NO_FONTS + " (" + e + ")", e);
        }
        if (!laidOut) {
            throw new IllegalStateException(NO_FONTS);
        }
        fontsChecked = true;
    }
}
