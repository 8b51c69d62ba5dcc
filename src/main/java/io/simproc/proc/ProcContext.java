package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.uapi.Credentials;

/** What a renderer or writer works with: the machine and who opened the file. */
public record ProcContext(Kernel kernel, Credentials who) {
    /** The simulated task the reader or writer is (what /proc/self leads to), or null on a machine without tasks. */
    public io.simproc.kernel.Task current() {
        return ProcBase.selfTask(this);
    }
}
