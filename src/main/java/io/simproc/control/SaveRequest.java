package io.simproc.control;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code save FILE}: write a checkpoint of the machine as it is now (an absolute path; written atomically), which
 * {@code simproc mount DIR --restore FILE} continues from — paused if it was saved paused.
 */
final class SaveRequest implements ControlRequest {
    @Override
    public String name() {
        return "save";
    }

    @Override
    public String usage() {
        return "FILE";
    }

    @Override
    public void handle(Daemon d, List<String> args, Reply reply) {
        ControlRequests.arity(this, args, 1, 1);
        Checkpoint c = Checkpoint.capture(d);
        try {
            c.save(Path.of(args.get(0)));
        } catch (IOException e) {
            throw new ControlException(ControlException.FAILED, "cannot write " + args.get(0) + ": " + e.getMessage());
        }
        reply.out(String.format("saved %s: %.2f s of simulated time, %d inputs%s", args.get(0),
                c.jiffies() / (double) io.simproc.kernel.Clock.HZ, c.entries().size(),
                c.paused() ? ", paused (it restores paused)" : ""));
    }
}
