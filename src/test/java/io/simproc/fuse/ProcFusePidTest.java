package io.simproc.fuse;

import io.simproc.kernel.Task;
import io.simproc.proc.PidFixture;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoMoreInteractions;

/**
 * The FUSE binding over the per-process files, driven without a mount; each test names the shell command the
 * callbacks stand for. The caller's namespace pid comes from a stand-in for the host's /proc/PID/status.
 */
class ProcFusePidTest {
    private static final Runtime RT = Runtime.getSystemRuntime();

    private final PidFixture f = new PidFixture();
    private final List<String> errors = new ArrayList<>();
    private Credentials who = Credentials.ROOT;
    /** Host pid → pid in the caller's own namespace (0: same namespace as the daemon). */
    private final java.util.Map<Integer, Integer> namespaces = new java.util.HashMap<>();

    private ProcFuse fuse() {
        return new ProcFuse(f.fs, errors::add, () -> who, pid -> namespaces.getOrDefault(pid, 0));
    }

    private static FuseFileInfo fileInfo(int flags) {
        FuseFileInfo fi = FuseFileInfo.of(Memory.allocateDirect(RT, 64));
        fi.flags.set(flags);
        return fi;
    }

    private static String read(ProcFuse fuse, FuseFileInfo fi, long offset) {
        Pointer buf = Memory.allocateDirect(RT, 65536);
        int n = fuse.read("/x", buf, 65536, offset, fi);
        assertTrue(n >= 0, "read returned " + n);
        byte[] out = new byte[n];
        buf.get(0, out, 0, n);
        return new String(out, StandardCharsets.UTF_8);
    }

    private static String readlink(ProcFuse fuse, String path, int[] rc) {
        Pointer buf = Memory.allocateDirect(RT, 256);
        rc[0] = fuse.readlink(path, buf, 256);
        return rc[0] == 0 ? buf.getString(0) : null;
    }

    @Test
    void anOpenHandleKeepsItsSnapshotAfterThePidDies() {
        // exec 3< /proc/PID/status; kill PID; cat <&3; ls /proc/PID
        Task p = f.spawn(List.of("bash"));
        String status = "/" + p.pid() + "/status";
        ProcFuse fuse = fuse();
        FuseFileInfo fi = fileInfo(0);
        assertEquals(0, fuse.open(status, fi));
        f.kernel.mutate(() -> {
            f.kernel.processes().kill(p, 9);
            return null;
        });
        FileStat st = FileStat.of(Memory.allocateDirect(RT, 256));
        assertEquals(0, fuse.fgetattr(status, st, fi), "fstat of the open file still works (Files.readString does it)");
        assertEquals(FileStat.S_IFREG | 0444, st.st_mode.intValue());
        assertEquals(0, fuse.getattr(status, FileStat.of(Memory.allocateDirect(RT, 256))),
                "fstat sent as a getattr by path once the attribute cache expired");
        String text = read(fuse, fi, 0);
        assertTrue(text.startsWith("Name:\tbash\n") && text.contains("VmRSS:"), text);
        assertEquals(text.substring(100), read(fuse, fi, 100));
        Pointer buf = Memory.allocateDirect(RT, 64);
        assertEquals(-Errno.ESRCH, fuse.read(status, buf, 64, 0, fi), "lseek(0) and read again: No such process");
        assertEquals(0, fuse.release(status, fi));
        assertEquals(-Errno.ENOENT, fuse.getattr(status, FileStat.of(Memory.allocateDirect(RT, 256))),
                "closed: gone");
        assertEquals(-Errno.ENOENT, fuse.getattr("/" + p.pid(), FileStat.of(Memory.allocateDirect(RT, 256))));
        assertEquals(-Errno.ENOENT, fuse.open(status, fileInfo(0)));
        assertEquals(List.of(), errors);
    }

