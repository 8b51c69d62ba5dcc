package io.simproc.sweep;

import io.simproc.scenario.Outcome;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sweep's comparison table: one column per knob setting, one row per expectation of the scenario (how many of the
 * setting's seeds it held for) and per summary (the median over the seeds, with their range when the seeds
 * disagree). Plain text, columns aligned, for a terminal and for {@code summary.txt}.
 */
public final class SweepTable {
    private final List<String> header = new ArrayList<>();
    private final List<List<String>> rows = new ArrayList<>();

    /** The table of {@code results} (in plan order) with {@code summaries}' rows. */
    public SweepTable(List<RunResult> results, List<Summary> summaries) {
        Map<String, List<RunResult>> bySetting = new LinkedHashMap<>();
        for (RunResult r : results) {
            bySetting.computeIfAbsent(r.point().setting(), k -> new ArrayList<>()).add(r);
        }
        header.add("");
        header.addAll(bySetting.keySet());
        Map<String, String> expectations = new LinkedHashMap<>();
        for (RunResult r : results) {
            for (Outcome o : r.outcomes()) {
                expectations.putIfAbsent(o.where() + " " + o.what(), o.what() + "  (" + shortWhere(o.where()) + ")");
            }
        }
        for (Map.Entry<String, String> e : expectations.entrySet()) {
            List<String> row = new ArrayList<>();
            row.add(e.getValue());
            for (List<RunResult> runs : bySetting.values()) {
                row.add(verdicts(runs, e.getKey()));
            }
            rows.add(row);
        }
        for (Summary s : summaries) {
            List<String> row = new ArrayList<>();
            row.add(s.text());
            for (List<RunResult> runs : bySetting.values()) {
                row.add(spread(runs, s));
            }
            rows.add(row);
        }
        List<String> errors = new ArrayList<>();
        errors.add("run errors");
        boolean anyError = false;
        for (List<RunResult> runs : bySetting.values()) {
            long n = runs.stream().filter(r -> r.error() != null).count();
            anyError |= n > 0;
            errors.add(n == 0 ? "" : n + " of " + runs.size());
        }
        if (anyError) {
            rows.add(errors);
        }
    }

    /** {@code file:line:col} without the file's directories. */
    private static String shortWhere(String where) {
        return where.substring(where.lastIndexOf('/') + 1);
    }

    /** "pass" / "FAIL" for one seed; "3/5 pass" for several; "-" where no run of the setting reached it. */
    private static String verdicts(List<RunResult> runs, String key) {
        int held = 0;
        int reached = 0;
        for (RunResult r : runs) {
            boolean seen = false;
            boolean ok = true;
            for (Outcome o : r.outcomes()) {
                if ((o.where() + " " + o.what()).equals(key)) {
                    seen = true;
                    ok &= o.ok();
                }
            }
            if (seen) {
                reached++;
                held += ok ? 1 : 0;
            }
        }
        if (reached == 0) {
            return "-";
        }
        if (runs.size() == 1) {
            return held == 1 ? "pass" : "FAIL";
        }
        return held + "/" + runs.size() + " pass";
    }

    /** The median of the seeds' values and, with several seeds, their range: {@code 254.1M (250.0M..258.3M)}. */
    private static String spread(List<RunResult> runs, Summary s) {
        List<Double> values = new ArrayList<>();
        String unit = null;
        for (RunResult r : runs) {
            if (r.recording() != null) {
                values.add(s.of(r.recording()));
                unit = s.unit(r.recording());
            }
        }
        if (values.isEmpty()) {
            return "-";
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        if (Arrays.stream(v).allMatch(x -> Double.compare(x, v[0]) == 0)) {
            return Summary.format(v[0], unit);
        }
        long never = Arrays.stream(v).filter(Double::isNaN).count();
        double[] known = Arrays.stream(v).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (known.length == 0) {
            return Summary.format(Double.NaN, unit);
        }
        int m = known.length;
        double median = m % 2 == 1 ? known[m / 2] : (known[m / 2 - 1] + known[m / 2]) / 2;
        String text = Summary.format(median, unit) + " (" + Summary.format(known[0], unit) + ".."
                + Summary.format(known[m - 1], unit) + ")";
        return never == 0 ? text : text + " " + Summary.format(Double.NaN, unit) + " in " + never;
    }

    /** The header row and the rows, as cells. */
    public List<List<String>> cells() {
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        return all;
    }

    /** The table as aligned text, one line per row, the first column left-aligned and the others right-aligned. */
    public String render() {
        List<List<String>> all = cells();
        int[] width = new int[header.size()];
        for (List<String> row : all) {
            for (int c = 0; c < row.size(); c++) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.size(); c++) {
                String cell = row.get(c);
                String pad = " ".repeat(width[c] - cell.length());
                line.append(c == 0 ? cell + pad : "  " + pad + cell);
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
