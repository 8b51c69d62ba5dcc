package io.simproc.fuse;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.proc.ProcDir;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.ProcFile;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTree;
import io.simproc.sysctl.SysctlTable;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.verifyNoMoreInteractions;

/**
 * The FUSE binding driven directly, without a mount: each test calls the callbacks the kernel would send for a
 * shell command (named in the comments) and checks the errno and bytes the command would see. The kernel's side of
 * a callback is native memory: stat and file-info structs over real direct memory (jnr structs, whose fields are
 * bound to that memory), and Mockito doubles of the buffer ({@link Pointer}) and of readdir's filler where what
 * matters is exactly what the binding writes.
 */
class ProcFuseTest {
    private static final Runtime RT = Runtime.getSystemRuntime();
    private static final Credentials USER = new Credentials(1000, 1000, 4242);
    private static Kernel kernel;
    private static ProcFs fs;

    private Credentials who = Credentials.ROOT;
    private final List<String> errors = new ArrayList<>();

    @BeforeAll
    static void boot() {
        kernel = Kernel.boot(MachineProfileLoader.parse("test", "memory: 256M\ncpu: 2\n"), 1);
        fs = new ProcFs(kernel, ProcTree.create(SysctlTable.create()));
    }

    private ProcFuse fuse() {
        return new ProcFuse(fs, errors::add, () -> who);
    }

    private static FuseFileInfo fileInfo(int flags) {
        FuseFileInfo fi = FuseFileInfo.of(Memory.allocateDirect(RT, 64));
        fi.flags.set(flags);
        return fi;
    }

    private static FileStat stat() {
        return FileStat.of(Memory.allocateDirect(RT, 256));
    }

    @Test
    void statOfProcFilesLooksLikeProcfs() {
        // stat meminfo pagetypeinfo sys/vm/min_free_kbytes sys
        ProcFuse f = fuse();
        FileStat st = stat();
        assertEquals(0, f.getattr("/meminfo", st));
        assertEquals(FileStat.S_IFREG | 0444, st.st_mode.intValue());
        assertEquals(0, st.st_size.longValue(), "procfs reports size 0");
        assertEquals(0, st.st_uid.intValue());
        assertEquals(0, f.getattr("/pagetypeinfo", st));
        assertEquals(FileStat.S_IFREG | 0400, st.st_mode.intValue());
        assertEquals(0, f.getattr("/sys/vm/min_free_kbytes", st));
        assertEquals(FileStat.S_IFREG | 0644, st.st_mode.intValue());
        assertEquals(0, f.getattr("/sys", st));
        assertEquals(FileStat.S_IFDIR | 0555, st.st_mode.intValue());
        assertEquals(-Errno.ENOENT, f.getattr("/no-such-file", st));
        assertEquals(-Errno.ENOENT, f.getattr("/meminfo/child", st));
    }

    @Test
    void readdirListsDotAndDotDotFirst() {
        // ls -f /proc/sys/vm (sysctl -a skips the first two entries blindly)
        FuseFillDir filler = mock(FuseFillDir.class);
        assertEquals(0, fuse().readdir("/sys/vm", null, filler, 0, fileInfo(0)));
        ArgumentCaptor<String> names = ArgumentCaptor.forClass(String.class);
        verify(filler, atLeastOnce()).apply(isNull(), names.capture(), any(FileStat.class), eq(0L));
        verifyNoMoreInteractions(filler);
        List<String> expected = new java.util.ArrayList<>(List.of(".", ".."));
        for (io.simproc.sysctl.Sysctl s : io.simproc.sysctl.SysctlTable.create().entries()) {
            if (s.path().startsWith("vm/")) {
                expected.add(s.path().substring(3));
            }
        }
        assertTrue(expected.contains("min_free_kbytes"));
        assertEquals(expected, names.getAllValues());
    }

    /**
     * read(2) into the caller's buffer: exactly the bytes asked for, from the snapshot at the file offset, to the
     * start of the buffer, and nothing else written; at the end of the file, nothing at all.
     */
    @Test
    void aReadWritesOnlyTheRequestedBytesToTheBuffer() {
        // dd if=meminfo bs=16 skip=2 count=1; then a read past the end
        ProcFuse f = fuse();
        FuseFileInfo fi = fileInfo(0);
        assertEquals(0, f.open("/meminfo", fi));
        Pointer buf = mock(Pointer.class);
        assertEquals(16, f.read("/meminfo", buf, 16, 32, fi));
        ArgumentCaptor<byte[]> snapshot = ArgumentCaptor.forClass(byte[].class);
        verify(buf).put(eq(0L), snapshot.capture(), eq(32), eq(16));
        verifyNoMoreInteractions(buf);
        String text = new String(snapshot.getValue(), StandardCharsets.US_ASCII);
        assertTrue(text.startsWith("MemTotal:"), text);
        Pointer end = mock(Pointer.class);
        assertEquals(0, f.read("/meminfo", end, 4096, snapshot.getValue().length, fi));
        verifyNoInteractions(end);
        f.release("/meminfo", fi);
    }

    @Test
    void smallReadsOfOneHandleComeFromOneSnapshot() {
        // dd if=meminfo bs=64 while the machine keeps running
        ProcFuse f = fuse();
        FuseFileInfo fi = fileInfo(0);
        assertEquals(0, f.open("/meminfo", fi));
        byte[] first = read(f, fi, 0, 64);
        kernel.advance(5 * 250);
        StringBuilder whole = new StringBuilder(new String(first, StandardCharsets.US_ASCII));
        for (long off = 64; ; off += 64) {
            byte[] chunk = read(f, fi, off, 64);
            if (chunk.length == 0) {
                break;
            }
            whole.append(new String(chunk, StandardCharsets.US_ASCII));
        }
        ProcFile meminfo = (ProcFile) fs.lookup("/meminfo", Credentials.ROOT);
        String later = new String(fs.render(meminfo, Credentials.ROOT), StandardCharsets.US_ASCII);
        assertTrue(whole.toString().startsWith("MemTotal:"));
        assertEquals(later.split("\n").length, whole.toString().split("\n").length);
        assertEquals(0, f.release("/meminfo", fi));
    }

