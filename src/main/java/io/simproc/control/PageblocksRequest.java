package io.simproc.control;

import io.simproc.config.Sizes;
import io.simproc.mm.PageblockSnapshot;
import io.simproc.physmap.PageblockText;

import java.util.List;

/**
 * {@code pageblocks}: the machine's physical memory pageblock by pageblock, taken under the read lock at one
 * instant: a {@code title} line naming the machine and its uptime, then the snapshot as {@link PageblockText}.
 * What {@code simproc map DIR} draws.
 */
final class PageblocksRequest implements ControlRequest {
    @Override
    public String name() {
        return "pageblocks";
    }

    @Override
    public String usage() {
        return "";
    }

    @Override
    public void handle(Daemon d, List<String> args, Reply reply) {
        ControlRequests.arity(this, args, 0, 0);
        Taken t = d.kernel().read(k -> new Taken(PageblockSnapshot.take(k.mm()), k.clock().nanos()));
        reply.out(String.format("title Physical memory of machine '%s' (%s, seed %d) at uptime %.2f s",
                d.kernel().profile().name(), Sizes.human(d.kernel().profile().ramBytes()), d.kernel().seed(),
                t.uptimeNanos() / 1e9));
        PageblockText.write(t.snapshot(), reply::out);
    }

    /** The snapshot and the uptime it was taken at. */
    private record Taken(PageblockSnapshot snapshot, long uptimeNanos) {
    }
}
