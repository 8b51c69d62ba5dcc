package io.simproc.plot;

import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.Marker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGHints;

import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Draws each series of a panel as one path (NaN values break it: a gap) and, in SVG, wraps every line in a group
 * that names it ({@code <g class='line' data-panel='memory' data-series='meminfo.MemFree'
 * data-run='vm.swappiness=10'>} with a {@code <title>} a browser shows on hover) and every event marker in
 * {@code <g class='event' data-kind='oom_kill'>}, so that a reader of the file can find them.
 */
final class TaggedRenderer extends XYLineAndShapeRenderer {
    /** One line of the panel: its series and run, in the order of the dataset's series. */
    record Line(String series, String run, String legend) {
    }

    private final String panel;
    private final List<Line> lines;

    TaggedRenderer(String panel, List<Line> lines) {
        super(true, false);
        this.panel = panel;
        this.lines = List.copyOf(lines);
        setDrawSeriesLineAsPath(true);
        setLegendLine(new Line2D.Double(-14, 0, 14, 0));
    }

    @Override
    protected void drawFirstPassShape(Graphics2D g2, int pass, int series, int item, Shape shape) {
        if (!(g2 instanceof SVGGraphics2D)) {
            super.drawFirstPassShape(g2, pass, series, item, shape);
            return;
        }
        Line line = lines.get(series);
        Map<String, String> group = new LinkedHashMap<>();
        group.put("class", "line");
        group.put("data-panel", panel);
        group.put("data-series", line.series());
        group.put("data-run", line.run());
        g2.setRenderingHint(SVGHints.KEY_BEGIN_GROUP, group);
        g2.setRenderingHint(SVGHints.KEY_ELEMENT_TITLE, line.legend());
        super.drawFirstPassShape(g2, pass, series, item, shape);
        g2.setRenderingHint(SVGHints.KEY_END_GROUP, "line");
    }

    @Override
    public void drawDomainMarker(Graphics2D g2, XYPlot plot, ValueAxis domainAxis, Marker marker,
            Rectangle2D dataArea) {
        if (!(g2 instanceof SVGGraphics2D) || !(marker instanceof EventMarker event)) {
            super.drawDomainMarker(g2, plot, domainAxis, marker, dataArea);
            return;
        }
        Map<String, String> group = new LinkedHashMap<>();
        group.put("class", "event");
        group.put("data-panel", panel);
        group.put("data-kind", event.kind());
        g2.setRenderingHint(SVGHints.KEY_BEGIN_GROUP, group);
        super.drawDomainMarker(g2, plot, domainAxis, marker, dataArea);
        g2.setRenderingHint(SVGHints.KEY_END_GROUP, "event");
    }
}
