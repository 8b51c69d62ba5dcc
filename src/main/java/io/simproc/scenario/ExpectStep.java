package io.simproc.scenario;

import io.simproc.config.YamlNode;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code expect}: one condition or a list of them over proc values ({@link ProcExpr}), each reported PASS or
 * FAIL with the values it compared, or ERROR when a value cannot be read (the process is gone, no such field).
 */
final class ExpectStep implements Step {
    private record Check(String where, ProcExpr expr) {
    }

    private final List<Check> checks;

    private ExpectStep(List<Check> checks) {
        this.checks = checks;
    }

    static final class Kind implements StepKind {
        @Override
        public String key() {
            return "expect";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            List<Check> checks = new ArrayList<>();
            List<YamlNode> items = value.isSequence() ? value.sequence() : List.of(value);
            for (YamlNode n : items) {
                checks.add(new Check(ScenarioParser.where(n), ProcExpr.parse(n, names)));
            }
            if (checks.isEmpty()) {
                throw value.error("expect: give at least one condition, e.g. \"meminfo.Cached < 1G\"");
            }
            return new ExpectStep(checks);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        ProcValues pv = new ProcValues(run);
        for (Check c : checks) {
            try {
                ProcExpr.Result r = c.expr().eval(pv);
                run.report(r.holds() ? Outcome.Verdict.PASS : Outcome.Verdict.FAIL, c.where(), c.expr().text(),
                        r.detail());
            } catch (ProcValues.EvalException e) {
                run.report(Outcome.Verdict.ERROR, c.where(), c.expr().text(), e.getMessage());
            }
        }
    }

    @Override
    public String describe() {
        List<String> t = new ArrayList<>();
        for (Check c : checks) {
            t.add(c.expr().text());
        }
        return "expect " + String.join("; ", t);
    }
}
