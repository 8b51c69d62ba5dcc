package io.simproc.sysctl;

import io.simproc.kernel.Kernel;
import io.simproc.uapi.Credentials;

import java.nio.charset.StandardCharsets;

/**
 * An integer kept for old tools whose writes are accepted and ignored: drivers/char/random.c's proc_do_rointvec()
 * returns 0 for a write without touching the value, so write(2) reports every byte written and the file reads
 * the same afterwards. Mode 0644, as the kernel's table declares it.
 */
public final class RoIntSysctl extends Sysctl {
    private final int value;

    public RoIntSysctl(String path, int value) {
        super(path, 0644);
        this.value = value;
    }

    @Override
    public byte[] read(Kernel kernel) {
        return (value + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public int write(Kernel kernel, byte[] data, long pos, Credentials writer) {
        return data.length;
    }
}
