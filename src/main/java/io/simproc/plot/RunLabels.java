package io.simproc.plot;

import io.simproc.record.Recording;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The names that tell runs apart in a chart's legend: the labels (knob settings, seed) whose values differ between
 * the runs, e.g. {@code vm.swappiness=10}. A label all runs share says nothing and is left out, so the seed appears
 * only when the seeds differ. Runs no label tells apart are numbered ("run 2") in the order given.
 */
final class RunLabels {
    private RunLabels() {
    }

    /** One name per run, in the order of {@code runs}; empty names when there is a single run. */
    static List<String> of(List<Recording> runs) {
        List<String> names = new ArrayList<>(runs.size());
        if (runs.size() == 1) {
            names.add("");
            return names;
        }
        Set<String> keys = new LinkedHashSet<>();
        for (Recording r : runs) {
            keys.addAll(r.labels().keySet());
        }
        List<String> differing = new ArrayList<>();
        for (String key : keys) {
            String first = runs.get(0).labels().get(key);
            for (Recording r : runs) {
                if (!Objects.equals(first, r.labels().get(key))) {
                    differing.add(key);
                    break;
                }
            }
        }
        for (Recording r : runs) {
            names.add(name(r.labels(), differing));
        }
        boolean ambiguous = new LinkedHashSet<>(names).size() < names.size();
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            if (n.isEmpty()) {
                names.set(i, "run " + (i + 1));
            } else if (ambiguous) {
                names.set(i, n + ", run " + (i + 1));
            }
        }
        return names;
    }

    private static String name(Map<String, String> labels, List<String> differing) {
        StringBuilder sb = new StringBuilder();
        for (String key : differing) {
            String v = labels.get(key);
            if (v == null) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(key).append('=').append(v);
        }
        return sb.toString();
    }
}