    @Test
    void selfLeadsToTheCallersPidInItsNamespace() {
        // inside simproc-exec: readlink /proc/self; cat /proc/self/stat
        Task p = f.spawn(List.of("bash"));
        who = new Credentials(0, 0, 40123);
        ProcFuse fuse = fuse();
        int[] rc = new int[1];
        assertEquals("1", readlink(fuse, "/self", rc), "a host reader: init");
        namespaces.put(40123, p.pid());
        assertEquals(Integer.toString(p.pid()), readlink(fuse, "/self", rc));
        assertEquals(p.pid() + "/task/" + p.pid(), readlink(fuse, "/thread-self", rc));
        FuseFileInfo fi = fileInfo(0);
        assertEquals(0, fuse.open("/self/stat", fi));
        assertTrue(read(fuse, fi, 0).startsWith(p.pid() + " (bash) S "));
        fuse.release("/self/stat", fi);
        namespaces.put(40123, 1);
        assertEquals("1", readlink(fuse, "/self", rc), "pid 1 of the namespace: init (here a kernel-mode task)");
    }

    @Test
    void exeOfAKernelThreadIsEnoentAndMapsOfAnotherUsersProcessEacces() {
        // readlink /proc/2/exe; cat /proc/PID/maps as a user
        Task p = f.spawn(List.of("bash"));
        ProcFuse fuse = fuse();
        int[] rc = new int[1];
        assertEquals("/usr/bin/bash", readlink(fuse, "/" + p.pid() + "/exe", rc));
        readlink(fuse, "/2/exe", rc);
        assertEquals(-Errno.ENOENT, rc[0]);
        who = new Credentials(1000, 1000, 5);
        assertEquals(-Errno.EACCES, fuse().open("/" + p.pid() + "/maps", fileInfo(0)));
        assertEquals(-Errno.EACCES, fuse().open("/" + p.pid() + "/environ", fileInfo(0)), "mode 0400");
        FuseFileInfo fi = fileInfo(0);
        assertEquals(0, fuse().open("/" + p.pid() + "/stat", fi));
        fuse().release("/" + p.pid() + "/stat", fi);
        assertEquals(-Errno.ESRCH, fuse().open("/2/smaps_rollup", fileInfo(0)), "no address space: ESRCH");
        who = Credentials.ROOT;
        assertEquals(-Errno.ESRCH, fuse().open("/2/smaps_rollup", fileInfo(0)));
        assertEquals(List.of(), errors);
    }

    /**
     * readlink(2) into a buffer too small for the target: the binding writes as much of it as fits with the NUL
     * terminator, and never past the buffer's end (fuse's readlink contract).
     */
    @Test
    void readlinkTruncatesToTheBufferAndTerminatesItsString() {
        // readlink /proc/PID/exe by a caller with an 8-byte buffer
        Task p = f.spawn(List.of("bash"));
        Pointer buf = mock(Pointer.class);
        assertEquals(0, fuse().readlink("/" + p.pid() + "/exe", buf, 8));
        ArgumentCaptor<byte[]> target = ArgumentCaptor.forClass(byte[].class);
        InOrder order = inOrder(buf);
        order.verify(buf).put(eq(0L), target.capture(), eq(0), eq(7));
        order.verify(buf).putByte(7L, (byte) 0);
        verifyNoMoreInteractions(buf);
        assertEquals("/usr/bin/bash", new String(target.getValue(), StandardCharsets.UTF_8));
    }

    @Test
    void theHostsNsPidLineGivesTheInnermostPid() {
        assertEquals(1, HostPidNamespace.parseNsPid("NStgid:\t29525\t1"));
        assertEquals(7, HostPidNamespace.parseNsPid("NSpid:\t29525\t300\t7"));
        assertEquals(0, HostPidNamespace.parseNsPid("NSpid:\t29525"), "same namespace as the daemon");
        assertEquals(0, HostPidNamespace.innermostPid(-1));
        assertEquals(0, HostPidNamespace.innermostPid(Integer.MAX_VALUE), "no such host process");
    }
}
