package io.simproc.record;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A time series recording of one simulated run: the values of several series sampled at instants of simulated
 * time, the events that happened between samples (OOM kills, compaction runs, drop_caches), and the labels that
 * tell this run from others of the same scenario (knob settings, seed). Written as CSV or OpenMetrics and drawn as
 * charts; every value is one the same expression reads from the machine's files at that instant.
 */
public final class Recording {
    /**
     * One recorded series: its name (the expression as the user wrote it, or a default series' name), the unit its
     * values are in ("bytes", "pages", "count", "percent", "us", ...: the CSV header prints it) and the group it is
     * drawn with (series of one group share a chart panel).
     */
    public record Series(String name, String unit, String group) {
        public Series {
            Objects.requireNonNull(name);
            Objects.requireNonNull(unit);
            Objects.requireNonNull(group);
        }
    }

    /** Something that happened at {@code millis} of scenario time: {@code kind} is "oom_kill", "compaction", ... */
    public record Event(long millis, String kind, String detail) {
        public Event {
            Objects.requireNonNull(kind);
            Objects.requireNonNull(detail);
        }
    }

    private final List<Series> series;
    private final Map<String, String> labels;
    private long[] millis = new long[64];
    private double[][] values;
    private int samples;
    private final List<Event> events = new ArrayList<>();

    /** An empty recording of {@code series}, labelled (in the given order) with {@code labels}. */
    public Recording(List<Series> series, Map<String, String> labels) {
        if (series.isEmpty()) {
            throw new IllegalArgumentException("a recording needs at least one series");
        }
        this.series = List.copyOf(series);
        this.labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        this.values = new double[series.size()][64];
    }

    public List<Series> series() {
        return series;
    }

    /** Knob settings and seed of this run, e.g. {@code vm.swappiness=10}, {@code seed=3}; may be empty. */
    public Map<String, String> labels() {
        return labels;
    }

    /** How many samples were taken. */
    public int samples() {
        return samples;
    }

    /** Scenario time of sample {@code i}, in milliseconds. */
    public long millis(int i) {
        Objects.checkIndex(i, samples);
        return millis[i];
    }

    /** The value of series {@code s} at sample {@code i} (NaN where the expression had no value then). */
    public double value(int s, int i) {
        Objects.checkIndex(i, samples);
        return values[s][i];
    }

    /** Add a sample: one value per series, in the order of {@link #series()}; times must increase. */
    public void add(long atMillis, double[] row) {
        if (row.length != series.size()) {
            throw new IllegalArgumentException(row.length + " values for " + series.size() + " series");
        }
        if (samples > 0 && atMillis <= millis[samples - 1]) {
            throw new IllegalArgumentException("sample at " + atMillis + " ms after one at " + millis[samples - 1]);
        }
        if (samples == millis.length) {
            millis = Arrays.copyOf(millis, samples * 2);
            for (int s = 0; s < values.length; s++) {
                values[s] = Arrays.copyOf(values[s], samples * 2);
            }
        }
        millis[samples] = atMillis;
        for (int s = 0; s < row.length; s++) {
            values[s][samples] = row[s];
        }
        samples++;
    }

    public void event(Event e) {
        events.add(e);
    }

    /** The events, in the order they were added (by time). */
    public List<Event> events() {
        return Collections.unmodifiableList(events);
    }
}
