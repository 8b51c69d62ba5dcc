package io.simproc.scenario;

import io.simproc.scenario.ProcExpr.Term;

import java.util.Objects;

/**
 * A value expression given outside a scenario file — a series to record ({@code simproc run --series}, docs/
 * RECORDING.md) — in the syntax of the {@code remember} step's values (docs/SCENARIOS.md): {@code meminfo.MemFree},
 * {@code meminfo.SwapTotal - meminfo.SwapFree}, {@code PID(process=a).status.VmRSS},
 * {@code cgroup("/demo").memory.pressure.some.avg10}. A mistake is one line naming the expression and the character,
 * as an {@link IllegalArgumentException}.
 */
public final class SeriesExpr {
    /** One reading: the value, whether it is a size in bytes, and why there is none (NaN value) or null. */
    public record Reading(double value, boolean bytes, String problem) {
    }

    private final String text;
    private final Term term;
    private final boolean refersToLaterState;

    private SeriesExpr(String text, Term term, boolean refersToLaterState) {
        this.text = text;
        this.term = term;
        this.refersToLaterState = refersToLaterState;
    }

    /**
     * Parse {@code text}; processes are named as in {@code scenario} (null: no scenario, so {@code process=} names
     * nothing). {@code $NAME} values are a scenario's own and cannot be recorded.
     */
    public static SeriesExpr parse(String text, Scenario scenario) {
        Objects.requireNonNull(text);
        String trimmed = text.trim();
        Names names = Names.ofProcesses(scenario == null ? java.util.List.of() : scenario.processNames());
        ProcExprParser p = new ProcExprParser(IllegalArgumentException::new, trimmed, names, "series");
        if (trimmed.isEmpty()) {
            throw p.error("empty expression");
        }
        Term t = p.sum();
        if (p.peek() != null) {
            throw p.error("unexpected '" + p.peek() + "' after the value (a series is a value, not a comparison)");
        }
        return new SeriesExpr(trimmed, t, p.refersToLaterState());
    }

    public String text() {
        return text;
    }

    /**
     * Why the expression can never have a value on this machine — it names a field or file the machine does not
     * show, e.g. {@code meminfo.MemFre} — or null. Values of processes, cgroups and slab caches, which may appear
     * later, and divisions by zero, which may not happen later, are not checked.
     */
    public String check(ProcReader files) {
        if (refersToLaterState) {
            return null;
        }
        try {
            term.eval(files.values());
            return null;
        } catch (ProcValues.EvalException e) {
            return e.arithmetic() ? null : e.getMessage();
        }
    }

    /** Its value now, read from the files of {@code files}' instant. */
    public Reading read(ProcReader files) {
        try {
            ProcValues.Value v = term.eval(files.values());
            return new Reading(v.v(), v.bytes(), null);
        } catch (ProcValues.EvalException e) {
            return new Reading(Double.NaN, false, e.getMessage());
        }
    }
}
