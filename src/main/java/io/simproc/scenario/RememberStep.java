package io.simproc.scenario;

import io.simproc.config.YamlNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code remember: {NAME: VALUE, ...}}: read values now (any expression value: {@code vmstat.pswpout},
 * {@code meminfo.Cached - meminfo.Dirty}) and keep them under names that later expectations read as {@code $NAME},
 * so a scenario can compare what happened in one phase with another (deltas of counters, a size before and after).
 * A value that cannot be read is a failed step, its name left without a value, and expectations using it report
 * ERROR.
 */
final class RememberStep implements Step {
    private record Item(String name, String text, ProcExpr.Term value) {
    }

    private final List<Item> items;

    private RememberStep(List<Item> items) {
        this.items = items;
    }

    static final class Kind implements StepKind {
        @Override
        public String key() {
            return "remember";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            if (!value.isMapping() || value.mapping().isEmpty()) {
                throw value.error("remember: expected a mapping of names to values, e.g. {swapped: vmstat.pswpout}");
            }
            List<Item> items = new ArrayList<>();
            for (Map.Entry<String, YamlNode> e : value.mapping().entrySet()) {
                ProcExpr.Term t = ProcExpr.parseValue(e.getValue(), names);
                items.add(new Item(e.getKey(), e.getValue().scalar().trim(), t));
            }
            for (Item i : items) {
                names.defineValue(value.keyNode(i.name()), i.name());
            }
            return new RememberStep(items);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        ProcValues pv = new ProcValues(run);
        for (Item i : items) {
            try {
                run.remember(i.name(), i.value().eval(pv));
            } catch (ProcValues.EvalException e) {
                run.remember(i.name(), null);
                throw new StepException("remember " + i.name() + ": " + e.getMessage());
            }
        }
    }

    @Override
    public String describe() {
        List<String> t = new ArrayList<>();
        for (Item i : items) {
            t.add(i.name() + " = " + i.text());
        }
        return "remember " + String.join("; ", t);
    }
}
