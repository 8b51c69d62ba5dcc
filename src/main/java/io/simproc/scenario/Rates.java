package io.simproc.scenario;

import io.simproc.config.Sizes;
import io.simproc.config.YamlNode;

import java.util.Locale;

/** Rates as scenarios write them: {@code 200M/s}, {@code 4K/ms}, {@code 1G/min}: bytes per second. */
public final class Rates {
    private Rates() {
    }

    /** Bytes per second from "200M/s", "4K/ms", "1G/min", "3G/h". */
    public static double bytesPerSecond(String text) {
        String s = text.trim();
        int slash = s.lastIndexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' is not a rate (use e.g. 200M/s)");
        }
        long bytes = Sizes.parseBytes(s.substring(0, slash));
        double per = switch (s.substring(slash + 1).trim().toLowerCase(Locale.ROOT)) {
            case "ms" -> 0.001;
            case "s", "sec" -> 1;
            case "m", "min" -> 60;
            case "h" -> 3600;
            default -> throw new IllegalArgumentException("'" + text + "' is not a rate (use e.g. 200M/s; per ms,"
                    + " s, min or h)");
        };
        return bytes / per;
    }

    /** A rate in a scenario node, greater than zero. */
    public static double bytesPerSecond(YamlNode n) {
        double r;
        try {
            r = bytesPerSecond(n.scalar());
        } catch (IllegalArgumentException e) {
            throw n.error(n.path() + ": " + e.getMessage());
        }
        if (!(r > 0)) {
            throw n.error(n.path() + ": the rate must be more than 0");
        }
        return r;
    }

    /** Human form: 200M/s. */
    public static String format(double bytesPerSecond) {
        return Sizes.format((long) bytesPerSecond) + "/s";
    }
}
