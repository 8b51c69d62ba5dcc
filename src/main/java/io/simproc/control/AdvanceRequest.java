package io.simproc.control;

import io.simproc.config.Durations;
import io.simproc.kernel.Clock;

import java.util.List;
import java.util.Locale;

/**
 * {@code advance DURATION}: run that much simulated time as fast as possible and answer when it has run, with
 * progress lines about ten times a (wall) second; the machine then goes on at its speed (or stays paused).
 */
final class AdvanceRequest implements ControlRequest {
    /** Simulated time of at most ~10 days per request. */
    static final long MAX_MILLIS = 864_000_000L;

    @Override
    public String name() {
        return "advance";
    }

    @Override
    public String usage() {
        return "DURATION";
    }

    @Override
    public void handle(Daemon d, List<String> args, Reply reply) {
        ControlRequests.arity(this, args, 1, 1);
        long millis;
        try {
            millis = Durations.parseMillis(args.get(0));
        } catch (IllegalArgumentException e) {
            throw ControlException.usage("advance: " + e.getMessage());
        }
        if (millis <= 0 || millis > MAX_MILLIS) {
            throw ControlException.usage("advance: the duration must be between 4ms and 10d");
        }
        long jiffies = Clock.secondsToJiffies(millis / 1000.0);
        long[] last = {0};
        long wallStart = System.nanoTime();
        long ran = d.simulation().advanceNow(jiffies, done -> {
            long now = System.nanoTime();
            if (now - last[0] > 100_000_000L) {
                last[0] = now;
                reply.progress(done * 1000 / Clock.HZ, millis);
            }
        });
        double wall = (System.nanoTime() - wallStart) / 1e9;
        double up = d.kernel().read(k -> k.clock().nanos() / 1e9);
        reply.out(String.format(Locale.ROOT, "advanced %s in %.2f s (%.0fx), now %.2f s since boot",
                Durations.format(ran * 1000 / Clock.HZ), wall, wall > 0 ? ran / (double) Clock.HZ / wall : 0, up));
    }
}
