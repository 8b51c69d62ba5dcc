package io.simproc.physmap;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A drawing in device-independent pixels: rectangles and text lines in painting order, each tagged with what it
 * shows ({@link Kind}), so that every back end draws the same picture and a reader of the SVG can tell a pageblock
 * cell from a legend swatch.
 */
public final class Picture {
    /** What a shape stands for; the SVG writes it as the element's class. */
    public enum Kind {
        BACKGROUND("background"), TITLE("title"), ZONE_LABEL("zone"), CELL("pageblock"), HOLE("hole"),
        FREE_BLOCK("free-block"), LEGEND("legend");

        private final String cssClass;

        Kind(String cssClass) {
            this.cssClass = cssClass;
        }

        public String cssClass() {
            return cssClass;
        }
    }

    /** A filled and/or outlined rectangle; colours are 0xRRGGBB, -1 for none. */
    public record Rect(Kind kind, int x, int y, int width, int height, int fill, int stroke, int strokeWidth,
                       String tooltip) {
    }

    /** One line of text with its baseline at y. */
    public record Text(Kind kind, int x, int y, int size, boolean bold, String text) {
    }

    private final int width;
    private final int height;
    private final List<Object> shapes = new ArrayList<>();

    Picture(int width, int height) {
        this.width = width;
        this.height = height;
    }

    void add(Rect r) {
        shapes.add(r);
    }

    void add(Text t) {
        shapes.add(t);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Rects and Texts in painting order. */
    public List<Object> shapes() {
        return Collections.unmodifiableList(shapes);
    }
}
