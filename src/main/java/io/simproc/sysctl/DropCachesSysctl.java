package io.simproc.sysctl;

import io.simproc.kernel.Kernel;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;

/**
 * vm/drop_caches (fs/drop_caches.c): write-only (0200, so a read is EACCES even for root), an int 1..4 parsed by
 * proc_dointvec_minmax (anything else EINVAL); a successful write runs the drop as the writing task.
 */
final class DropCachesSysctl extends Sysctl {
    DropCachesSysctl() {
        super("vm/drop_caches", 0200);
    }

    @Override
    public byte[] read(Kernel kernel) {
        throw new IllegalStateException("drop_caches is write-only");
    }

    @Override
    public int write(Kernel kernel, byte[] data, long pos, Credentials writer) {
        int[] value = new int[1];
        ProcDoIntVec.Result r = ProcDoIntVec.write(data, pos, 1, false, (i, magnitude, negative) -> {
            Integer v = ProcDoIntVec.toInt(magnitude, negative);
            if (v == null || v < 1 || v > 4) {
                return -Errno.EINVAL;
            }
            value[0] = v;
            return 0;
        });
        if (r.ok() && r.valuesAccepted() == 1) {
            kernel.mm().dropCaches().drop(value[0]);
        }
        return r.returned();
    }
}
