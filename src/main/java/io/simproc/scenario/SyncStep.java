package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.kernel.Processes;
import io.simproc.kernel.Task;

/**
 * {@code fsync} (a process's fsync(2) of one file: its dirty pages, and the dirty inode blocks, written and waited
 * for) and {@code sync} (init's sync(2): every dirty page). A file that does not exist is a failed step (ENOENT).
 */
final class SyncStep implements Step {
    private final String label;
    private final String path;

    private SyncStep(String label, String path) {
        this.label = label;
        this.path = path;
    }

    static final class Kind implements StepKind {
        private final boolean file;

        Kind(boolean file) {
            this.file = file;
        }

        @Override
        public String key() {
            return file ? "fsync" : "sync";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            if (!file) {
                if (value.isMapping() || value.isSequence() || !value.scalar().isEmpty()) {
                    throw value.error("sync: takes no value (write `- sync:`)");
                }
                return new SyncStep(null, null);
            }
            value.checkKeys("process", "path");
            return new SyncStep(names.process(value.require("process")), value.require("path").scalar());
        }
    }

    @Override
    public void run(ScenarioRun run) {
        if (path == null) {
            Task init = run.kernel().tasks().get(Processes.INIT_PID);
            if (init == null) {
                throw new StepException("sync: init is not running");
            }
            run.kernel().syscalls().sync(init);
            return;
        }
        int r = run.kernel().syscalls().fsync(run.process(label), path);
        if (r < 0) {
            throw StepException.errno(describe(), r);
        }
    }

    @Override
    public String describe() {
        return path == null ? "sync" : "fsync " + path + " in " + label;
    }
}
