package io.simproc.scenario;

import io.simproc.config.Durations;

/**
 * What a scenario reports: an expectation that held or did not, or a step the machine refused.
 *
 * @param atMillis scenario time
 * @param where    file:line:col of the entry
 * @param verdict  PASS or FAIL of an expectation; ERROR of a step that failed or an expectation that could not be
 *                 evaluated
 * @param what     the expression or the step
 * @param detail   the values compared, or what went wrong
 */
public record Outcome(long atMillis, String where, Verdict verdict, String what, String detail) {
    /** How it went. */
    public enum Verdict { PASS, FAIL, ERROR }

    public boolean ok() {
        return verdict == Verdict.PASS;
    }

    /** {@code PASS  at 30s  file:12:7  meminfo.Cached < 1G  (812.3M < 1.0G)}. */
    public String line() {
        return String.format("%-5s at %-6s %s  %s  (%s)", verdict, Durations.format(atMillis), where, what, detail);
    }
}
