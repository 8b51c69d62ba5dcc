package io.simproc.sysctl;

import io.simproc.kernel.Kernel;
import io.simproc.uapi.Credentials;

import java.nio.charset.StandardCharsets;
import java.util.function.ObjLongConsumer;
import java.util.function.ToLongFunction;

/**
 * A single C unsigned long knob handled by proc_doulongvec_minmax without bounds: any value 0..ULONG_MAX, a minus
 * sign is EINVAL; the value is held in a Java long and printed unsigned. The setter applies it with its side
 * effects, also after a write the kernel ignored at a non-zero offset (the handler's follow-up runs on success).
 */
public final class ULongSysctl extends Sysctl {
    private final ToLongFunction<Kernel> getter;
    private final ObjLongConsumer<Kernel> setter;

    public ULongSysctl(String path, int mode, ToLongFunction<Kernel> getter, ObjLongConsumer<Kernel> setter) {
        super(path, mode);
        this.getter = getter;
        this.setter = setter;
    }

    @Override
    public byte[] read(Kernel kernel) {
        return (Long.toUnsignedString(getter.applyAsLong(kernel)) + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public int write(Kernel kernel, byte[] data, long pos, Credentials writer) {
        long[] value = new long[1];
        ProcDoIntVec.Result r = ProcDoIntVec.write(data, pos, 1, true, (i, magnitude, negative) -> {
            value[0] = magnitude;
            return 0;
        });
        if (r.ok()) {
            setter.accept(kernel, r.valuesAccepted() == 1 ? value[0] : getter.applyAsLong(kernel));
        }
        return r.returned();
    }
}
