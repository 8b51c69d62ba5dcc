package io.simproc.scenario;

import io.simproc.config.YamlNode;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a scenario has named so far while it is parsed, in file order: its processes (by the {@code name} a spawn or
 * fork step gave them) and, per process, its memory regions (by the {@code name} of a malloc or mmap step), the
 * kernel's vmalloc areas (by the {@code name} of a vmalloc step) and drivers' DMA buffers (by the {@code name} of a
 * dma_alloc step). A step
 * may only refer to names defined by an earlier entry, so a typo is an error before anything runs. Values a
 * {@code remember} step keeps are named the same way and read back as {@code $NAME} in expressions.
 */
public final class Names {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:-]*");

    private final Map<String, Set<String>> processes = new LinkedHashMap<>();
    private final Set<String> vmallocs = new LinkedHashSet<>();
    private final Set<String> dmaBuffers = new LinkedHashSet<>();
    private final Set<String> values = new LinkedHashSet<>();

    /** Define (or redefine) process {@code label} from node {@code at}; a forked child inherits {@code from}'s regions. */
    public void defineProcess(YamlNode at, String label, String from) {
        checkName(at, label);
        Set<String> regions = new LinkedHashSet<>();
        if (from != null) {
            regions.addAll(processes.get(from));
        }
        processes.put(label, regions);
    }

    /** The process label this node names; an error when no earlier step defined it. */
    public String process(YamlNode node) {
        String label = node.string();
        if (!processes.containsKey(label)) {
            throw node.error("unknown process '" + label + "'" + (processes.isEmpty()
                    ? " (no earlier entry spawns or forks a process)"
                    : " (earlier entries define: " + String.join(", ", processes.keySet()) + ")"));
        }
        return label;
    }

    /** Names that define these processes, already checked (a parsed scenario's {@link Scenario#processNames()}). */
    static Names ofProcesses(java.util.Collection<String> labels) {
        Names n = new Names();
        for (String label : labels) {
            n.processes.put(label, new LinkedHashSet<>());
        }
        return n;
    }

    /** Whether a process of that label is defined. */
    public boolean hasProcess(String label) {
        return processes.containsKey(label);
    }

    /** Define region {@code name} of process {@code label}. */
    public void defineRegion(String label, YamlNode at, String name) {
        checkName(at, name);
        processes.get(label).add(name);
    }

    /** The region of process {@code label} this node names; an error when no earlier step defined it. */
    public String region(String label, YamlNode node) {
        String name = node.string();
        Set<String> regions = processes.get(label);
        if (!regions.contains(name)) {
            throw node.error("process '" + label + "' has no region '" + name + "'" + (regions.isEmpty()
                    ? " (name one with a malloc or mmap step first)"
                    : " (it has: " + String.join(", ", regions) + ")"));
        }
        return name;
    }

    /** Define the name of a kernel vmalloc area ({@code vmalloc} step). */
    public void defineVmalloc(YamlNode at, String name) {
        checkName(at, name);
        vmallocs.add(name);
    }

    /** The vmalloc area this node names; an error when no earlier vmalloc step defined it. */
    public String vmalloc(YamlNode node) {
        String name = node.string();
        if (!vmallocs.contains(name)) {
            throw node.error("unknown vmalloc area '" + name + "'" + (vmallocs.isEmpty()
                    ? " (no earlier entry vmallocs one)" : " (earlier entries define: " + String.join(", ", vmallocs)
                    + ")"));
        }
        return name;
    }

    /** Define the name of a driver's DMA buffer ({@code dma_alloc} step). */
    public void defineDmaBuffer(YamlNode at, String name) {
        checkName(at, name);
        dmaBuffers.add(name);
    }

    /** The DMA buffer this node names; an error when no earlier dma_alloc step defined it. */
    public String dmaBuffer(YamlNode node) {
        String name = node.string();
        if (!dmaBuffers.contains(name)) {
            throw node.error("unknown DMA buffer '" + name + "'" + (dmaBuffers.isEmpty()
                    ? " (no earlier dma_alloc entry names one)" : " (earlier entries define: "
                    + String.join(", ", dmaBuffers) + ")"));
        }
        return name;
    }

    /** Define (or redefine) remembered value {@code name} from node {@code at}. */
    public void defineValue(YamlNode at, String name) {
        checkName(at, name);
        values.add(name);
    }

    /** Whether an earlier {@code remember} step defines value {@code name}. */
    public boolean hasValue(String name) {
        return values.contains(name);
    }

    /** The remembered values defined so far, for messages. */
    public Set<String> values() {
        return java.util.Collections.unmodifiableSet(values);
    }

    private static void checkName(YamlNode at, String name) {
        if (!NAME.matcher(name).matches()) {
            throw at.error("'" + name + "' is not a usable name (letters, digits, _ . : -)");
        }
    }
}
