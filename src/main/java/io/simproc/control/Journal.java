package io.simproc.control;

import io.simproc.proc.ProcFs;
import io.simproc.uapi.Credentials;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything that reached a mounted machine from outside, in the order and at the simulated instant it took effect:
 * writes to its files, and scenarios started or applied (ctl apply, spawn, kill are scenario steps). The simulation
 * is deterministic, so the machine's profile, its seed and this journal reproduce its state: a checkpoint is this
 * journal, and a restore replays it.
 */
public final class Journal implements ProcFs.WriteObserver {
    /** One input: a write(2) to a proc file, or a scenario started at mount time or applied while running. */
    public sealed interface Entry permits Write, ScenarioInput {
        long jiffies();
    }

    public record Write(long jiffies, String path, Credentials who, byte[] data, long offset) implements Entry {
    }

    /** {@code atMount}: started with {@code ScenarioEngine.start} (mount --scenario), else run now (ctl). */
    public record ScenarioInput(long jiffies, boolean atMount, ScenarioSource source) implements Entry {
    }

    private final MachineSource machine;
    private final List<Entry> entries = new ArrayList<>();

    public Journal(MachineSource machine) {
        this.machine = machine;
    }

    /** Where the mounted machine's profile came from. */
    public MachineSource machine() {
        return machine;
    }

    @Override
    public synchronized void written(long jiffies, String path, Credentials who, byte[] data, long offset) {
        entries.add(new Write(jiffies, path, who, data, offset));
    }

    /** Record a scenario started at {@code jiffies}; call as the machine's writer, where it starts. */
    public synchronized void scenario(long jiffies, boolean atMount, ScenarioSource source) {
        entries.add(new ScenarioInput(jiffies, atMount, source));
    }

    /** The inputs so far, oldest first. */
    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** Continue a journal read from a checkpoint. */
    synchronized void addAll(List<Entry> earlier) {
        entries.addAll(earlier);
    }
}
