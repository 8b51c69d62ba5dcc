package io.simproc.sysctl;

import io.simproc.kernel.Clock;
import io.simproc.kernel.Kernel;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;

import java.util.function.ObjIntConsumer;
import java.util.function.ToIntFunction;

/**
 * An int held in jiffies and shown in seconds, handled by proc_dointvec_jiffies (kernel/sysctl.c,
 * do_proc_dointvec_jiffies_conv): a read prints value / HZ, a write stores seconds * HZ; a value past INT_MAX / HZ
 * seconds is EINVAL and leaves the knob alone. Negative values are taken as the kernel takes them.
 */
public final class JiffiesSysctl extends Sysctl {
    private final ToIntFunction<Kernel> getter;
    private final ObjIntConsumer<Kernel> setter;

    public JiffiesSysctl(String path, ToIntFunction<Kernel> getter, ObjIntConsumer<Kernel> setter) {
        super(path, 0644);
        this.getter = getter;
        this.setter = setter;
    }

    @Override
    public byte[] read(Kernel kernel) {
        return ProcDoIntVec.format(getter.applyAsInt(kernel) / Clock.HZ);
    }

    @Override
    public int write(Kernel kernel, byte[] data, long pos, Credentials writer) {
        int[] value = new int[1];
        ProcDoIntVec.Result r = ProcDoIntVec.write(data, pos, 1, false, (i, magnitude, negative) -> {
            if (magnitude < 0 || magnitude > Integer.MAX_VALUE / Clock.HZ) {
                return -Errno.EINVAL;
            }
            value[0] = (int) (negative ? -magnitude * Clock.HZ : magnitude * Clock.HZ);
            return 0;
        });
        if (r.ok() && r.valuesAccepted() == 1) {
            setter.accept(kernel, value[0]);
        }
        return r.returned();
    }
}
