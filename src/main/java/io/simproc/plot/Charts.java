package io.simproc.plot;

import io.simproc.record.Recording;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.text.TextUtils;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Charts of recordings: scenario time across, a panel per series group, a line per run and series, the runs told
 * apart in the legend by the labels that differ between them, events marked (docs/CHARTS.md). The same recordings
 * give the same file byte for byte on one host (text is laid out with the host's fonts).
 */
public final class Charts {
    static {
        Awt.headless();
        // Rotated text (the value axes' labels) as SVG text, not as glyph outlines: searchable, smaller.
        TextUtils.setUseDrawRotatedStringWorkaround(false);
    }

    /** Defs (clip paths) are named with this prefix; JFreeSVG's own default is time based. */
    private static final String DEFS_PREFIX = "simproc-";

    private Charts() {
    }

    /**
     * Draw {@code runs} into {@code file}, as SVG or PNG by its extension; {@code title} heads the chart (empty:
     * none). Bad input (no runs, a run without samples, another extension) throws IllegalArgumentException before
     * anything is written; a file that cannot be written throws an IOException that says why.
     */
    public static void write(List<Recording> runs, Path file, String title) throws IOException {
        ChartFormat format = ChartFormat.of(file);
        byte[] bytes = render(runs, format, title);
        try {
            Files.write(file, bytes);
        } catch (NoSuchFileException e) {
            throw new IOException("cannot write the chart " + file + ": no such directory", e);
        } catch (AccessDeniedException e) {
            throw new IOException("cannot write the chart " + file + ": permission denied", e);
        } catch (IOException e) {
            throw new IOException("cannot write the chart " + file + ": " + e.getMessage(), e);
        }
    }

    /** The chart of {@code runs} as the bytes of a {@code format} file. */
    static byte[] render(List<Recording> runs, ChartFormat format, String title) {
        Objects.requireNonNull(title);
        check(runs);
        Awt.requireFonts();
        ChartBuilder.Built built = ChartBuilder.build(runs, title);
        return switch (format) {
            case SVG -> svg(built.chart(), built.height());
            case PNG -> png(built.chart(), built.height());
        };
    }

    private static void check(List<Recording> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("a chart needs at least one recording");
        }
        for (int r = 0; r < runs.size(); r++) {
            Recording run = runs.get(r);
            if (run.samples() == 0) {
                throw new IllegalArgumentException("recording " + (r + 1) + " of " + runs.size() + " "
                        + run.labels() + " has no samples to draw");
            }
            Set<String> names = new HashSet<>();
            for (Recording.Series s : run.series()) {
                if (!names.add(s.name())) {
                    throw new IllegalArgumentException("recording " + (r + 1) + " of " + runs.size()
                            + " has the series " + s.name() + " twice");
                }
            }
        }
    }

    private static byte[] svg(JFreeChart chart, int height) {
        SVGGraphics2D g2 = new SVGGraphics2D(ChartBuilder.WIDTH, height);
        g2.setDefsKeyPrefix(DEFS_PREFIX);
        chart.draw(g2, new Rectangle(ChartBuilder.WIDTH, height));
        String svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + g2.getSVGElement(null, true, new ViewBox(0, 0, ChartBuilder.WIDTH, height), null, null) + "\n";
        return svg.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] png(JFreeChart chart, int height) {
        BufferedImage image = new BufferedImage(ChartBuilder.WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g2 = image.createGraphics();
        try {
            chart.draw(g2, new Rectangle(ChartBuilder.WIDTH, height));
        } finally {
            g2.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new IllegalStateException("encoding the chart as PNG failed", e);
        }
        return out.toByteArray();
    }
}
