package io.simproc.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Stroke;

/**
 * Colours and dash patterns of a panel's lines. A panel with one series gives each run a colour; a panel with
 * several series gives each series a colour and each run a dash pattern, so that the runs of one series read as
 * one family. Colours are Tableau's ten, which stay apart for most readers; events get darker ones.
 */
final class LineStyles {
    private static final Color[] LINES = {
        new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759), new Color(0x76B7B2), new Color(0x59A14F),
        new Color(0xEDC948), new Color(0xB07AA1), new Color(0xFF9DA7), new Color(0x9C755F), new Color(0xBAB0AC),
    };
    private static final Color[] EVENTS = {
        new Color(0x8B0000), new Color(0x2F4F4F), new Color(0x4B0082), new Color(0x556B2F), new Color(0x8B4513),
    };
    private static final float[][] DASHES = {null, {8, 4}, {2, 3}, {10, 3, 2, 3}, {16, 5}, {4, 4}};
    private static final float WIDTH = 1.5f;

    private LineStyles() {
    }

    static Color line(int index) {
        return LINES[index % LINES.length];
    }

    static Stroke stroke(int runIndex) {
        float[] dash = DASHES[runIndex % DASHES.length];
        return new BasicStroke(WIDTH, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10, dash, 0);
    }

    static Color event(int kindIndex) {
        return EVENTS[kindIndex % EVENTS.length];
    }

    static Stroke eventStroke() {
        return new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {3, 3}, 0);
    }
}
