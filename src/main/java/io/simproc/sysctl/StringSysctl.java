package io.simproc.sysctl;

import io.simproc.kernel.Kernel;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/** A read-only string (proc_dostring): the value and a newline; reading past offset 0 gives end of file. */
public final class StringSysctl extends Sysctl {
    private final Function<Kernel, String> getter;

    public StringSysctl(String path, Function<Kernel, String> getter) {
        super(path, 0444);
        this.getter = getter;
    }

    @Override
    public byte[] read(Kernel kernel) {
        return (getter.apply(kernel) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public int write(Kernel kernel, byte[] data, long pos, Credentials writer) {
        return -Errno.EPERM;
    }
}
