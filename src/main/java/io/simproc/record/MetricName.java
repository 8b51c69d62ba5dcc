package io.simproc.record;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenMetrics family a recorded series is exported as: node_exporter's name where it has one —
 * {@code meminfo.F} is {@code node_memory_F_bytes} (its meminfo collector: "(" becomes "_", ")" goes, kB values in
 * bytes), {@code vmstat.F} is {@code node_vmstat_F} (its vmstat collector, untyped), the {@code total} of
 * {@code pressure.R.some} and {@code .full} are the counters {@code node_pressure_R_waiting_seconds_total} and
 * {@code node_pressure_R_stalled_seconds_total} (its pressure collector, in seconds) — and {@code simproc_...}
 * otherwise, named after the expression, with the unit as suffix.
 *
 * @param family the family name (a counter's samples add {@code _total})
 * @param type   {@code gauge}, {@code counter} or {@code unknown}
 * @param unit   the OpenMetrics unit, the family name's suffix, or "" for none
 * @param shift  the power of ten the values are multiplied by (-6: µs to seconds)
 */
record MetricName(String family, String type, String unit, int shift) {
    private static final Pattern MEMINFO = Pattern.compile("meminfo\\.([A-Za-z0-9_]+)(?:\\(([A-Za-z0-9_]+)\\))?");
    private static final Pattern VMSTAT = Pattern.compile("vmstat\\.([A-Za-z0-9_]+)");
    private static final Pattern PSI_TOTAL = Pattern.compile("pressure\\.(cpu|io|memory)\\.(some|full)\\.total");
    private static final Map<String, String> NAMED = Map.of(
            "meminfo.SwapTotal - meminfo.SwapFree", "simproc_memory_swap_used");
    /** A recorded unit and its OpenMetrics unit (base units, as Prometheus names them). */
    private static final Map<String, String> UNITS = Map.of("bytes", "bytes", "percent", "percent",
            "us", "microseconds", "bytes/s", "bytes_per_second");

    /** The family of the series called {@code name} whose values are in {@code unit}. */
    static MetricName of(String name, String unit) {
        Matcher m = MEMINFO.matcher(name);
        if (m.matches()) {
            String field = m.group(2) == null ? m.group(1) : m.group(1) + "_" + m.group(2);
            boolean bytes = unit.equals("bytes");
            return new MetricName("node_memory_" + field + (bytes ? "_bytes" : ""), "gauge", bytes ? "bytes" : "", 0);
        }
        m = VMSTAT.matcher(name);
        if (m.matches()) {
            return new MetricName("node_vmstat_" + m.group(1), "unknown", "", 0);
        }
        m = PSI_TOTAL.matcher(name);
        if (m.matches()) {
            return new MetricName("node_pressure_" + m.group(1) + (m.group(2).equals("some") ? "_waiting" : "_stalled")
                    + "_seconds", "counter", "seconds", -6);
        }
        String omUnit = UNITS.getOrDefault(unit, unit.endsWith("/s") ? "per_second" : "");
        String base = NAMED.getOrDefault(name, "simproc_" + sanitize(name));
        return new MetricName(omUnit.isEmpty() ? base : base + "_" + omUnit, "gauge", omUnit, 0);
    }

    /** The same family with {@code n} before its unit, to tell apart two expressions that sanitize alike. */
    MetricName numbered(int n) {
        String stem = unit.isEmpty() ? family : family.substring(0, family.length() - unit.length() - 1);
        return new MetricName(stem + "_" + n + (unit.isEmpty() ? "" : "_" + unit), type, unit, shift);
    }

    /** The name of its samples. */
    String sampleName() {
        return type.equals("counter") ? family + "_total" : family;
    }

    /** An expression as a metric name: operators (outside quotes) spelled out, other characters not allowed as '_'. */
    static String sanitize(String expr) {
        Map<Character, String> ops = Map.of('+', "_plus_", '-', "_minus_", '*', "_times_", '/', "_per_");
        StringBuilder b = new StringBuilder();
        boolean quoted = false;
        for (char c : expr.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            b.append(!quoted && ops.containsKey(c) ? ops.get(c)
                    : (c < 128 && Character.isLetterOrDigit(c)) || c == '_' ? String.valueOf(c) : "_");
        }
        String s = b.toString().replaceAll("_+", "_").replaceAll("^_|_$", "");
        return s.isEmpty() ? "value" : s;
    }
}
