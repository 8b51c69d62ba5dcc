package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.ProcFile;
import io.simproc.uapi.Credentials;

import java.nio.charset.StandardCharsets;

/**
 * {@code drop_caches: N}: {@code echo N > /proc/sys/vm/drop_caches} as root — 1 drops the clean page cache, 2 the
 * reclaimable slab objects (dentries, inodes), 3 both, 4 silences the kernel log line. The write goes through
 * /proc/sys like the {@code sysctl} step, so the kernel's range check, counters and log line are the real ones.
 */
final class DropCachesStep implements Step {
    private final int value;

    private DropCachesStep(int value) {
        this.value = value;
    }

    static final class Kind implements StepKind {
        @Override
        public String key() {
            return "drop_caches";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            if (!value.isScalar()) {
                throw value.error("drop_caches: expected 1 (page cache), 2 (slab), 3 (both) or 4");
            }
            return new DropCachesStep((int) value.integer(1, 4));
        }
    }

    @Override
    public void run(ScenarioRun run) {
        ProcEntry f = run.procFs().lookup("/sys/vm/drop_caches", Credentials.ROOT);
        if (!(f instanceof ProcFile file)) {
            throw new StepException(describe() + ": No such file or directory");
        }
        int r = run.procFs().write(file, Credentials.ROOT, (value + "\n").getBytes(StandardCharsets.UTF_8), 0);
        if (r < 0) {
            throw StepException.errno(describe(), r);
        }
    }

    @Override
    public String describe() {
        return "drop_caches " + value;
    }
}
