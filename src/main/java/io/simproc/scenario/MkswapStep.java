package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.mm.Zram;
import io.simproc.uapi.Errno;

/**
 * {@code mkswap: /dev/zram0}: write a swap signature on the zram device, so that {@code swapon} takes it (the
 * profile's swap areas are made at boot and need none). EINVAL before its disksize is set, EBUSY while swap uses
 * it, ENOENT for any other path.
 */
final class MkswapStep implements Step {
    private final String path;

    private MkswapStep(String path) {
        this.path = path;
    }

    static final class Kind implements StepKind {
        @Override
        public String key() {
            return "mkswap";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            if (!value.isScalar()) {
                throw value.error("mkswap: expected a device path, e.g. /dev/zram0");
            }
            return new MkswapStep(value.scalar());
        }
    }

    @Override
    public void run(ScenarioRun run) {
        Zram zram = run.kernel().mm().zram();
        if (zram == null || !path.equals("/dev/" + zram.name())) {
            throw StepException.errno(describe(), -Errno.ENOENT);
        }
        int r = zram.mkswap();
        if (r < 0) {
            throw StepException.errno(describe(), r);
        }
    }

    @Override
    public String describe() {
        return "mkswap " + path;
    }
}
