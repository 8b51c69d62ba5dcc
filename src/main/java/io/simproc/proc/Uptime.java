package io.simproc.proc;

import io.simproc.kernel.CpuStat;
import io.simproc.kernel.Kernel;

/**
 * /proc/uptime (fs/proc/uptime.c): seconds since boot and the idle time summed over all CPUs, both truncated to
 * hundredths: {@code "%lu.%02lu %lu.%02lu\n"}.
 */
public final class Uptime implements ProcFile.Renderer {
    @Override
    public byte[] render(ProcContext ctx) {
        Kernel k = ctx.kernel();
        long now = k.clock().nanos();
        long idle = 0;
        for (int cpu = 0; cpu < k.cpuStat().nrCpus(); cpu++) {
            idle += k.cpuStat().nanos(cpu, CpuStat.Usage.IDLE, now);
        }
        Seq s = new Seq(64);
        seconds(s, now);
        s.put(' ');
        seconds(s, idle);
        return s.nl().bytes();
    }

    private static void seconds(Seq s, long nanos) {
        long secs = nanos / 1_000_000_000L;
        long hundredths = (nanos % 1_000_000_000L) / 10_000_000L;
        s.put(secs).put('.').put(hundredths < 10 ? "0" : "").put(hundredths);
    }
}
