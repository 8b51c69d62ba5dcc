package io.simproc.scenario;

import io.simproc.config.ConfigException;
import io.simproc.config.Durations;
import io.simproc.config.YamlNode;
import io.simproc.kernel.MachineProfile;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.uapi.Errno;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads scenario files (docs/SCENARIOS.md). Every mistake is a {@link ConfigException} naming file, line and
 * column — bad YAML, unknown keys, bad sizes, durations and rates, times going backwards, references to processes
 * or regions no earlier entry defined — and a scenario with a mistake never starts.
 */
public final class ScenarioParser {
    static final String[] KEYS = {"name", "description", "machine", "sysctl", "processes", "timeline", "duration"};
    static final String[] TIMING = {"at", "every", "repeat", "for", "fails"};
    /** One jiffy at HZ=250: the finest period a timer can have. */
    static final long MIN_PERIOD_MILLIS = 4;

    private final StepRegistry registry;

    public ScenarioParser(StepRegistry registry) {
        this.registry = registry;
    }

    /** Read and parse a scenario file; a {@code machine:} path is relative to the scenario's directory. */
    public Scenario load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), 0, 0, "cannot read scenario: " + e.getMessage());
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(file.toString(), text, dir);
    }

    /** Parse scenario text; {@code dir} resolves a relative {@code machine:} path (null: the working directory). */
    public Scenario parse(String file, String text, Path dir) {
        YamlNode root = YamlNode.parse(file, text);
        root.checkKeys(KEYS);
        Map<String, YamlNode> m = root.mapping();
        String name = m.containsKey("name") ? m.get("name").string() : baseName(file);
        if (m.containsKey("description")) {
            m.get("description").string();
        }
        MachineProfile machine = m.containsKey("machine") ? machine(m.get("machine"), dir) : null;
        Names names = new Names();
        List<TimelineEntry> entries = new ArrayList<>();
        if (m.containsKey("sysctl")) {
            YamlNode s = m.get("sysctl");
            entries.add(new TimelineEntry(where(s), "sysctl", 0, 0, 0, 0,
                    registry.parse("sysctl", s, s, names), 0));
        }
        if (m.containsKey("processes")) {
            for (YamlNode p : m.get("processes").sequence()) {
                entries.add(new TimelineEntry(where(p), "spawn", 0, 0, 0, 0, registry.parse("spawn", p, p, names), 0));
            }
        }
        if (m.containsKey("timeline")) {
            long previous = 0;
            YamlNode previousAt = null;
            for (YamlNode e : m.get("timeline").sequence()) {
                TimelineEntry entry = entry(e, previous, previousAt, names);
                if (e.get("at") != null) {
                    previousAt = e.get("at");
                }
                previous = entry.atMillis();
                entries.add(entry);
            }
        }
        long duration = m.containsKey("duration") ? m.get("duration").duration() : 0;
        return new Scenario(file, name, machine, entries, duration);
    }

    private TimelineEntry entry(YamlNode e, long previous, YamlNode previousAt, Names names) {
        Map<String, YamlNode> m = e.mapping();
        String stepKey = null;
        for (String k : m.keySet()) {
            if (List.of(TIMING).contains(k)) {
                continue;
            }
            if (registry.kind(k) == null) {
                throw e.keyNode(k).error("unknown key '" + k + "' in " + e.path() + " (expected at, every, repeat,"
                        + " for, fails and one step: " + String.join(", ", registry.keys()) + ")");
            }
            if (stepKey != null) {
                throw e.keyNode(k).error("one step per timeline entry: '" + stepKey + "' and '" + k + "' (give each"
                        + " its own entry, with the same 'at')");
            }
            stepKey = k;
        }
        if (stepKey == null) {
            throw e.error(e.path() + " has no step (one of: " + String.join(", ", registry.keys()) + ")");
        }
        long at = previous;
        if (m.containsKey("at")) {
            at = m.get("at").duration();
            if (at < previous) {
                throw m.get("at").error("time goes backwards: at " + Durations.format(at) + " comes after an"
                        + " entry at " + Durations.format(previous) + (previousAt == null ? ""
                        : " (line " + previousAt.line() + ")") + "; list entries in time order");
            }
        }
        long every = 0;
        if (m.containsKey("every")) {
            every = m.get("every").duration();
            if (every < MIN_PERIOD_MILLIS) {
                throw m.get("every").error("every: the period must be at least " + MIN_PERIOD_MILLIS + "ms (a jiffy)");
            }
        }
        long repeat = 0;
        if (m.containsKey("repeat")) {
            if (every == 0) {
                throw m.get("repeat").error("repeat needs a period: add 'every'");
            }
            repeat = m.get("repeat").integer(1, Integer.MAX_VALUE);
        }
        long forMillis = 0;
        if (m.containsKey("for")) {
            if (every == 0) {
                throw m.get("for").error("for needs a period: add 'every'");
            }
            forMillis = m.get("for").duration();
            if (forMillis == 0) {
                throw m.get("for").error("for: the duration must be more than 0");
            }
        }
        int fails = 0;
        if (m.containsKey("fails")) {
            String name = m.get("fails").scalar().trim();
            fails = Errno.byName(name);
            if (fails == 0 || stepKey.equals("expect")) {
                throw m.get("fails").error(fails == 0 ? "fails: '" + name + "' is not an errno name (e.g. ENOMEM,"
                        + " EINVAL)" : "fails: an expect entry cannot fail; expect the values instead");
            }
        }
        Step step = registry.parse(stepKey, e.keyNode(stepKey), m.get(stepKey), names);
        return new TimelineEntry(where(e), stepKey, at, every, repeat, forMillis, step, fails);
    }

    private static MachineProfile machine(YamlNode n, Path dir) {
        if (n.isMapping()) {
            return MachineProfileLoader.fromNode(n);
        }
        Path p = Path.of(n.string());
        if (!p.isAbsolute() && dir != null) {
            p = dir.resolve(p);
        }
        if (!Files.isRegularFile(p)) {
            throw n.error("machine: no profile at " + p);
        }
        return MachineProfileLoader.load(p);
    }

    static String where(YamlNode n) {
        return n.file() + ":" + n.line() + ":" + n.column();
    }

    private static String baseName(String file) {
        String b = file.substring(file.lastIndexOf('/') + 1);
        return b.endsWith(".yaml") ? b.substring(0, b.length() - 5) : b;
    }
}
