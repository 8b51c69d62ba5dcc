package io.simproc.fuse;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.proc.ProcFs;
import io.simproc.sysfs.SysTree;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same FUSE binding serving a machine's /sys: what stat, ls, readlink, cat and a shell's echo see, called as
 * the kernel would call the daemon for each command (named in the comments).
 */
class SysFuseTest {
    private static final Runtime RT = Runtime.getSystemRuntime();
    private static final String ENABLED = "/kernel/mm/transparent_hugepage/enabled";
    private static Kernel kernel;
    private static ProcFs sys;
    private static final List<String> WRITES = new ArrayList<>();

    private final List<String> errors = new ArrayList<>();
    private Credentials who = Credentials.ROOT;

    @BeforeAll
    static void boot() {
        kernel = Kernel.boot(MachineProfileLoader.parse("test", "memory: 1G\ncpu: 2\nnodes: 1\n"), 1);
        sys = new ProcFs(kernel, SysTree.create(kernel));
        sys.setWriteObserver((jiffies, path, w, data, offset) -> WRITES.add(path + " " + new String(data,
                StandardCharsets.US_ASCII).trim()));
    }

    private ProcFuse fuse() {
        return new ProcFuse(sys, errors::add, () -> who);
    }

    private static FuseFileInfo fileInfo(int flags) {
        FuseFileInfo fi = FuseFileInfo.of(Memory.allocateDirect(RT, 64));
        fi.flags.set(flags);
        return fi;
    }

    @Test
    void statLooksLikeSysfs() {
        // stat / devices/system/node node0/meminfo node0/compact node0/cpu0
        ProcFuse f = fuse();
        FileStat st = FileStat.of(Memory.allocateDirect(RT, 256));
        assertEquals(0, f.getattr("/", st));
        assertEquals(FileStat.S_IFDIR | 0555, st.st_mode.intValue());
        assertEquals(0, f.getattr("/devices/system/node", st));
        assertEquals(FileStat.S_IFDIR | 0755, st.st_mode.intValue());
        assertEquals(0, st.st_size.longValue());
        assertEquals(0, f.getattr("/devices/system/node/node0/meminfo", st));
        assertEquals(FileStat.S_IFREG | 0444, st.st_mode.intValue());
        assertEquals(4096, st.st_size.longValue(), "a sysfs attribute reports PAGE_SIZE");
        assertEquals(0, f.getattr("/devices/system/node/node0/compact", st));
        assertEquals(FileStat.S_IFREG | 0200, st.st_mode.intValue());
        assertEquals(0, f.getattr("/devices/system/node/node0/cpu0", st));
        assertEquals(FileStat.S_IFLNK | 0777, st.st_mode.intValue());
        assertEquals(0, f.getattr("/devices/system/node/node0/cpu0/topology/core_id", st),
                "a path through a link resolves");
        assertEquals(-Errno.ENOENT, f.getattr("/devices/system/node/node1", st));
    }

    @Test
    void readdirAndReadlink() {
        // ls -f devices/system/node; readlink devices/system/cpu/cpu1/node0
        List<String> names = new ArrayList<>();
        FuseFillDir filler = new FuseFillDir() {
            @Override
            public int apply(Pointer buf, java.nio.ByteBuffer name, Pointer stbuf, long off) {
                throw new UnsupportedOperationException();
            }

            @Override
            public int apply(Pointer buf, String name, FileStat stbuf, long off) {
                int type = stbuf.st_mode.intValue() & FileStat.S_IFMT;
                names.add(name + (type == FileStat.S_IFDIR ? "/" : type == FileStat.S_IFLNK ? "@"
                        : type == FileStat.S_IFREG ? "" : "?"));
                return 0;
            }
        };
        assertEquals(0, fuse().readdir("/devices/system/node", null, filler, 0, fileInfo(0)));
        assertEquals(List.of("./", "../", "possible", "online", "has_normal_memory", "has_memory", "has_cpu", "node0/"),
                names, "each entry with its d_type");
        names.clear();
        assertEquals(0, fuse().readdir("/devices/system/cpu/cpu1", null, filler, 0, fileInfo(0)));
        assertTrue(names.contains("node0@") && names.contains("online") && names.contains("topology/"),
                names.toString());
        Pointer buf = Memory.allocateDirect(RT, 256);
        assertEquals(0, fuse().readlink("/devices/system/cpu/cpu1/node0", buf, 256));
        assertEquals("../../node/node0", buf.getString(0));
    }

    @Test
    void catAndEchoOfAKnob() {
        // cat enabled; echo never > enabled; echo bogus > enabled; cat node0/compact
        ProcFuse f = fuse();
        assertEquals("always [madvise] never\n", cat(f, ENABLED));
        FuseFileInfo wr = fileInfo(1);
        assertEquals(0, f.truncate(ENABLED, 0));
        assertEquals(0, f.open(ENABLED, wr));
        assertEquals(6, write(f, wr, ENABLED, "never\n"));
        assertEquals(-Errno.EINVAL, write(f, wr, ENABLED, "bogus\n"));
        f.release(ENABLED, wr);
        assertEquals("always madvise [never]\n", cat(f, ENABLED));
        assertTrue(WRITES.contains(ENABLED + " never"), "the write reached the journal's observer: " + WRITES);
        assertEquals(-Errno.EACCES, f.open("/devices/system/node/node0/compact", fileInfo(0)),
                "a write-only attribute cannot be read, by root either");
        who = new Credentials(1000, 1000, 4242);
        assertEquals(-Errno.EACCES, fuse().open(ENABLED, fileInfo(1)), "a user may not write a knob");
        assertEquals(List.of(), errors);
    }

    private static String cat(ProcFuse f, String path) {
        FuseFileInfo fi = fileInfo(0);
        assertEquals(0, f.open(path, fi));
        Pointer buf = Memory.allocateDirect(RT, 4096);
        int n = f.read(path, buf, 4096, 0, fi);
        assertTrue(n > 0);
        byte[] out = new byte[n];
        buf.get(0, out, 0, n);
        f.release(path, fi);
        return new String(out, StandardCharsets.US_ASCII);
    }

    private static int write(ProcFuse f, FuseFileInfo fi, String path, String text) {
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        Pointer buf = Memory.allocateDirect(RT, data.length);
        buf.put(0, data, 0, data.length);
        return f.write(path, buf, data.length, 0, fi);
    }
}
