package io.simproc.proc;

/** /proc/version (fs/proc/version.c): the banner the kernel printed first at boot. */
public final class Version implements ProcFile.Renderer {
    @Override
    public byte[] render(ProcContext ctx) {
        return new Seq(256).put(ctx.kernel().linuxBanner()).nl().bytes();
    }
}
