package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.kernel.Task;
import io.simproc.uapi.Page;

/**
 * {@code mlock} / {@code munlock}: the process locks (or unlocks) the pages of a region: mlock(2) over each chunk,
 * page-aligned as the kernel aligns it, faulting them in (Mlocked, Unevictable).
 */
final class MlockStep implements Step {
    private final boolean lock;
    private final String label;
    private final String name;

    private MlockStep(boolean lock, String label, String name) {
        this.lock = lock;
        this.label = label;
        this.name = name;
    }

    static final class Kind implements StepKind {
        private final boolean lock;

        Kind(boolean lock) {
            this.lock = lock;
        }

        @Override
        public String key() {
            return lock ? "mlock" : "munlock";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            value.checkKeys("process", "name");
            String label = names.process(value.require("process"));
            return new MlockStep(lock, label, names.region(label, value.require("name")));
        }
    }

    @Override
    public void run(ScenarioRun run) {
        Task t = run.process(label);
        for (long[] e : run.region(label, name).extents()) {
            long start = e[0] & Page.PAGE_MASK;
            long len = e[0] + e[1] - start;
            int r = lock ? run.kernel().syscalls().mlock(t, start, len) : run.kernel().syscalls().munlock(t, start, len);
            if (r < 0) {
                throw StepException.errno(describe(), r);
            }
        }
    }

    @Override
    public String describe() {
        return (lock ? "mlock " : "munlock ") + name + " in " + label;
    }
}
