package io.simproc.record;

import io.simproc.scenario.Scenario;
import io.simproc.scenario.SeriesExpr;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The series a recording samples (docs/RECORDING.md): expressions in the syntax of scenario values, each optionally
 * wrapped in {@code rate(...)}, or — when none is given — a default set covering memory, swap, reclaim, compaction,
 * OOM kills and memory pressure. Checked before anything runs: a mistake is one line naming the series.
 */
public final class SeriesSet {
    /** A default series: the expression, its unit and its chart group. */
    private record Default(String expr, String unit, String group) {
    }

    private static final List<Default> DEFAULTS = List.of(
            new Default("meminfo.MemFree", "bytes", "memory"),
            new Default("meminfo.MemAvailable", "bytes", "memory"),
            new Default("meminfo.Cached", "bytes", "memory"),
            new Default("meminfo.AnonPages", "bytes", "memory"),
            new Default("meminfo.Dirty", "bytes", "writeback"),
            new Default("meminfo.Writeback", "bytes", "writeback"),
            new Default("meminfo.SwapTotal - meminfo.SwapFree", "bytes", "swap"),
            new Default("vmstat.pswpin", "pages", "swap"),
            new Default("vmstat.pswpout", "pages", "swap"),
            new Default("vmstat.pgscan_kswapd", "pages", "reclaim"),
            new Default("vmstat.pgscan_direct", "pages", "reclaim"),
            new Default("vmstat.pgsteal_kswapd", "pages", "reclaim"),
            new Default("vmstat.pgsteal_direct", "pages", "reclaim"),
            new Default("vmstat.compact_stall", "count", "compaction"),
            new Default("vmstat.compact_success", "count", "compaction"),
            new Default("vmstat.compact_fail", "count", "compaction"),
            new Default("vmstat.compact_daemon_wake", "count", "compaction"),
            new Default("vmstat.oom_kill", "count", "oom"),
            new Default("pressure.memory.some.avg10", "percent", "pressure"),
            new Default("pressure.memory.full.avg10", "percent", "pressure"),
            new Default("pressure.memory.some.total", "us", "pressure"),
            new Default("pressure.memory.full.total", "us", "pressure"));

    private final List<SeriesDef> series;

    private SeriesSet(List<SeriesDef> series) {
        this.series = List.copyOf(series);
    }

    /**
     * The series {@code exprs} name, or the defaults when it is empty; processes are named as in {@code scenario}
     * (may be null). A series that is not an expression, or named twice, is an IllegalArgumentException of one line.
     */
    public static SeriesSet parse(List<String> exprs, Scenario scenario) {
        List<SeriesDef> out = new ArrayList<>();
        if (exprs.isEmpty()) {
            for (Default d : DEFAULTS) {
                out.add(new SeriesDef(d.expr(), SeriesExpr.parse(d.expr(), scenario), false, d.unit(), d.group()));
            }
            return new SeriesSet(out);
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String text : exprs) {
            SeriesDef d = one(text.trim(), scenario);
            if (!seen.add(d.name())) {
                throw new IllegalArgumentException("series: '" + d.name() + "' is named twice");
            }
            out.add(d);
        }
        return new SeriesSet(out);
    }

    /**
     * Split a command line's list of series at its commas, except those inside parentheses or quotes
     * ({@code zoneinfo(node=0, zone=Normal).free,meminfo.MemFree} is two series).
     */
    public static List<String> split(String list) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < list.length(); i++) {
            char c = list.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')') {
                depth--;
            } else if (!quoted && depth == 0 && c == ',') {
                out.add(list.substring(start, i));
                start = i + 1;
            }
        }
        out.add(list.substring(start));
        return out;
    }

    /** The expressions of the default set, in order. */
    public static List<String> defaultNames() {
        return DEFAULTS.stream().map(Default::expr).toList();
    }

    private static SeriesDef one(String text, Scenario scenario) {
        boolean rate = text.matches("rate\\s*\\(.*");
        if (rate && !text.endsWith(")")) {
            throw new IllegalArgumentException("series: expected ')' at character " + (text.length() + 1) + " of '"
                    + text + "'");
        }
        String inner = rate ? text.substring(text.indexOf('(') + 1, text.length() - 1).trim() : text;
        SeriesExpr expr;
        try {
            expr = SeriesExpr.parse(inner, scenario);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(rate ? e.getMessage() + " (in '" + text + "')" : e.getMessage());
        }
        String name = rate ? "rate(" + expr.text() + ")" : expr.text();
        for (Default d : DEFAULTS) {
            if (d.expr().equals(expr.text())) {
                return new SeriesDef(name, expr, rate, d.unit(), d.group());
            }
        }
        return new SeriesDef(name, expr, rate, null, groupOf(expr.text()));
    }

    /** The chart group of an expression that is not a default one: the file it reads first. */
    private static String groupOf(String text) {
        Map<String, String> byPrefix = Map.of("meminfo.Swap", "swap", "vmstat.psw", "swap", "vmstat.pgscan", "reclaim",
                "vmstat.pgsteal", "reclaim", "vmstat.compact", "compaction", "pressure.", "pressure",
                "meminfo.", "memory");
        String best = null;
        for (Map.Entry<String, String> e : byPrefix.entrySet()) {
            if (text.startsWith(e.getKey()) && (best == null || e.getKey().length() > best.length())) {
                best = e.getKey();
            }
        }
        if (best != null) {
            return byPrefix.get(best);
        }
        int dot = text.indexOf('.');
        int paren = text.indexOf('(');
        int end = dot < 0 ? paren : paren < 0 ? dot : Math.min(dot, paren);
        return end <= 0 ? "other" : text.substring(0, end);
    }

    List<SeriesDef> defs() {
        return series;
    }

    /** The series' names, in order (the CSV's columns). */
    public List<String> names() {
        return series.stream().map(SeriesDef::name).toList();
    }

    public int size() {
        return series.size();
    }
}
