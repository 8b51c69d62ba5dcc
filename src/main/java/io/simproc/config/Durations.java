package io.simproc.config;

import java.util.Locale;

/** Durations as users write them in profiles and scenarios: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}. */
public final class Durations {
    private Durations() {
    }

    /** Milliseconds from "250ms", "1.5s", "30s", "5m", "2h", "1d"; a bare number is seconds. */
    public static long parseMillis(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        long mult;
        String num;
        if (s.endsWith("ms")) {
            mult = 1;
            num = s.substring(0, s.length() - 2);
        } else if (s.endsWith("s")) {
            mult = 1000;
            num = s.substring(0, s.length() - 1);
        } else if (s.endsWith("m")) {
            mult = 60_000;
            num = s.substring(0, s.length() - 1);
        } else if (s.endsWith("h")) {
            mult = 3_600_000;
            num = s.substring(0, s.length() - 1);
        } else if (s.endsWith("d")) {
            mult = 86_400_000;
            num = s.substring(0, s.length() - 1);
        } else {
            mult = 1000;
            num = s;
        }
        try {
            double v = Double.parseDouble(num.trim());
            if (v < 0 || Double.isNaN(v) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("'" + text + "' is negative");
            }
            return Math.round(v * mult);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (use e.g. 500ms, 30s, 5m, 2h)");
        }
    }

    /** Human form: 1.5s, 5m, 2h, 250ms. */
    public static String format(long millis) {
        if (millis % 3_600_000 == 0 && millis != 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0 && millis != 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis < 1000 ? millis + "ms" : String.format(Locale.ROOT, "%.3fs", millis / 1000.0);
    }
}
