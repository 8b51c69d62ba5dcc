package io.simproc.physmap;

import io.simproc.physmap.Picture.Rect;
import io.simproc.physmap.Picture.Text;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;

/** Draws a {@link Picture} into an RGB image and writes it as PNG (Java2D, headless). */
public final class PngWriter {
    private PngWriter() {
    }

    public static BufferedImage draw(Picture p) {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(p.width(), p.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            for (Object s : p.shapes()) {
                if (s instanceof Rect r) {
                    if (r.fill() >= 0) {
                        g.setColor(new Color(r.fill()));
                        g.fillRect(r.x(), r.y(), r.width(), r.height());
                    }
                    if (r.stroke() >= 0) {
                        g.setColor(new Color(r.stroke()));
                        g.setStroke(new BasicStroke(r.strokeWidth()));
                        g.drawRect(r.x(), r.y(), r.width(), r.height());
                    }
                } else if (s instanceof Text t) {
                    g.setColor(new Color(PhysMapLayout.TEXT));
                    g.setFont(new Font(Font.MONOSPACED, t.bold() ? Font.BOLD : Font.PLAIN, t.size()));
                    g.drawString(t.text(), t.x(), t.y());
                }
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    public static void write(Picture p, OutputStream out) throws IOException {
        if (!ImageIO.write(draw(p), "png", out)) {
            throw new IOException("no PNG writer in this Java runtime");
        }
    }
}
