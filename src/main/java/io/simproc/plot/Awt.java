package io.simproc.plot;

import java.awt.Font;
import java.awt.font.FontRenderContext;
import java.util.function.BooleanSupplier;

/**
 * What drawing a chart needs of the JVM's graphics: no display (AWT headless, set before any AWT class loads), and
 * at least one font, since every tick and legend is text. A host without fonts fails here with one line that says
 * what to install, instead of with an InternalError from inside AWT's font manager.
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
        if (!fontsChecked) {
            requireFonts(Awt::layOutText);
            fontsChecked = true;
        }
    }

    /** {@code layOut} lays out some text and says whether it has a size; AWT's errors become {@link #NO_FONTS}. */
    static void requireFonts(BooleanSupplier layOut) {
        boolean laidOut;
        try {
            laidOut = layOut.getAsBoolean();
        } catch (RuntimeException | Error e) {
            if (e instanceof OutOfMemoryError oom) {
                throw oom;
            }
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw new IllegalStateException(NO_FONTS + " (" + root.getMessage() + ")", e);
        }
        if (!laidOut) {
            throw new IllegalStateException(NO_FONTS);
        }
    }

    private static boolean layOutText() {
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        return !font.createGlyphVector(new FontRenderContext(null, true, true), "0 MiB").getVisualBounds().isEmpty();
    }
}
