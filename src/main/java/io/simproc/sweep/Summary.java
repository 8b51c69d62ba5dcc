package io.simproc.sweep;

import io.simproc.config.Sizes;
import io.simproc.record.Recording;

import java.util.Locale;

/**
 * A value that sums up one series of a run for a sweep's comparison table ({@code --summary}):
 * {@code peak(EXPR)}, {@code min(EXPR)}, {@code final(EXPR)}, {@code mean(EXPR)} (over the samples), or
 * {@code time_to(EXPR OP VALUE)}, the scenario time of the first sample at which the condition held. EXPR is a
 * series as {@code --series} takes it; the sweep records it.
 */
public record Summary(String text, Kind kind, String series, String op, double threshold) {
    /** What is taken of the series. */
    public enum Kind { PEAK, MIN, FINAL, MEAN, TIME_TO }

    static final String[] OPS = {"<=", ">=", "==", "!=", "<", ">"};

    /** Parse a summary; an IllegalArgumentException with one line saying what is wrong. */
    public static Summary parse(String text) {
        String t = text.trim();
        int open = t.indexOf('(');
        if (open <= 0 || !t.endsWith(")")) {
            throw new IllegalArgumentException("--summary " + text + ": expected peak(EXPR), min(EXPR), final(EXPR),"
                    + " mean(EXPR) or time_to(EXPR OP VALUE)");
        }
        String fn = t.substring(0, open).trim();
        String inner = t.substring(open + 1, t.length() - 1).trim();
        Kind kind = switch (fn) {
            case "peak" -> Kind.PEAK;
            case "min" -> Kind.MIN;
            case "final" -> Kind.FINAL;
            case "mean" -> Kind.MEAN;
            case "time_to" -> Kind.TIME_TO;
            default -> throw new IllegalArgumentException("--summary " + text + ": unknown function '" + fn
                    + "' (peak, min, final, mean, time_to)");
        };
        if (inner.isEmpty()) {
            throw new IllegalArgumentException("--summary " + text + ": no series between the parentheses");
        }
        if (kind != Kind.TIME_TO) {
            return new Summary(t, kind, inner, null, Double.NaN);
        }
        for (String op : OPS) {
            int at = inner.indexOf(op);
            if (at > 0) {
                String value = inner.substring(at + op.length()).trim();
                return new Summary(t, kind, inner.substring(0, at).trim(), op, threshold(text, value));
            }
        }
        throw new IllegalArgumentException("--summary " + text + ": time_to needs a condition, e.g."
                + " time_to(meminfo.MemFree < 100M)");
    }

    private static double threshold(String text, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            try {
                return Sizes.parseBytes(value);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("--summary " + text + ": '" + value + "' is not a number or a"
                        + " size");
            }
        }
    }

    /** The summary of {@code r}: NaN when the series has no value (time_to: the condition never held). */
    public double of(Recording r) {
        int s = seriesIndex(r);
        int n = r.samples();
        double acc = switch (kind) {
            case PEAK -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
            default -> 0;
        };
        int counted = 0;
        for (int i = 0; i < n; i++) {
            double v = r.value(s, i);
            if (Double.isNaN(v)) {
                continue;
            }
            switch (kind) {
                case PEAK -> acc = Math.max(acc, v);
                case MIN -> acc = Math.min(acc, v);
                case MEAN -> acc += v;
                case FINAL -> acc = v;
                case TIME_TO -> {
                    if (holds(v)) {
                        return r.millis(i) / 1000.0;
                    }
                }
            }
            counted++;
        }
        if (kind == Kind.TIME_TO || counted == 0) {
            return Double.NaN;
        }
        return kind == Kind.MEAN ? acc / counted : acc;
    }

    /** The unit of the summary's values: seconds for time_to, the series' own otherwise. */
    public String unit(Recording r) {
        return kind == Kind.TIME_TO ? "s" : r.series().get(seriesIndex(r)).unit();
    }

    private boolean holds(double v) {
        return switch (op) {
            case "<" -> v < threshold;
            case "<=" -> v <= threshold;
            case ">" -> v > threshold;
            case ">=" -> v >= threshold;
            case "==" -> v == threshold;
            default -> v != threshold;
        };
    }

    /** The recording's series of this summary, whatever the spaces in either name. */
    private int seriesIndex(Recording r) {
        String wanted = series.replaceAll("\\s", "");
        for (int i = 0; i < r.series().size(); i++) {
            if (r.series().get(i).name().replaceAll("\\s", "").equals(wanted)) {
                return i;
            }
        }
        throw new IllegalStateException("the recording has no series '" + series + "'");
    }

    /** A value of this summary as the table prints it: sizes in K/M/G, seconds with 1 decimal, "never". */
    public static String format(double v, String unit) {
        if (Double.isNaN(v)) {
            return unit.equals("s") ? "never" : "-";
        }
        if (unit.equals("bytes") && Math.abs(v) >= 1024) {
            return (v < 0 ? "-" : "") + Sizes.human((long) Math.abs(v));
        }
        if (unit.equals("s")) {
            return String.format(Locale.ROOT, "%.1fs", v);
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
