package io.simproc.scenario;

import io.simproc.config.Sizes;
import io.simproc.config.YamlNode;

import java.util.Locale;
import java.util.Set;

/**
 * An expectation's condition, {@code LEFT OP RIGHT}, over proc values, size and number literals and + - * /
 * (docs/SCENARIOS.md, "expect"):
 * <pre>
 *   meminfo.Cached &lt; 1G             vmstat.pswpout &gt; 0          sys.vm.min_free_kbytes == 65536
 *   PID(name=postgres).status.VmRSS &gt; 100M      PID(process=child).smaps_rollup.Pss &lt; 60M
 *   PID(process=a).smaps("[heap]").Rss &gt;= 100M   PID(pid=1).stat.minflt + PID(pid=1).stat.majflt &gt; 0
 *   vmstat.pswpout - $swapped_before &gt; 4 * $swapped_at_10
 * </pre>
 * {@code $NAME} is a value an earlier {@code remember} step kept.
 * Parsed (syntax, file names, process names) before the scenario runs; evaluated by reading the rendered files.
 */
final class ProcExpr {
    static final Set<String> OPS = Set.of("<", "<=", ">", ">=", "==", "!=");

    /** A value-producing part of the expression. */
    interface Term {
        ProcValues.Value eval(ProcValues pv);
    }

    /** The result of one evaluation. */
    record Result(boolean holds, String detail) {
    }

    private final String text;
    private final Term left;
    private final String op;
    private final Term right;

    private ProcExpr(String text, Term left, String op, Term right) {
        this.text = text;
        this.left = left;
        this.op = op;
        this.right = right;
    }

    String text() {
        return text;
    }

    /** Parse the expression held by {@code node}; process names must be defined in {@code names}. */
    static ProcExpr parse(YamlNode node, Names names) {
        String text = node.scalar().trim();
        ProcExprParser p = new ProcExprParser(node::error, text, names, "expect");
        Term left = p.sum();
        String op = p.peek();
        if (op == null || !OPS.contains(op)) {
            throw p.error("expected a comparison (<, <=, >, >=, ==, !=)" + (op == null ? "" : " before '" + op + "'"));
        }
        p.next();
        Term right = p.sum();
        if (p.peek() != null) {
            throw p.error("unexpected '" + p.peek() + "' after the comparison");
        }
        return new ProcExpr(text, left, op, right);
    }

    /** Parse a value without a comparison ({@code remember}'s values): a sum of terms. */
    static Term parseValue(YamlNode node, Names names) {
        String text = node.scalar().trim();
        ProcExprParser p = new ProcExprParser(node::error, text, names, "remember");
        Term t = p.sum();
        if (p.peek() != null) {
            throw p.error("unexpected '" + p.peek() + "' after the value (remember keeps a value, not a comparison)");
        }
        return t;
    }

    Result eval(ProcValues pv) {
        ProcValues.Value a = left.eval(pv);
        ProcValues.Value b = right.eval(pv);
        boolean holds = switch (op) {
            case "<" -> a.v() < b.v();
            case "<=" -> a.v() <= b.v();
            case ">" -> a.v() > b.v();
            case ">=" -> a.v() >= b.v();
            case "==" -> a.v() == b.v();
            default -> a.v() != b.v();
        };
        boolean bytes = a.bytes() || b.bytes();
        return new Result(holds, format(a.v(), bytes) + " " + op + " " + format(b.v(), bytes));
    }

    static String format(double v, boolean bytes) {
        if (bytes && Math.abs(v) >= 1024) {
            return (v < 0 ? "-" : "") + Sizes.human((long) Math.abs(v));
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
