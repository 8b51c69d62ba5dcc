package io.simproc.scenario;

import io.simproc.config.YamlNode;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The step kinds a scenario may use, by key. {@link #standard()} lists every kind simproc has; a new kind is one
 * class implementing {@link StepKind}, added there (docs/SCENARIOS.md, "Adding a step").
 */
public final class StepRegistry {
    private final Map<String, StepKind> kinds;

    private StepRegistry(Map<String, StepKind> kinds) {
        this.kinds = Collections.unmodifiableMap(kinds);
    }

    /** Every step kind simproc knows. */
    public static StepRegistry standard() {
        Map<String, StepKind> k = new LinkedHashMap<>();
        for (StepKind kind : new StepKind[] {
            new SpawnStep.Kind(), new ForkStep.Kind(), new ExitStep.Kind(), new KillStep.Kind(),
            new MallocStep.Kind(), new FreeStep.Kind(), new TouchStep.Kind(), new MlockStep.Kind(true),
            new MlockStep.Kind(false), new PinStep.Kind(true), new PinStep.Kind(false), new MadviseStep.Kind(),
            new MmapStep.Kind(), new SysctlStep.Kind(),
            new ExpectStep.Kind(), new RememberStep.Kind(), new IoStep.Kind(IoStep.Op.READ),
            new IoStep.Kind(IoStep.Op.WRITE),
            new SyncStep.Kind(true), new SyncStep.Kind(false), new IoStep.Kind(IoStep.Op.READ_BLOCKDEV),
            new FilesStep.Kind(true), new FilesStep.Kind(false), new DropCachesStep.Kind(), new SwapStep.Kind(true),
            new SwapStep.Kind(false), new KmallocStep.Kind(), new VmallocStep.Kind(true), new VmallocStep.Kind(false),
            new IoremapStep.Kind(), new DmaAllocStep.Kind(true), new DmaAllocStep.Kind(false),
            new CompactMemoryStep.Kind(), new MempolicyStep.Kind(), new MunmapStep.Kind(),
            new CgroupDirStep.Kind(true), new CgroupDirStep.Kind(false), new CgroupWriteStep.Kind(),
            new CgroupMoveStep.Kind(), SysfsKnobStep.KSM, new PrctlStep.Kind(), SysfsKnobStep.ZRAM,
            new MkswapStep.Kind(), SysfsKnobStep.THP, SysfsKnobStep.KHUGEPAGED}) {
            k.put(kind.key(), kind);
        }
        return new StepRegistry(k);
    }

    /** The kind with this key, or null. */
    public StepKind kind(String key) {
        return kinds.get(key);
    }

    /** The keys, in registration order. */
    public Set<String> keys() {
        return kinds.keySet();
    }

    /** Parse one step given as {@code key: value}; unknown keys are errors at {@code keyNode}. */
    public Step parse(String key, YamlNode keyNode, YamlNode value, Names names) {
        StepKind kind = kinds.get(key);
        if (kind == null) {
            throw keyNode.error("unknown step '" + key + "' (steps: " + String.join(", ", kinds.keySet()) + ")");
        }
        return kind.parse(value, names);
    }
}
