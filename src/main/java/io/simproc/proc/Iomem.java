package io.simproc.proc;

import io.simproc.kernel.Resource;

/**
 * /proc/iomem (kernel/resource.c r_show): the resource tree depth-first, {@code "%*s%0*llx-%0*llx : %s"} with two
 * spaces of indent per level (at most five levels) and 8-digit minimum hex. Readers without CAP_SYS_ADMIN see every
 * address as zero, with the structure and names kept.
 */
public final class Iomem implements ProcFile.Renderer {
    /** MAX_IORES_LEVEL. */
    static final int MAX_IORES_LEVEL = 5;

    @Override
    public byte[] render(ProcContext ctx) {
        Seq s = new Seq(2048);
        boolean showAddresses = ctx.who().isRoot();
        for (Resource r : ctx.kernel().facts().iomem().children()) {
            show(s, r, 0, showAddresses);
        }
        return s.bytes();
    }

    private static void show(Seq s, Resource r, int depth, boolean showAddresses) {
        s.spaces(2 * Math.min(depth, MAX_IORES_LEVEL));
        s.hex(showAddresses ? r.start() : 0, 8).put('-').hex(showAddresses ? r.end() : 0, 8).put(" : ").put(r.name());
        s.nl();
        for (Resource c : r.children()) {
            show(s, c, depth + 1, showAddresses);
        }
    }
}
