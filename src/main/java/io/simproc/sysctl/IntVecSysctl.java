package io.simproc.sysctl;

import io.simproc.kernel.Kernel;
import io.simproc.uapi.Credentials;

import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A vector of C ints handled by proc_dointvec (lowmem_reserve_ratio): entries are taken one by one as parsed, a
 * partial write updates only the leading entries, and — as lowmem_reserve_ratio_sysctl_handler does — parse errors
 * are swallowed: the write always reports success.
 */
public final class IntVecSysctl extends Sysctl {
    private final Function<Kernel, int[]> getter;
    private final BiConsumer<Kernel, int[]> setter;

    public IntVecSysctl(String path, int mode, Function<Kernel, int[]> getter, BiConsumer<Kernel, int[]> setter) {
        super(path, mode);
        this.getter = getter;
        this.setter = setter;
    }

    @Override
    public byte[] read(Kernel kernel) {
        int[] v = getter.apply(kernel);
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            l[i] = v[i];
        }
        return ProcDoIntVec.format(l);
    }

    @Override
    public int write(Kernel kernel, byte[] data, long pos, Credentials writer) {
        int[] values = getter.apply(kernel).clone();
        ProcDoIntVec.Result r = ProcDoIntVec.write(data, pos, values.length, false, (i, magnitude, negative) -> {
            Integer v = ProcDoIntVec.toInt(magnitude, negative);
            if (v == null) {
                return -io.simproc.uapi.Errno.EINVAL;
            }
            values[i] = v;
            return 0;
        });
        setter.accept(kernel, values);
        return r.lenp();
    }
}
