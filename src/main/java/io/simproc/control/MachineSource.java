package io.simproc.control;

import io.simproc.config.ConfigException;
import io.simproc.kernel.MachineProfile;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.scenario.ScenarioParser;
import io.simproc.scenario.StepRegistry;

/**
 * Where a mounted machine's profile came from, as text: the embedded default, a profile file, or the {@code machine}
 * key of the scenario it was mounted with.
 */
public record MachineSource(Kind kind, String file, String text, String dir) {
    public enum Kind { DEFAULT, PROFILE, SCENARIO }

    public static MachineSource embeddedDefault() {
        return new MachineSource(Kind.DEFAULT, "", "", null);
    }

    public static MachineSource profile(String file, String text) {
        return new MachineSource(Kind.PROFILE, file, text, null);
    }

    public static MachineSource scenario(ScenarioSource s) {
        return new MachineSource(Kind.SCENARIO, s.file(), s.text(), s.dir());
    }

    /** The profile again. */
    public MachineProfile load() {
        return switch (kind) {
            case DEFAULT -> MachineProfileLoader.loadDefault();
            case PROFILE -> MachineProfileLoader.parse(file, text);
            case SCENARIO -> {
                MachineProfile p = new ScenarioSource(file, text, dir)
                        .parse(new ScenarioParser(StepRegistry.standard())).machine();
                if (p == null) {
                    throw new ConfigException(file, 0, 0, "the scenario names no machine");
                }
                yield p;
            }
        };
    }
}
