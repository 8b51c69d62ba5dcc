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
                new Unsimulated("read", "the page cache (file reads)", "process", "path", "size", "rate"),
                new Unsimulated("write", "the page cache (dirty pages and writeback)", "process", "path", "size",
                        "rate"),
                new Unsimulated("fsync", "writeback", "process", "path"),
                new Unsimulated("sync", "writeback"),
                new Unsimulated("read_blockdev", "the block device page cache (Buffers)", "device", "size", "rate"),
                new Unsimulated("create_files", "dentries and inodes (the dcache and icache slabs)", "path",
                        "count", "size"),
                new Unsimulated("delete_files", "dentries and inodes (the dcache and icache slabs)", "path",
                        "count"),
                new Unsimulated("kmalloc", "the slab allocator", "cache", "size", "count", "rate"),
                new Unsimulated("vmalloc", "vmalloc", "name", "size"),
                new Unsimulated("vfree", "vmalloc", "name"),
                new Unsimulated("ioremap", "vmalloc (ioremap areas)", "driver", "size"),
                new Unsimulated("drop_caches", "the page cache and slab shrinkers (vm.drop_caches)"),
                new Unsimulated("compact_memory", "memory compaction (vm.compact_memory)", "node"),
                new Unsimulated("swapon", "swap", "path", "priority"),
                new Unsimulated("swapoff", "swap", "path"));
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
