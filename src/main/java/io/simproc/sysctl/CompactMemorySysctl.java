package io.simproc.sysctl;

import io.simproc.kernel.Kernel;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;

/**
 * vm/compact_memory (sysctl_compaction_handler, mm/compaction.c): write-only (0200). proc_dointvec stores any int
 * — the stored value persists, unseen — then anything but 1 is EINVAL; a write of 1 compacts every populated zone
 * of every node before returning. A write the kernel ignores (non-zero offset) acts on the stored value.
 */
final class CompactMemorySysctl extends Sysctl {
    private int sysctlCompactMemory;

    CompactMemorySysctl() {
        super("vm/compact_memory", 0200);
    }

    @Override
    public byte[] read(Kernel kernel) {
        throw new IllegalStateException("compact_memory is write-only");
    }

    @Override
    public int write(Kernel kernel, byte[] data, long pos, Credentials writer) {
        int[] value = {sysctlCompactMemory};
        ProcDoIntVec.Result r = ProcDoIntVec.write(data, pos, 1, false, (i, magnitude, negative) -> {
            Integer v = ProcDoIntVec.toInt(magnitude, negative);
            if (v == null) {
                return -Errno.EINVAL;
            }
            value[0] = v;
            return 0;
        });
        if (!r.ok()) {
            return r.returned();
        }
        sysctlCompactMemory = value[0];
        if (sysctlCompactMemory != 1) {
            return -Errno.EINVAL;
        }
        kernel.mm().compaction().compactNodes();
        return r.returned();
    }
}
