package io.simproc.sysctl;

import io.simproc.kernel.Kernel;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;

import java.util.function.ObjIntConsumer;
import java.util.function.ToIntFunction;

/**
 * A u8 knob handled by proc_dou8vec_minmax (kernel/sysctl.c): one unsigned value parsed as do_proc_douintvec()
 * does, within [min, max] (0 and 255 unless the table says otherwise); a minus sign, a value out of range or
 * anything unparsable is EINVAL and leaves the value alone. A write that succeeds consumes all its bytes.
 */
public final class U8Sysctl extends Sysctl {
    private final int min;
    private final int max;
    private final ToIntFunction<Kernel> getter;
    private final ObjIntConsumer<Kernel> setter;

    public U8Sysctl(String path, int min, int max, ToIntFunction<Kernel> getter, ObjIntConsumer<Kernel> setter) {
        super(path, 0644);
        this.min = min;
        this.max = max;
        this.getter = getter;
        this.setter = setter;
    }

    @Override
    public byte[] read(Kernel kernel) {
        return ProcDoIntVec.format(getter.applyAsInt(kernel));
    }

    @Override
    public int write(Kernel kernel, byte[] data, long pos, Credentials writer) {
        int[] value = new int[1];
        ProcDoIntVec.Result r = ProcDoIntVec.write(data, pos, 1, true, (i, magnitude, negative) -> {
            if (magnitude < min || magnitude > max) {
                return -Errno.EINVAL;
            }
            value[0] = (int) magnitude;
            return 0;
        });
        if (!r.ok()) {
            return -Errno.EINVAL;
        }
        if (r.valuesAccepted() == 1) {
            setter.accept(kernel, value[0]);
        }
        return data.length;
    }
}
