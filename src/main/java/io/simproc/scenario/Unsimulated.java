package io.simproc.scenario;

import io.simproc.kernel.YamlNode;

import java.util.List;

/**
 * Step kinds whose subsystem simproc does not simulate yet. Each is parsed — its keys checked like any other
 * step's — and then refused with an error naming the missing subsystem, so that a scenario using one fails before
 * it starts instead of doing nothing. The issue that adds the subsystem replaces the entry here by a real
 * {@link StepKind}.
 */
final class Unsimulated implements StepKind {
    private final String key;
    private final String subsystem;
    private final String[] keys;

    private Unsimulated(String key, String subsystem, String... keys) {
        this.key = key;
        this.subsystem = subsystem;
        this.keys = keys;
    }

    static List<StepKind> kinds() {
        return List.of(
                new Unsimulated("kmalloc", "the slab allocator", "cache", "size", "count", "rate"),
                new Unsimulated("vmalloc", "vmalloc", "name", "size"),
                new Unsimulated("vfree", "vmalloc", "name"),
                new Unsimulated("ioremap", "vmalloc (ioremap areas)", "driver", "size"),
                new Unsimulated("compact_memory", "memory compaction (vm.compact_memory)", "node"));
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public Step parse(YamlNode value, Names names) {
        if (value.isMapping()) {
            value.checkKeys(keys);
            if (value.get("process") != null) {
                names.process(value.get("process"));
            }
        } else if (!value.isScalar()) {
            throw value.error(key + ": expected a value or a mapping of " + String.join(", ", keys));
        }
        throw value.error(key + ": needs " + subsystem + ", which simproc does not simulate yet");
    }
}
