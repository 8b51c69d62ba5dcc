package io.simproc.plot;

import io.simproc.record.Recording;
import org.jfree.chart.LegendItem;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;

import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Line2D;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The events of all runs as vertical markers: one per distinct instant and kind (ten runs killing at the same
 * millisecond draw one line), the kind written once, at its first marker in the top panel, and a legend entry per
 * kind that counts its instants. Labels of kinds are staggered downwards so that kinds at one instant stay legible.
 */
final class EventMarks {
    private record Instant(long millis, String kind) {
    }

    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
    /** White, mostly opaque: the label stays legible over a line without hiding it. */
    private static final Color LABEL_BACKGROUND = new Color(255, 255, 255, 200);

    private final List<Instant> instants;
    private final Map<String, Integer> kinds = new LinkedHashMap<>();
    private final Map<String, Integer> counts = new LinkedHashMap<>();

    EventMarks(List<Recording> runs) {
        TreeSet<Instant> distinct = new TreeSet<>(Comparator.comparingLong(Instant::millis)
                .thenComparing(Instant::kind));
        for (Recording r : runs) {
            for (Recording.Event e : r.events()) {
                distinct.add(new Instant(e.millis(), e.kind()));
            }
        }
        instants = new ArrayList<>(distinct);
        for (Instant i : instants) {
            kinds.putIfAbsent(i.kind(), kinds.size());
            counts.merge(i.kind(), 1, Integer::sum);
        }
    }

    /** A panel's markers; the top panel's carry the labels. */
    List<EventMarker> markers(boolean top) {
        List<EventMarker> markers = new ArrayList<>(instants.size());
        Map<String, Boolean> labelled = new LinkedHashMap<>();
        for (Instant i : instants) {
            int k = kinds.get(i.kind());
            EventMarker m = new EventMarker(i.millis() / 1000.0, i.kind());
            m.setPaint(LineStyles.event(k));
            m.setStroke(LineStyles.eventStroke());
            if (top && labelled.putIfAbsent(i.kind(), true) == null) {
                m.setLabel(i.kind());
                m.setLabelFont(LABEL);
                m.setLabelPaint(LineStyles.event(k));
                m.setLabelBackgroundColor(LABEL_BACKGROUND);
                m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
                m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
                m.setLabelOffset(new RectangleInsets(2 + 12 * k, 2, 2, 2));
            }
            markers.add(m);
        }
        return markers;
    }

    /** A legend entry per kind: "oom_kill (3 events)". */
    List<LegendItem> legend() {
        List<LegendItem> items = new ArrayList<>(kinds.size());
        for (Map.Entry<String, Integer> kind : kinds.entrySet()) {
            int n = counts.get(kind.getKey());
            String text = kind.getKey() + " (" + n + (n == 1 ? " event)" : " events)");
            items.add(new LegendItem(text, null, null, null, new Line2D.Double(-14, 0, 14, 0),
                    LineStyles.eventStroke(), LineStyles.event(kind.getValue())));
        }
        return items;
    }
}
