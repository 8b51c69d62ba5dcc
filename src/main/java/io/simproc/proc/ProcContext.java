package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.uapi.Credentials;

/** What a renderer or writer works with: the machine and who opened the file. */
public record ProcContext(Kernel kernel, Credentials who) {
}
