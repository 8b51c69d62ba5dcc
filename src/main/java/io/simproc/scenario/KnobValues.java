package io.simproc.scenario;

import java.util.ArrayList;
import java.util.List;

/**
 * A knob and the values a run or sweep holds it at, as {@code --set vm.swappiness=0,60,100} gives them: the knob
 * named as sysctl(8) names it, checked to be a writable /proc/sys file; the values as written to it (the kernel's
 * own parser judges them when they are held, {@link ScenarioEngine#hold}).
 */
public record KnobValues(String name, String path, List<String> values) {
    public KnobValues {
        values = List.copyOf(values);
    }

    /** Parse {@code NAME=V1,V2,...}; an IllegalArgumentException with one line saying what is wrong. */
    public static KnobValues parse(String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("--set " + assignment + ": expected KNOB=VALUE[,VALUE...], e.g."
                    + " vm.swappiness=0,60,100");
        }
        String name = assignment.substring(0, eq).trim();
        String path = SysctlStep.writablePath(name);
        List<String> values = new ArrayList<>();
        for (String v : assignment.substring(eq + 1).split(",", -1)) {
            String t = v.trim();
            if (t.isEmpty()) {
                throw new IllegalArgumentException("--set " + assignment + ": an empty value");
            }
            if (values.contains(t)) {
                throw new IllegalArgumentException("--set " + assignment + ": " + t + " is given twice");
            }
            values.add(t);
        }
        return new KnobValues(name, path, values);
    }
}
