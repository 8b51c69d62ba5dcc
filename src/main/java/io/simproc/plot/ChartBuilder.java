package io.simproc.plot;

import io.simproc.record.Recording;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.Axis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.block.LengthConstraintType;
import org.jfree.chart.block.RectangleConstraint;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the chart of some runs: scenario time on an x-axis all panels share, a panel per series group (in the
 * order groups first appear), a line per (run, series), event markers, the legend below, and the chart's height
 * (a fixed height per panel plus what title and legend need at the fixed width).
 */
final class ChartBuilder {
    static final int WIDTH = 1000;
    static final int PANEL_HEIGHT = 260;
    static final Color GRID = new Color(0xDDDDDD);
    private static final int GAP = 12;
    /** The shared time axis below the last panel and the chart's padding. */
    private static final int AXIS_AND_PADDING = 60;
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private static final Font AXIS_LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Font TICKS = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final Font LEGEND = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    /** A chart and the height to draw it at, {@link #WIDTH} wide. */
    record Built(JFreeChart chart, int height) {
    }

    private ChartBuilder() {
    }

    static Built build(List<Recording> runs, String title) {
        List<String> runNames = RunLabels.of(runs);
        Map<String, Panel> panels = new LinkedHashMap<>();
        for (int r = 0; r < runs.size(); r++) {
            List<Recording.Series> series = runs.get(r).series();
            for (int s = 0; s < series.size(); s++) {
                panels.computeIfAbsent(series.get(s).group(), Panel::new).add(r, s, series.get(s));
            }
        }
        EventMarks events = new EventMarks(runs);
        ValueAxis time = UnitAxis.time();
        style(time);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(time);
        plot.setGap(GAP);
        boolean top = true;
        for (Panel panel : panels.values()) {
            XYPlot sub = panel.plot(runs, runNames, events.markers(top));
            for (int a = 0; a < sub.getRangeAxisCount(); a++) {
                style(sub.getRangeAxis(a));
            }
            plot.add(sub, 1);
            top = false;
        }
        LegendItemCollection legend = new LegendItemCollection();
        legend.addAll(plot.getLegendItems());
        for (LegendItem item : events.legend()) {
            legend.add(item);
        }
        plot.setFixedLegendItems(legend);

        JFreeChart chart = new JFreeChart(title.isEmpty() ? null : title, TITLE, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        LegendTitle lt = chart.getLegend();
        lt.setItemFont(LEGEND);
        lt.setPosition(RectangleEdge.BOTTOM);
        lt.setFrame(BlockBorder.NONE);
        return new Built(chart, height(chart, panels.size()));
    }

    private static void style(Axis axis) {
        axis.setLabelFont(AXIS_LABEL);
        axis.setTickLabelFont(TICKS);
    }

    /** Panels at {@link #PANEL_HEIGHT} each, plus the title's and legend's heights at the chart's width. */
    private static int height(JFreeChart chart, int panels) {
        Graphics2D g2 = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            RectangleConstraint width = new RectangleConstraint(WIDTH, null, LengthConstraintType.FIXED, 0,
                    null, LengthConstraintType.NONE);
            double titles = 0;
            if (chart.getTitle() != null) {
                titles += chart.getTitle().arrange(g2, width).height;
            }
            for (int i = 0; i < chart.getSubtitleCount(); i++) {
                titles += chart.getSubtitle(i).arrange(g2, width).height;
            }
            return (int) Math.ceil(titles) + panels * PANEL_HEIGHT + (panels - 1) * GAP + AXIS_AND_PADDING;
        } finally {
            g2.dispose();
        }
    }
}
