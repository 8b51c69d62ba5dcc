package io.simproc.sysctl;

import io.simproc.kernel.Kernel;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;

import java.util.function.ObjIntConsumer;
import java.util.function.ToIntFunction;

/**
 * A single C int knob handled by proc_dointvec_minmax: optional bounds (violations are EINVAL and leave the value
 * alone), then a handler that applies the new value (recomputing what depends on it).
 */
public final class IntSysctl extends Sysctl {
    private final ToIntFunction<Kernel> getter;
    private final ObjIntConsumer<Kernel> setter;
    private final Integer min;
    private final Integer max;

    public IntSysctl(String path, int mode, Integer min, Integer max, ToIntFunction<Kernel> getter,
                     ObjIntConsumer<Kernel> setter) {
        super(path, mode);
        this.getter = getter;
        this.setter = setter;
        this.min = min;
        this.max = max;
    }

    /** The lower bound (the ctl_table's extra1), or null when there is none. */
    public Integer min() {
        return min;
    }

    /** The upper bound (extra2), or null when there is none. */
    public Integer max() {
        return max;
    }

    @Override
    public byte[] read(Kernel kernel) {
        return ProcDoIntVec.format(getter.applyAsInt(kernel));
    }

    @Override
    public int write(Kernel kernel, byte[] data, long pos, Credentials writer) {
        int[] value = new int[1];
        ProcDoIntVec.Result r = ProcDoIntVec.write(data, pos, 1, false, (i, magnitude, negative) -> {
            Integer v = ProcDoIntVec.toInt(magnitude, negative);
            if (v == null || (min != null && v < min) || (max != null && v > max)) {
                return -Errno.EINVAL;
            }
            value[0] = v;
            return 0;
        });
        if (r.ok()) {
            // The handler's follow-up runs whenever proc_dointvec_minmax succeeds, also for a write it ignored
            // (at a non-zero offset): the current value is applied again.
            setter.accept(kernel, r.valuesAccepted() == 1 ? value[0] : getter.applyAsInt(kernel));
        }
        return r.returned();
    }
}
