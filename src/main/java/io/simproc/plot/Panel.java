package io.simproc.plot;

import io.simproc.record.Recording;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.Layer;
import org.jfree.data.xy.DefaultXYDataset;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One panel of a chart: the series of one group, from every run, as lines over scenario time. Series of one unit
 * share a value axis; a group mixing units gets one axis per unit (the first on the left, the others right).
 */
final class Panel {
    private record Ref(int run, int series, String name) {
    }

    private final String group;
    private final Map<String, List<Ref>> byUnit = new LinkedHashMap<>();
    private final Set<String> names = new LinkedHashSet<>();

    Panel(String group) {
        this.group = group;
    }

    /** Draw series {@code s} of run {@code run} in this panel. */
    void add(int run, int s, Recording.Series series) {
        byUnit.computeIfAbsent(series.unit(), u -> new ArrayList<>()).add(new Ref(run, s, series.name()));
        names.add(series.name());
    }

    /** The panel's plot: a line per (run, series), its event markers behind them. */
    XYPlot plot(List<Recording> runs, List<String> runNames, List<EventMarker> markers) {
        XYPlot plot = new XYPlot();
        int dataset = 0;
        for (Map.Entry<String, List<Ref>> unit : byUnit.entrySet()) {
            DefaultXYDataset lines = new DefaultXYDataset();
            List<TaggedRenderer.Line> tags = new ArrayList<>();
            List<Ref> refs = unit.getValue();
            for (Ref ref : refs) {
                String run = runNames.get(ref.run());
                String legend = run.isEmpty() ? ref.name() : ref.name() + " (" + run + ")";
                lines.addSeries(legend, series(runs.get(ref.run()), ref.series()));
                tags.add(new TaggedRenderer.Line(ref.name(), run, legend));
            }
            TaggedRenderer renderer = new TaggedRenderer(group, tags);
            List<String> order = new ArrayList<>(names);
            boolean single = names.size() == 1;
            for (int k = 0; k < refs.size(); k++) {
                Ref ref = refs.get(k);
                renderer.setSeriesPaint(k, LineStyles.line(single ? ref.run() : order.indexOf(ref.name())));
                renderer.setSeriesStroke(k, LineStyles.stroke(single ? 0 : ref.run()));
            }
            plot.setDataset(dataset, lines);
            plot.setRenderer(dataset, renderer);
            plot.setRangeAxis(dataset, UnitAxis.of(group, unit.getKey()));
            plot.mapDatasetToRangeAxis(dataset, dataset);
            if (dataset > 0) {
                plot.setRangeAxisLocation(dataset, AxisLocation.BOTTOM_OR_RIGHT);
            }
            dataset++;
        }
        for (EventMarker m : markers) {
            plot.addDomainMarker(m, Layer.BACKGROUND);
        }
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(ChartBuilder.GRID);
        plot.setRangeGridlinePaint(ChartBuilder.GRID);
        plot.setOutlinePaint(Color.GRAY);
        return plot;
    }

    /**
     * Series {@code s} of {@code run} against scenario seconds. A missing value (NaN) leaves a gap in the line, and
     * so does an infinite one (a cgroup limit of "max"), which no axis can show.
     */
    private static double[][] series(Recording run, int s) {
        double[][] xy = new double[2][run.samples()];
        for (int i = 0; i < run.samples(); i++) {
            xy[0][i] = run.millis(i) / 1000.0;
            double v = run.value(s, i);
            xy[1][i] = Double.isInfinite(v) ? Double.NaN : v;
        }
        return xy;
    }
}
