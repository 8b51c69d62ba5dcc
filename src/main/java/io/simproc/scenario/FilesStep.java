package io.simproc.scenario;

import io.simproc.config.Sizes;
import io.simproc.config.YamlNode;
import io.simproc.kernel.Processes;
import io.simproc.kernel.Task;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code create_files} and {@code delete_files}: init creates {@code count} files of {@code size} bytes (their data
 * on disk, not cached) in the directory {@code path}, named {@code PATH/0}, {@code PATH/1}... after those already
 * there — each a dentry and an inode in their slabs and a dirty inode-table block — or unlinks {@code count} of
 * them (all by default), lowest names first: their dentries, inodes and page cache go.
 */
final class FilesStep implements Step {
    private final boolean create;
    private final String dir;
    private final long count;
    private final long size;

    private FilesStep(boolean create, String dir, long count, long size) {
        this.create = create;
        this.dir = dir;
        this.count = count;
        this.size = size;
    }

    static final class Kind implements StepKind {
        private final boolean create;

        Kind(boolean create) {
            this.create = create;
        }

        @Override
        public String key() {
            return create ? "create_files" : "delete_files";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            if (create) {
                value.checkKeys("path", "count", "size");
            } else {
                value.checkKeys("path", "count");
            }
            String dir = value.require("path").scalar();
            if (!dir.startsWith("/") || dir.endsWith("/")) {
                throw value.get("path").error(key() + ": path must be an absolute directory without a trailing /");
            }
            long count = value.get("count") == null ? (create ? 1 : Long.MAX_VALUE)
                    : value.get("count").integer(1, 10_000_000);
            long size = create && value.get("size") != null ? value.get("size").size() : 0;
            return new FilesStep(create, dir, count, size);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        Task init = run.kernel().tasks().get(Processes.INIT_PID);
        if (init == null) {
            throw new StepException(describe() + ": init is not running");
        }
        List<Long> present = new ArrayList<>();
        for (String p : run.kernel().vfs().files().keySet()) {
            if (p.startsWith(dir + "/") && p.substring(dir.length() + 1).matches("[0-9]{1,18}")) {
                present.add(Long.parseLong(p.substring(dir.length() + 1)));
            }
        }
        present.sort(null);
        if (create) {
            long next = present.isEmpty() ? 0 : present.get(present.size() - 1) + 1;
            for (long i = 0; i < count; i++) {
                int r = run.kernel().syscalls().create(init, dir + "/" + (next + i), size);
                if (r < 0) {
                    throw StepException.errno(describe() + " (" + dir + "/" + (next + i) + ")", r);
                }
            }
            return;
        }
        if (present.isEmpty()) {
            throw new StepException(describe() + ": no files in " + dir);
        }
        for (int i = 0; i < present.size() && i < count; i++) {
            int r = run.kernel().syscalls().unlink(init, dir + "/" + present.get(i));
            if (r < 0) {
                throw StepException.errno(describe(), r);
            }
        }
    }

    @Override
    public String describe() {
        if (create) {
            return "create_files " + count + " of " + Sizes.format(size) + " in " + dir;
        }
        return "delete_files " + (count == Long.MAX_VALUE ? "all" : String.valueOf(count)) + " in " + dir;
    }
}
