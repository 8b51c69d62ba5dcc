package io.simproc.scenario;

import io.simproc.config.Sizes;
import io.simproc.scenario.ProcExpr.Term;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The parser of {@link ProcExpr}: recursive descent over the tokens of one expression or value, each proc value
 * checked (file, field, process name) as it is read, so that a mistake is reported at its character before the
 * scenario runs (a scenario file's mistake names its file:line:col, a recorded series' names the series).
 */
final class ProcExprParser {
    private final Function<String, RuntimeException> errors;
    private final String text;
    private final Names names;
    private final String step;
    private final List<String> tokens = new ArrayList<>();
    private final List<Integer> offsets = new ArrayList<>();
    private int pos;
    private boolean refersToLaterState;

    /** A parser of {@code text}; {@code errors} turns a problem into the exception to throw (with its place). */
    ProcExprParser(Function<String, RuntimeException> errors, String text, Names names, String step) {
        this.errors = errors;
        this.text = text;
        this.names = names;
        this.step = step;
        tokenize();
    }

    RuntimeException error(String problem) {
        int at = pos < offsets.size() ? offsets.get(pos) : text.length();
        return errors.apply(step + ": " + problem + " at character " + (at + 1) + " of '" + text + "'");
    }

    private void tokenize() {
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            int start = i;
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (Character.isDigit(c)) {
                while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '.')) {
                    i++;
                }
            } else if (Character.isLetter(c) || c == '_' || c == '$') {
                i++;
                while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
                    i++;
                }
            } else if (c == '"') {
                i = text.indexOf('"', i + 1);
                if (i < 0) {
                    pos = tokens.size();
                    offsets.add(start);
                    throw error("unterminated string");
                }
                i++;
            } else if ((c == '<' || c == '>' || c == '=' || c == '!') && i + 1 < text.length()
                    && text.charAt(i + 1) == '=') {
                i += 2;
            } else if ("<>()+-*/.,=".indexOf(c) >= 0) {
                i++;
            } else {
                pos = tokens.size();
                offsets.add(start);
                throw error("unexpected character '" + c + "'");
            }
            tokens.add(text.substring(start, i));
            offsets.add(start);
        }
    }

    /**
     * Whether the text read so far names something that may not exist yet when the value is first read: a process,
     * a cgroup, a slab cache, a remembered value (machine-wide files such as meminfo always have their fields).
     */
    boolean refersToLaterState() {
        return refersToLaterState;
    }

    String peek() {
        return pos < tokens.size() ? tokens.get(pos) : null;
    }

    String next() {
        if (pos >= tokens.size()) {
            throw error("unexpected end");
        }
        return tokens.get(pos++);
    }

    void expect(String t) {
        if (!t.equals(peek())) {
            throw error("expected '" + t + "'" + (peek() == null ? "" : " but found '" + peek() + "'"));
        }
        pos++;
    }

    String ident() {
        String t = peek();
        if (t == null || !(Character.isLetter(t.charAt(0)) || t.charAt(0) == '_')) {
            throw error("expected a name" + (t == null ? "" : " but found '" + t + "'"));
        }
        pos++;
        return t;
    }

    Term sum() {
        Term t = product();
        while ("+".equals(peek()) || "-".equals(peek())) {
            String op = next();
            Term a = t;
            Term b = product();
            t = pv -> {
                ProcValues.Value x = a.eval(pv);
                ProcValues.Value y = b.eval(pv);
                return new ProcValues.Value(op.equals("+") ? x.v() + y.v() : x.v() - y.v(),
                        x.bytes() || y.bytes());
            };
        }
        return t;
    }

    Term product() {
        Term t = factor();
        while ("*".equals(peek()) || "/".equals(peek())) {
            String op = next();
            Term a = t;
            Term b = factor();
            t = pv -> {
                ProcValues.Value x = a.eval(pv);
                ProcValues.Value y = b.eval(pv);
                if (op.equals("*")) {
                    return new ProcValues.Value(x.v() * y.v(), x.bytes() != y.bytes());
                }
                if (y.v() == 0) {
                    throw new ProcValues.EvalException("division by zero in '" + text + "'", true);
                }
                return new ProcValues.Value(x.v() / y.v(), x.bytes() && !y.bytes());
            };
        }
        return t;
    }

    Term factor() {
        String t = peek();
        if (t == null) {
            throw error("expected a value");
        }
        if (t.equals("(")) {
            next();
            Term inner = sum();
            expect(")");
            return inner;
        }
        if (t.equals("-")) {
            next();
            Term inner = factor();
            return pv -> {
                ProcValues.Value v = inner.eval(pv);
                return new ProcValues.Value(-v.v(), v.bytes());
            };
        }
        if (Character.isDigit(t.charAt(0))) {
            next();
            return literal(t);
        }
        if (t.charAt(0) == '$') {
            return remembered();
        }
        return reference();
    }

    private Term literal(String t) {
        boolean unit = Character.isLetter(t.charAt(t.length() - 1));
        try {
            ProcValues.Value v = unit ? new ProcValues.Value(Sizes.parseBytes(t), true)
                    : new ProcValues.Value(Double.parseDouble(t), false);
            return pv -> v;
        } catch (IllegalArgumentException e) {
            pos--;
            throw error("'" + t + "' is not a number or size (use e.g. 42, 0.5, 4K, 300M, 2G)");
        }
    }

    /** {@code $NAME}: a value an earlier {@code remember} step kept. */
    private Term remembered() {
        refersToLaterState = true;
        String name = next().substring(1);
        if (!names.hasValue(name)) {
            pos--;
            throw error("unknown value '$" + name + "'" + (names.values().isEmpty()
                    ? " (no earlier entry remembers a value)"
                    : " (earlier remember steps keep: $" + String.join(", $", names.values()) + ")"));
        }
        return pv -> pv.remembered(name);
    }

    /** An identifier that must be one of {@code allowed}. */
    private String oneOf(List<String> allowed) {
        String f = ident();
        if (!allowed.contains(f)) {
            pos--;
            throw error("'" + f + "' is not one of " + String.join(", ", allowed));
        }
        return f;
    }

    /** A field name; meminfo's have a parenthesised part: Active(anon). */
    private String field() {
        String f = ident();
        if ("(".equals(peek()) && pos + 2 < tokens.size() && ")".equals(tokens.get(pos + 2))) {
            f = f + "(" + tokens.get(pos + 1) + ")";
            pos += 3;
        }
        return f;
    }

    private Term reference() {
        String file = ident();
        switch (file) {
            case "meminfo": {
                expect(".");
                String f = field();
                return pv -> pv.keyed("/meminfo", f);
            }
            case "vmstat": {
                expect(".");
                String f = field();
                return pv -> pv.spaced("/vmstat", f);
            }
            case "sys": {
                StringBuilder path = new StringBuilder("/sys");
                expect(".");
                path.append('/').append(identOrDash());
                while (".".equals(peek())) {
                    next();
                    path.append('/').append(identOrDash());
                }
                String p = path.toString();
                return pv -> pv.single(p);
            }
            case "stat": {
                expect(".");
                String f = field();
                return pv -> pv.spaced("/stat", f);
            }
            case "loadavg": {
                expect(".");
                String f = oneOf(ProcValues.LOADAVG);
                return pv -> pv.loadavg(f);
            }
            case "pressure": {
                expect(".");
                String res = oneOf(List.of("cpu", "io", "memory"));
                expect(".");
                String line = oneOf(List.of("some", "full"));
                expect(".");
                String f = oneOf(ProcValues.PRESSURE);
                return pv -> pv.pressure(res, line, f);
            }
            case "PID":
                return pidReference();
            case "zoneinfo", "buddyinfo":
                return zoneReference(file);
            case "slabinfo":
                return slabReference();
            case "cgroup":
                return cgroupReference();
            case "ksm": {
                expect(".");
                String f = ident();
                return pv -> pv.ksm(f);
            }
            case "zram0": {
                expect(".");
                String f = oneOf(List.of("mm_stat", "io_stat", "disksize", "initstate"));
                if (f.equals("mm_stat") || f.equals("io_stat")) {
                    expect(".");
                    List<String> fields = f.equals("mm_stat") ? ProcValues.ZRAM_MM_STAT : ProcValues.ZRAM_IO_STAT;
                    String field = oneOf(fields);
                    return pv -> pv.zram(f, fields.indexOf(field));
                }
                return pv -> pv.zram(f, 0);
            }
            case "khugepaged": {
                expect(".");
                String f = ident();
                return pv -> pv.khugepaged(f);
            }
            default:
                pos--;
                throw error("unknown value '" + file + "' (meminfo.FIELD, vmstat.FIELD, stat.FIELD, loadavg.avg1,"
                        + " pressure.memory.some.avg10, sys.A.B, ksm.FILE, khugepaged.FILE, zram0.mm_stat.FIELD,"
                        + " zoneinfo(zone=Z).FIELD, buddyinfo(zone=Z).orderN, slabinfo(CACHE).FIELD,"
                        + " cgroup(\"PATH\").FILE[.KEY], PID(...).FILE...)");
        }
    }

    /** {@code zoneinfo(zone=Normal).high}, {@code buddyinfo(node=1, zone=DMA32).order9}: node 0 unless named. */
    private Term zoneReference(String file) {
        expect("(");
        int node = 0;
        String zone = null;
        do {
            if (",".equals(peek())) {
                next();
            }
            String key = ident();
            expect("=");
            String value = unquote(next());
            if (key.equals("node") && value.chars().allMatch(Character::isDigit) && !value.isEmpty()) {
                node = Integer.parseInt(value);
            } else if (key.equals("zone") && ProcValues.ZONES.contains(value)) {
                zone = value;
            } else {
                pos--;
                throw error(file + "(...) takes node=N and zone=" + String.join("|", ProcValues.ZONES)
                        + ", not " + key + "=" + value);
            }
        } while (",".equals(peek()));
        if (zone == null) {
            throw error(file + "(...) needs zone=" + String.join("|", ProcValues.ZONES));
        }
        expect(")");
        expect(".");
        String f = ident();
        int n = node;
        String z = zone;
        if (file.equals("zoneinfo")) {
            return pv -> pv.zoneinfo(n, z, f);
        }
        if (!f.matches("order([0-9]|10)")) {
            pos--;
            throw error("buddyinfo has fields order0 .. order10, not '" + f + "'");
        }
        int order = Integer.parseInt(f.substring(5));
        return pv -> pv.buddyinfo(n, z, order);
    }

    /**
     * {@code cgroup("/demo.slice").memory.current}, {@code cgroup("/").memory.stat.anon}: a file of that cgroup
     * in /sys/fs/cgroup, or a key of a keyed one; which dots end the file name is resolved when it is read.
     */
    private Term cgroupReference() {
        refersToLaterState = true;
        expect("(");
        String path = unquote(next());
        expect(")");
        StringBuilder name = new StringBuilder();
        do {
            expect(".");
            name.append(name.length() == 0 ? "" : ".").append(identOrDash());
        } while (".".equals(peek()));
        String dotted = name.toString();
        return pv -> pv.cgroup(path, dotted);
    }

    /** {@code slabinfo(dentry).active_objs}, {@code slabinfo("kmalloc-64").num_objs}. */
    private Term slabReference() {
        refersToLaterState = true;
        expect("(");
        String t = peek();
        String cache = t != null && t.startsWith("\"") ? unquote(next()) : identOrDash();
        expect(")");
        expect(".");
        String f = ident();
        if (!ProcValues.SLABINFO.contains(f)) {
            pos--;
            throw error("slabinfo has no field '" + f + "' (" + String.join(", ", ProcValues.SLABINFO) + ")");
        }
        return pv -> pv.slabinfo(cache, f);
    }

    /** sysctl names such as threads-max. */
    private String identOrDash() {
        StringBuilder b = new StringBuilder(ident());
        while ("-".equals(peek()) && pos + 1 < tokens.size()
                && Character.isLetter(tokens.get(pos + 1).charAt(0))) {
            next();
            b.append('-').append(ident());
        }
        return b.toString();
    }

    private Term pidReference() {
        refersToLaterState = true;
        expect("(");
        String kind = ident();
        if (!Set.of("name", "process", "pid").contains(kind)) {
            pos--;
            throw error("PID(...) selects by name=COMM, process=NAME or pid=N, not '" + kind + "'");
        }
        expect("=");
        String value = unquote(next());
        if (kind.equals("process") && !names.hasProcess(value)) {
            pos--;
            throw error("unknown process '" + value + "' (no earlier entry spawns or forks it)");
        }
        if (kind.equals("pid") && !value.chars().allMatch(Character::isDigit)) {
            pos--;
            throw error("pid=" + value + " is not a number");
        }
        expect(")");
        expect(".");
        String file = ident();
        switch (file) {
            case "status", "smaps_rollup": {
                expect(".");
                String f = field();
                return pv -> pv.keyed("/" + pv.pid(kind, value) + "/" + file, f);
            }
            case "statm", "stat": {
                expect(".");
                String f = ident();
                boolean statm = file.equals("statm");
                if (statm ? !List.of(ProcValues.STATM).contains(f) : !ProcValues.STAT.containsKey(f)) {
                    pos--;
                    throw error(file + " has no field '" + f + "' (" + (statm ? String.join(", ", ProcValues.STATM)
                            : String.join(", ", new java.util.TreeSet<>(ProcValues.STAT.keySet()))) + ")");
                }
                return pv -> statm ? pv.statm(pv.pid(kind, value), f) : pv.stat(pv.pid(kind, value), f);
            }
            case "smaps": {
                expect("(");
                String path = next();
                if (!path.startsWith("\"")) {
                    pos--;
                    throw error("smaps(\"PATHNAME\") needs a quoted pathname, e.g. smaps(\"[heap]\")");
                }
                String pathname = unquote(path);
                expect(")");
                expect(".");
                String f = field();
                return pv -> pv.smaps(pv.pid(kind, value), pathname, f);
            }
            case "oom_score", "oom_score_adj", "ksm_merging_pages":
                return pv -> pv.single("/" + pv.pid(kind, value) + "/" + file);
            case "ksm_stat": {
                expect(".");
                String f = oneOf(List.of("ksm_rmap_items", "ksm_zero_pages", "ksm_merging_pages",
                        "ksm_process_profit"));
                return pv -> pv.spaced("/" + pv.pid(kind, value) + "/ksm_stat", f);
            }
            default:
                pos--;
                throw error("unknown file '" + file + "' (status, smaps_rollup, statm, stat, smaps(\"...\"),"
                        + " oom_score, oom_score_adj, ksm_merging_pages, ksm_stat.FIELD)");
        }
    }

    private static String unquote(String t) {
        return t.startsWith("\"") && t.endsWith("\"") && t.length() >= 2 ? t.substring(1, t.length() - 1) : t;
    }
}
