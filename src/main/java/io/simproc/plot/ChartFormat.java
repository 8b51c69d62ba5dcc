package io.simproc.plot;

import java.nio.file.Path;
import java.util.Locale;

/** The file formats a chart is written in, chosen by the file name's extension. */
public enum ChartFormat {
    /** Scalable vector graphics (JFreeSVG): text stays text, lines stay paths; what a browser or a document shows. */
    SVG,
    /** A PNG image, for where SVG is not shown. */
    PNG;

    /** The format of {@code file} by its extension ({@code .svg} or {@code .png}, any case). */
    public static ChartFormat of(Path file) {
        Path name = file.getFileName();
        String n = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".svg")) {
            return SVG;
        }
        if (n.endsWith(".png")) {
            return PNG;
        }
        throw new IllegalArgumentException("a chart is written as .svg or .png, not " + file);
    }
}
