package io.simproc.sweep;

import io.simproc.scenario.KnobValues;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runs of a sweep: every combination of the knobs' values ({@code --set}), each with every seed
 * ({@code --seeds}). The first knob varies slowest, the seed fastest, so that the runs of one setting are
 * neighbours.
 */
public record SweepPlan(List<KnobValues> knobs, List<Long> seeds) {
    /** At most this many runs: a typo such as {@code --seeds 1..100000} is an error, not a week of work. */
    public static final int MAX_RUNS = 10_000;

    /** One run: the value of each knob (by sysctl name, in {@code --set} order) and the seed. */
    public record Point(Map<String, String> knobs, long seed) {
        public Point {
            knobs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(knobs));
        }

        /** The knob settings and the seed, as a recording's labels: {@code vm.swappiness=10, seed=1}. */
        public Map<String, String> labels() {
            Map<String, String> l = new LinkedHashMap<>(knobs);
            l.put("seed", Long.toString(seed));
            return l;
        }

        /** The setting without the seed, {@code vm.swappiness=10 vm.vfs_cache_pressure=50}: a table's column. */
        public String setting() {
            List<String> parts = new ArrayList<>();
            knobs.forEach((k, v) -> parts.add(k + "=" + v));
            return String.join(" ", parts);
        }

        /** A file name for this run's outputs: {@code vm.swappiness=10_seed=1}. */
        public String fileName() {
            List<String> parts = new ArrayList<>();
            labels().forEach((k, v) -> parts.add(k + "=" + v.replaceAll("[^A-Za-z0-9.+-]", "-")));
            return String.join("_", parts);
        }
    }

    public SweepPlan {
        knobs = List.copyOf(knobs);
        seeds = List.copyOf(seeds);
        if (knobs.isEmpty()) {
            throw new IllegalArgumentException("a sweep needs at least one --set KNOB=VALUE[,VALUE...]");
        }
        List<String> names = new ArrayList<>();
        long runs = seeds.size();
        for (KnobValues k : knobs) {
            if (names.contains(k.name())) {
                throw new IllegalArgumentException("--set " + k.name() + " is given twice; list its values in one"
                        + " --set, separated by commas");
            }
            names.add(k.name());
            runs *= k.values().size();
            if (runs > MAX_RUNS) {
                throw new IllegalArgumentException("the sweep would make more than " + MAX_RUNS + " runs");
            }
        }
    }

    /** Every run, first knob slowest, seed fastest. */
    public List<Point> points() {
        List<Map<String, String>> settings = new ArrayList<>();
        settings.add(new LinkedHashMap<>());
        for (KnobValues k : knobs) {
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> s : settings) {
                for (String v : k.values()) {
                    Map<String, String> m = new LinkedHashMap<>(s);
                    m.put(k.name(), v);
                    next.add(m);
                }
            }
            settings = next;
        }
        List<Point> out = new ArrayList<>();
        for (Map<String, String> s : settings) {
            for (long seed : seeds) {
                out.add(new Point(s, seed));
            }
        }
        return out;
    }

    /** Seeds as {@code --seeds} gives them: {@code 3}, {@code 1..5}, {@code 1,4,9} (or a mix: {@code 1..3,7}). */
    public static List<Long> parseSeeds(String text) {
        List<Long> seeds = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String p = part.trim();
            int dots = p.indexOf("..");
            try {
                if (dots < 0) {
                    add(seeds, Long.parseLong(p), text);
                    continue;
                }
                long from = Long.parseLong(p.substring(0, dots).trim());
                long to = Long.parseLong(p.substring(dots + 2).trim());
                if (to < from) {
                    throw new IllegalArgumentException("--seeds " + text + ": " + p + " runs backwards");
                }
                if (to - from >= MAX_RUNS) {
                    throw new IllegalArgumentException("--seeds " + text + ": more than " + MAX_RUNS + " seeds");
                }
                for (long s = from; s <= to; s++) {
                    add(seeds, s, text);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--seeds " + text + ": '" + p + "' is not a seed (use e.g. 1..5"
                        + " or 1,2,7)");
            }
        }
        return seeds;
    }

    private static void add(List<Long> seeds, long s, String text) {
        if (seeds.contains(s)) {
            throw new IllegalArgumentException("--seeds " + text + ": seed " + s + " is given twice");
        }
        seeds.add(s);
    }
}
