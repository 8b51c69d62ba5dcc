package io.simproc.record;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A recording in the OpenMetrics text format (what {@code promtool tsdb create-blocks-from openmetrics} loads):
 * one metric family per series ({@link MetricName}), each with its {@code # TYPE}, {@code # UNIT} (when it has one)
 * and {@code # HELP} lines and then all its samples, timestamped in seconds since the Unix epoch; {@code # EOF} at
 * the end. Every sample carries the target labels ({@code job}, {@code instance}) and the recording's labels (knob
 * settings, seed; a name's characters other than letters, digits and '_' become '_'). A value the series did not
 * have at a sample is left out, as a failed scrape would be.
 */
final class OpenMetricsWriter {
    private OpenMetricsWriter() {
    }

    /**
     * Write {@code r}; scenario time 0 is {@code startEpochMillis} since the epoch; {@code target} labels come
     * first (a recording label of the same name is dropped).
     */
    static void write(Recording r, long startEpochMillis, Map<String, String> target, Writer out)
            throws IOException {
        String labels = labels(target, r.labels());
        List<MetricName> names = familyNames(r.series());
        StringBuilder b = new StringBuilder();
        for (int s = 0; s < r.series().size(); s++) {
            Recording.Series series = r.series().get(s);
            MetricName m = names.get(s);
            b.setLength(0);
            b.append("# TYPE ").append(m.family()).append(' ').append(m.type()).append('\n');
            if (!m.unit().isEmpty()) {
                b.append("# UNIT ").append(m.family()).append(' ').append(m.unit()).append('\n');
            }
            b.append("# HELP ").append(m.family()).append(' ').append(escape(help(series, m), false)).append('\n');
            for (int i = 0; i < r.samples(); i++) {
                double v = r.value(s, i);
                if (Double.isNaN(v)) {
                    continue;
                }
                b.append(m.sampleName()).append(labels).append(' ').append(Numbers.format(v, m.shift())).append(' ')
                        .append(Numbers.seconds(startEpochMillis + r.millis(i))).append('\n');
            }
            out.write(b.toString());
        }
        out.write("# EOF\n");
    }

    private static String help(Recording.Series s, MetricName m) {
        String unit = m.shift() == -6 && s.unit().equals("us") ? " (recorded in us, exported in seconds)" : "";
        return "simproc series " + s.name() + " [" + s.unit() + "], group " + s.group() + unit;
    }

    /** One family name per series, numbered where two expressions would share one. */
    private static List<MetricName> familyNames(List<Recording.Series> series) {
        List<MetricName> out = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (Recording.Series s : series) {
            MetricName m = MetricName.of(s.name(), s.unit());
            for (int n = 2; !used.add(m.family()); n++) {
                m = MetricName.of(s.name(), s.unit()).numbered(n);
            }
            out.add(m);
        }
        return out;
    }

    private static String labels(Map<String, String> target, Map<String, String> recording) {
        Map<String, String> all = new LinkedHashMap<>();
        target.forEach((k, v) -> all.put(labelName(k), v));
        recording.forEach((k, v) -> all.putIfAbsent(labelName(k), v));
        if (all.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, String> e : all.entrySet()) {
            b.append(b.length() > 1 ? "," : "").append(e.getKey()).append("=\"").append(escape(e.getValue(), true))
                    .append('"');
        }
        return b.append('}').toString();
    }

    static String labelName(String name) {
        String s = name.replaceAll("[^A-Za-z0-9_]", "_");
        return s.isEmpty() || Character.isDigit(s.charAt(0)) ? "_" + s : s;
    }

    /** OpenMetrics escapes: backslash and newline, and in label values the double quote. */
    private static String escape(String text, boolean quote) {
        String s = text.replace("\\", "\\\\").replace("\n", "\\n");
        return quote ? s.replace("\"", "\\\"") : s;
    }
}
