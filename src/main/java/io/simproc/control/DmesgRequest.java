package io.simproc.control;

import io.simproc.kernel.Printk;

import java.util.List;

/** {@code dmesg}: the simulated kernel log, as dmesg prints it ({@code [seconds.micros] text}). */
final class DmesgRequest implements ControlRequest {
    @Override
    public String name() {
        return "dmesg";
    }

    @Override
    public String usage() {
        return "";
    }

    @Override
    public void handle(Daemon d, List<String> args, Reply reply) {
        ControlRequests.arity(this, args, 0, 0);
        for (Printk.Record r : d.kernel().read(k -> k.log().records())) {
            reply.out(r.dmesgLine());
        }
    }
}
