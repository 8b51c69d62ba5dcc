package io.simproc.kernel;

import io.simproc.mm.AddressSpace;

import java.util.Map;
import java.util.TreeMap;

/**
 * SysV shared memory (ipc/shm.c): a segment is a shmem object named by a key, created by the first shmget and
 * attached by later ones. It outlives the processes that map it (until removed), so its pages stay in Shmem; in
 * maps it shows as {@code /SYSV<key> (deleted)}.
 */
public final class Ipc {
    private final Kernel kernel;
    private final Map<String, AddressSpace> segments = new TreeMap<>();

    Ipc(Kernel kernel) {
        this.kernel = kernel;
    }

    /**
     * shmget(key, size, IPC_CREAT) by {@code caller}: the segment named {@code name}, created with {@code sizeBytes}
     * if new — its size charged to Committed_AS under the overcommit policy. Null (ENOMEM) when the policy refuses.
     */
    public AddressSpace shmget(Task caller, String name, long sizeBytes) {
        assert kernel.isWriter();
        AddressSpace seg = segments.get(name);
        if (seg != null) {
            return seg;
        }
        seg = kernel.asCurrent(caller.comm(), caller.pid(), () -> kernel.mm().shmem().fileSetup(
                String.format("/SYSV%08x (deleted)", name.hashCode() & 0x7fffffff), sizeBytes, false, caller.mm(),
                false));
        if (seg != null) {
            segments.put(name, seg);
        }
        return seg;
    }

    /** shmctl(IPC_RMID) once nobody maps it: the segment and its pages go. Returns false if unknown or mapped. */
    public boolean shmrm(String name) {
        assert kernel.isWriter();
        AddressSpace seg = segments.get(name);
        if (seg == null || seg.isMapped()) {
            return false;
        }
        segments.remove(name);
        kernel.mm().shmem().free(seg);
        return true;
    }
}
