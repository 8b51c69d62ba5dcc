package io.simproc.record;

import io.simproc.kernel.Clock;
import io.simproc.kernel.Kernel;
import io.simproc.scenario.ProcReader;
import io.simproc.scenario.ScenarioRun;
import io.simproc.scenario.SeriesExpr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Records a running scenario's machine: advances its clock and, at scenario times 0, every, 2 × every..., reads
 * each series from the machine's files — after everything due at that instant has run, as {@code simproc run --at}
 * writes its trees — and notes the events between two samples ({@link EventDetector}). Reading never changes the
 * machine: a recorded run's files are those of an unrecorded one.
 */
public final class Recorder {
    /** The shortest interval: one jiffy (HZ=250), the clock's resolution. */
    public static final long MIN_EVERY_MILLIS = 1000 / Clock.HZ;

    private final ScenarioRun run;
    private final Kernel kernel;
    private final SeriesSet series;
    private final long everyMillis;
    private final Map<String, String> labels;
    private final List<double[]> rows = new ArrayList<>();
    private final List<Long> times = new ArrayList<>();
    private final String[] units;
    private final double[] previous;
    private final EventDetector events;
    private long nextMillis;
    private Recording recording;

    /**
     * A recorder of {@code series} every {@code everyMillis} of scenario time; the first sample is at 0. Reads each
     * machine-wide series once now, so that one the machine cannot show (meminfo.NoSuchField) is an
     * IllegalArgumentException before anything runs.
     */
    public Recorder(ScenarioRun run, SeriesSet series, long everyMillis, Map<String, String> labels) {
        if (everyMillis < MIN_EVERY_MILLIS) {
            throw new IllegalArgumentException("every: " + everyMillis + "ms is less than one jiffy ("
                    + MIN_EVERY_MILLIS + "ms)");
        }
        this.run = run;
        this.kernel = run.kernel();
        this.series = series;
        this.everyMillis = everyMillis;
        this.labels = new LinkedHashMap<>(labels);
        this.units = new String[series.size()];
        this.previous = new double[series.size()];
        Arrays.fill(previous, Double.NaN);
        this.events = new EventDetector(run);
        kernel.read(k -> {
            ProcReader files = new ProcReader(run);
            for (SeriesDef d : series.defs()) {
                String problem = d.expr().check(files);
                if (problem != null) {
                    throw new IllegalArgumentException("series '" + d.name() + "': " + problem);
                }
            }
            return null;
        });
        this.nextMillis = Math.max(0, run.nowMillis());
    }

    /**
     * Run the machine to scenario time {@code scenarioMillis}, sampling at every multiple of the interval up to
     * and including it.
     */
    public void advanceTo(long scenarioMillis) {
        advanceTo(scenarioMillis, kernel::advanceTo);
    }

    /**
     * The same on a machine whose clock something else drives (a live mount's pacing): {@code runTo} brings the
     * clock to a jiffy and returns there. A sample whose instant the clock went past ({@code ctl advance} during a
     * live recording) is left out rather than taken late.
     */
    public void advanceTo(long scenarioMillis, LongConsumer runTo) {
        while (nextMillis <= scenarioMillis) {
            long jiffy = run.jiffiesAt(nextMillis);
            runTo.accept(jiffy);
            long at = nextMillis;
            kernel.read(k -> {
                if (k.jiffies() == jiffy) {
                    sample(at);
                }
                return null;
            });
            nextMillis += everyMillis;
        }
        runTo.accept(run.jiffiesAt(scenarioMillis));
    }

    /** Scenario time of the next sample. */
    public long nextSampleMillis() {
        return nextMillis;
    }

    public long everyMillis() {
        return everyMillis;
    }

    /**
     * Wall-clock milliseconds since the Unix epoch at scenario time 0, as the machine's own clock tells it: its boot
     * time (/proc/stat btime) plus its uptime when the scenario started. OpenMetrics timestamps count from here by
     * default.
     */
    public long startEpochMillis() {
        return kernel.read(k -> k.bootEpoch() * 1000 + run.startJiffies() * 1000 / Clock.HZ);
    }

    /** The labels Prometheus would give a scrape of this machine's node_exporter: job and instance (its hostname). */
    public Map<String, String> targetLabels() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("job", "simproc");
        labels.put("instance", kernel.profile().hostname());
        return labels;
    }

    private void sample(long at) {
        ProcReader files = new ProcReader(run);
        List<SeriesDef> defs = series.defs();
        double[] row = new double[defs.size()];
        for (int s = 0; s < row.length; s++) {
            SeriesDef d = defs.get(s);
            SeriesExpr.Reading r = d.expr().read(files);
            if (units[s] == null && r.problem() == null) {
                units[s] = d.unitFor(r.bytes());
            }
            if (d.rate()) {
                double dt = times.isEmpty() ? Double.NaN : (at - times.get(times.size() - 1)) / 1000.0;
                row[s] = (r.value() - previous[s]) / dt;
                previous[s] = r.value();
            } else {
                row[s] = r.value();
            }
        }
        times.add(at);
        rows.add(row);
        events.sample(at, files);
        recording = null;
    }

    /** What was recorded so far (a series never read has the unit its expression would have as a plain number). */
    public Recording recording() {
        if (recording == null) {
            List<Recording.Series> list = new ArrayList<>();
            List<SeriesDef> defs = series.defs();
            for (int s = 0; s < defs.size(); s++) {
                SeriesDef d = defs.get(s);
                list.add(new Recording.Series(d.name(), units[s] != null ? units[s] : d.unitFor(false), d.group()));
            }
            Recording r = new Recording(list, labels);
            for (int i = 0; i < rows.size(); i++) {
                r.add(times.get(i), rows.get(i));
            }
            events.events().forEach(r::event);
            recording = r;
        }
        return recording;
    }
}
