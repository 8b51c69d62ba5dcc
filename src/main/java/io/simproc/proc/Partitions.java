package io.simproc.proc;

import io.simproc.block.BlockDevice;

/**
 * /proc/partitions (block/genhd.c show_partition()): a header and a blank line, then per block device of nonzero
 * size "%4d  %7d %10llu %pg": major, minor, size in 1 KiB blocks and name.
 */
public final class Partitions implements ProcFile.Renderer {
    @Override
    public byte[] render(ProcContext ctx) {
        Seq s = new Seq(256);
        s.put("major minor  #blocks  name\n\n");
        for (BlockDevice b : Diskstats.all(ctx.kernel())) {
            if (b.nrSects() == 0) {
                continue;
            }
            s.dec(b.major(), 4).put("  ").dec(b.minor(), 7).put(' ').dec(b.nrSects() >> 1, 10).put(' ')
                    .put(b.name()).nl();
        }
        return s.bytes();
    }
}
