package io.simproc.sysctl;

import io.simproc.kernel.Kernel;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;

import java.util.function.ToLongFunction;

/**
 * A single C unsigned long knob handled by proc_doulongvec_minmax: any minus sign is EINVAL, a value below
 * {@code min} is EINVAL, and both leave the value alone; then the knob's handler applies the value or refuses it
 * with an errno of its own (dirty_bytes' ERANGE), again leaving the old value.
 */
public final class ULongMinSysctl extends Sysctl {
    /** Applies an accepted value: 0, or a negative errno with nothing changed. */
    @FunctionalInterface
    public interface Handler {
        int apply(Kernel kernel, long value);
    }

    private final ToLongFunction<Kernel> getter;
    private final Handler handler;
    private final long min;

    public ULongMinSysctl(String path, int mode, long min, ToLongFunction<Kernel> getter, Handler handler) {
        super(path, mode);
        this.getter = getter;
        this.handler = handler;
        this.min = min;
    }

    @Override
    public byte[] read(Kernel kernel) {
        return (Long.toUnsignedString(getter.applyAsLong(kernel)) + "\n").getBytes(
                java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Override
    public int write(Kernel kernel, byte[] data, long pos, Credentials writer) {
        long[] value = new long[1];
        ProcDoIntVec.Result r = ProcDoIntVec.write(data, pos, 1, true, (i, magnitude, negative) -> {
            if (Long.compareUnsigned(magnitude, min) < 0) {
                return -Errno.EINVAL;
            }
            value[0] = magnitude;
            return 0;
        });
        if (!r.ok() || r.valuesAccepted() == 0) {
            return r.returned();
        }
        int err = handler.apply(kernel, value[0]);
        return err != 0 ? err : r.returned();
    }
}
