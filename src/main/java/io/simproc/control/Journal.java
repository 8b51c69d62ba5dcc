package io.simproc.control;

import io.simproc.proc.ProcFs;
import io.simproc.uapi.Credentials;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything that reached a mounted machine from outside, in the order and at the simulated instant it took effect:
 * writes to its files (in /proc or /sys), directories made and removed there (cgroups), and scenarios started or
 * applied (ctl apply, spawn, kill, cgroup are scenario steps). The simulation is deterministic, so the machine's
 * profile, its seed and this journal reproduce its state: a checkpoint is this journal, and a restore replays it.
 */
public final class Journal implements ProcFs.WriteObserver {
    /** One input: a write(2) to a proc file, or a scenario started at mount time or applied while running. */
    public sealed interface Entry permits Write, DirOp, ScenarioInput {
        long jiffies();
    }

    /**
     * A write(2) to the file at {@code path} of {@code tree}.
     */
    public record Write(long jiffies, String path, Credentials who, byte[] data, long offset, Tree tree)
            implements Entry {
        /** A write to a /proc file. */
        public Write(long jiffies, String path, Credentials who, byte[] data, long offset) {
            this(jiffies, path, who, data, offset, Tree.PROC);
        }
    }

    /** A mkdir(2) ({@code mkdir}, with {@code mode}) or rmdir(2) of the directory at {@code path} of {@code tree}. */
    public record DirOp(long jiffies, String path, Credentials who, boolean mkdir, int mode, Tree tree)
            implements Entry {
    }

    /** The filesystem a written path is in. */
    public enum Tree { PROC, SYS }

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

    /** A write to the machine's /proc. */
    @Override
    public void written(long jiffies, String path, Credentials who, byte[] data, long offset) {
        add(new Write(jiffies, path, who, data, offset, Tree.PROC));
    }

    @Override
    public void dirChanged(long jiffies, String path, Credentials who, boolean mkdir, int mode) {
        add(new DirOp(jiffies, path, who, mkdir, mode, Tree.PROC));
    }

    /** The observer of the machine's /sys: its writes, mkdirs and rmdirs are journaled as {@link Tree#SYS} ones. */
    public ProcFs.WriteObserver sys() {
        return new ProcFs.WriteObserver() {
            @Override
            public void written(long jiffies, String path, Credentials who, byte[] data, long offset) {
                add(new Write(jiffies, path, who, data, offset, Tree.SYS));
            }

            @Override
            public void dirChanged(long jiffies, String path, Credentials who, boolean mkdir, int mode) {
                add(new DirOp(jiffies, path, who, mkdir, mode, Tree.SYS));
            }
        };
    }

    private synchronized void add(Entry e) {
        entries.add(e);
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
