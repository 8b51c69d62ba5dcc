package io.simproc.physmap;

import io.simproc.physmap.Picture.Rect;
import io.simproc.physmap.Picture.Text;

/** Writes a {@link Picture} as a standalone SVG 1.1 document; each shape carries its kind as its class. */
public final class SvgWriter {
    private SvgWriter() {
    }

    public static String write(Picture p) {
        StringBuilder sb = new StringBuilder(64 * p.shapes().size() + 256);
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"").append(p.width())
                .append("\" height=\"").append(p.height()).append("\" viewBox=\"0 0 ").append(p.width()).append(' ')
                .append(p.height()).append("\" font-family=\"DejaVu Sans Mono, monospace\">\n");
        for (Object s : p.shapes()) {
            if (s instanceof Rect r) {
                rect(sb, r);
            } else if (s instanceof Text t) {
                sb.append("<text class=\"").append(t.kind().cssClass()).append("\" x=\"").append(t.x())
                        .append("\" y=\"").append(t.y()).append("\" font-size=\"").append(t.size()).append('"')
                        .append(t.bold() ? " font-weight=\"bold\"" : "").append(" fill=\"")
                        .append(hex(PhysMapLayout.TEXT)).append("\" xml:space=\"preserve\">").append(escape(t.text()))
                        .append("</text>\n");
            }
        }
        return sb.append("</svg>\n").toString();
    }

    private static void rect(StringBuilder sb, Rect r) {
        sb.append("<rect class=\"").append(r.kind().cssClass()).append("\" x=\"").append(r.x()).append("\" y=\"")
                .append(r.y()).append("\" width=\"").append(r.width()).append("\" height=\"").append(r.height())
                .append("\" fill=\"").append(r.fill() < 0 ? "none" : hex(r.fill())).append('"');
        if (r.stroke() >= 0) {
            sb.append(" stroke=\"").append(hex(r.stroke())).append("\" stroke-width=\"").append(r.strokeWidth())
                    .append('"');
        }
        if (r.tooltip() == null) {
            sb.append("/>\n");
        } else {
            sb.append("><title>").append(escape(r.tooltip())).append("</title></rect>\n");
        }
    }

    private static String hex(int rgb) {
        return String.format("#%06x", rgb);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