    @Test
    void readingAgainFromOffsetZeroRendersAnew() {
        // vmstat 1: keeps /proc/stat open, lseek(0) and read each second
        ProcFuse f = fuse();
        FuseFileInfo fi = fileInfo(0);
        assertEquals(0, f.open("/uptime", fi));
        byte[] a = read(f, fi, 0, 4096);
        kernel.advance(250);
        byte[] b = read(f, fi, 0, 4096);
        assertTrue(!new String(a).equals(new String(b)), "uptime after a simulated second: " + new String(b));
        f.release("/uptime", fi);
    }

    @Test
    void releasedHandleIsEbadf() {
        // read(2) on a descriptor that was closed
        ProcFuse f = fuse();
        FuseFileInfo fi = fileInfo(0);
        assertEquals(0, f.open("/loadavg", fi));
        assertEquals(0, f.release("/loadavg", fi));
        Pointer buf = Memory.allocateDirect(RT, 64);
        assertEquals(-Errno.EBADF, f.read("/loadavg", buf, 64, 0, fi));
        assertEquals(0, f.openHandles());
    }

    @Test
    void sysctlReadPastOffsetZeroIsEndOfFile() {
        // dd if=/proc/sys/vm/min_free_kbytes bs=1 prints one character, as on Linux
        ProcFuse f = fuse();
        FuseFileInfo fi = fileInfo(0);
        assertEquals(0, f.open("/sys/vm/min_free_kbytes", fi));
        assertEquals(1, read(f, fi, 0, 1).length);
        assertEquals(0, read(f, fi, 1, 1).length);
        f.release("/sys/vm/min_free_kbytes", fi);
    }

    @Test
    void permissionsFollowTheModes() {
        // cat pagetypeinfo as a user; echo 1 > sys/vm/min_free_kbytes as a user; writes to read-only files
        who = USER;
        ProcFuse f = fuse();
        assertEquals(-Errno.EACCES, f.open("/pagetypeinfo", fileInfo(0)));
        assertEquals(-Errno.EACCES, f.open("/sys/vm/min_free_kbytes", fileInfo(1)));
        FuseFileInfo ok = fileInfo(0);
        assertEquals(0, f.open("/meminfo", ok));
        f.release("/meminfo", ok);
        who = Credentials.ROOT;
        ProcFuse asRoot = fuse();
        FuseFileInfo wr = fileInfo(1);
        assertEquals(0, asRoot.open("/meminfo", wr), "root may open a 0444 proc file for writing, as on Linux");
        assertEquals(-Errno.EIO, write(asRoot, wr, "x\n"), "...and the write fails with EIO");
        asRoot.release("/meminfo", wr);
        assertEquals(-Errno.EISDIR, asRoot.open("/sys", fileInfo(0)));
    }

    @Test
    void shellRedirectTruncatesThenWrites() {
        // echo 12345 > sys/vm/min_free_kbytes  (open O_WRONLY|O_TRUNC → truncate → write)
        ProcFuse f = fuse();
        int old = kernel.read(k -> k.mm().tunables().minFreeKbytes());
        FuseFileInfo fi = fileInfo(1);
        assertEquals(0, f.truncate("/sys/vm/min_free_kbytes", 0));
        assertEquals(0, f.open("/sys/vm/min_free_kbytes", fi));
        assertEquals(6, write(f, fi, "12345\n"));
        assertEquals(-Errno.EINVAL, write(f, fi, "abc\n"));
        f.release("/sys/vm/min_free_kbytes", fi);
        assertEquals(12345, (int) kernel.read(k -> k.mm().tunables().minFreeKbytes()));
        assertEquals(0, f.truncate("/meminfo", 0));
        assertEquals(-Errno.EISDIR, f.truncate("/sys", 0));
        FuseFileInfo back = fileInfo(1);
        f.open("/sys/vm/min_free_kbytes", back);
        assertEquals(String.valueOf(old).length() + 1, write(f, back, old + "\n"));
        f.release("/sys/vm/min_free_kbytes", back);
    }

    @Test
    void anUnexpectedFailureIsEioAndOneLogLine() {
        // a renderer bug must not crash the daemon or hang the reader
        ProcFile broken = ProcFile.readOnly("broken", 0444, ctx -> {
            throw new IllegalStateException("renderer bug");
        });
        ProcFs brokenFs = new ProcFs(kernel, ProcTree.of(ProcDir.of("", List.<ProcEntry>of(broken))));
        ProcFuse f = new ProcFuse(brokenFs, errors::add, () -> Credentials.ROOT);
        assertEquals(-Errno.EIO, f.open("/broken", fileInfo(0)));
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).contains("open /broken failed: java.lang.IllegalStateException: renderer bug"),
                errors.get(0));
    }

    private static byte[] read(ProcFuse f, FuseFileInfo fi, long offset, int size) {
        Pointer buf = Memory.allocateDirect(RT, size);
        int n = f.read("/x", buf, size, offset, fi);
        assertTrue(n >= 0, "read returned " + n);
        byte[] out = new byte[n];
        buf.get(0, out, 0, n);
        return out;
    }

    private static int write(ProcFuse f, FuseFileInfo fi, String text) {
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        Pointer buf = Memory.allocateDirect(RT, data.length);
        buf.put(0, data, 0, data.length);
        return f.write("/x", buf, data.length, 0, fi);
    }
}
