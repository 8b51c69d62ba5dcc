package io.simproc.scenario;

import io.simproc.kernel.MachineProfile;

import java.util.List;

/**
 * A parsed scenario file (docs/SCENARIOS.md): the machine it wants (null: whatever machine it is applied to),
 * the steps run as it starts (sysctl values, initial processes) and its timeline, in scenario time (0 = when it is
 * applied or, offline, when the machine has booted).
 *
 * @param file           the file it came from, for reports
 * @param name           its name
 * @param machine        its machine profile, or null
 * @param entries        the timeline, the start steps first (all at 0), in file order
 * @param durationMillis how long an offline run lasts at least ({@code duration:}), 0 when not given
 */
public record Scenario(String file, String name, MachineProfile machine, List<TimelineEntry> entries,
                       long durationMillis) {
    public Scenario {
        entries = List.copyOf(entries);
    }

    /** When the scenario is over: its duration, or the last run of its bounded entries, whichever is later. */
    public long endMillis() {
        long end = durationMillis;
        for (TimelineEntry e : entries) {
            if (e.bounded()) {
                end = Math.max(end, e.lastRunMillis());
            } else {
                end = Math.max(end, e.atMillis());
            }
        }
        return end;
    }

    /** The names its spawn and fork steps give processes, in file order without repeats. */
    public List<String> processNames() {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        for (TimelineEntry e : entries) {
            String label = e.step().startsProcess();
            if (label != null) {
                out.add(label);
            }
        }
        return List.copyOf(out);
    }
}
