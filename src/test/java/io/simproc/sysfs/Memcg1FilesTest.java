package io.simproc.sysfs;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.Printk;
import io.simproc.kernel.Task;
import io.simproc.mm.Prot;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import io.simproc.workload.Program;
import io.simproc.workload.ProgramCatalog;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The legacy cgroup layout ({@code cgroup: v1}): /sys/fs/cgroup a read-only tmpfs holding the v1 memory hierarchy,
 * its files shaped as a 6.18 kernel's (src/test/resources/reference-6.18/sys/fs/cgroup/memory-v1-child*), the
 * mount table, /proc/PID/cgroup and /proc/cgroups, and the v1 semantics: limit_in_bytes and memsw.limit_in_bytes
 * (memory + swap together), failcnt, max_usage_in_bytes reset, EBUSY for a limit reclaim cannot reach, per-group
 * swappiness, force_empty, the v1 OOM report, and the kernel's errnos.
 */
class Memcg1FilesTest {
    private static final String CG = "/fs/cgroup";
    private static final String MEM = CG + "/memory";
    private static final long MIB = 1L << 20;
    private static final Path REFERENCE = Path.of("src/test/resources/reference-6.18");
    private static final String SWAP = "swap:\n  - path: /swapfile\n    size: 512M\n";

    private static SysFixture boot(String extra) {
        SysFixture f = SysFixture.boot("memory: 2G\ncpu: {count: 2}\ncgroup: v1\n" + extra, 1);
        f.kernel.setDebugChecks(true);
        return f;
    }

    private static int write(SysFixture f, String path, String text) {
        return f.writeSys(MEM + path, text, Credentials.ROOT);
    }

    private static String read(SysFixture f, String path) {
        return f.sys(MEM + path);
    }

    private static long value(SysFixture f, String path) {
        return Long.parseLong(read(f, path).trim());
    }

    /** The errno reading a /sys file fails with, 0 when it reads. */
    private static int readErrno(SysFixture f, String path) {
        try {
            f.sys.render((io.simproc.proc.ProcFile) f.sys.lookup(path, Credentials.ROOT), Credentials.ROOT);
            return 0;
        } catch (io.simproc.proc.ProcException e) {
            return -e.errno();
        }
    }

    /** A text's shape: every number a N. */
    private static String shape(String text) {
        return text.replaceAll("\\d+", "N");
    }

    @Test
    void theHierarchyIsSystemdsLegacyLayoutWithTheKernelsFiles() throws IOException {
        SysFixture f = boot("");
        assertEquals(List.of("memory"), f.list(CG));
        assertEquals(-Errno.EROFS, f.sys.mkdir(CG + "/cpu", 0755, Credentials.ROOT, false), "a read-only tmpfs");
        List<String> root = f.list(MEM);
        assertTrue(root.containsAll(List.of("cgroup.sane_behavior", "release_agent", "memory.limit_in_bytes",
                "memory.usage_in_bytes", "system.slice", "user.slice", "init.scope")), root.toString());
        assertEquals(0, f.sys.mkdir(MEM + "/demo", 0755, Credentials.ROOT, false));
        Path ref = REFERENCE.resolve("sys/fs/cgroup/memory-v1-child");
        TreeSet<String> expected = new TreeSet<>();
        try (Stream<Path> files = Files.list(ref)) {
            files.map(p -> p.getFileName().toString()).forEach(expected::add);
        }
        expected.remove("memory.shown_ram_in_bytes");
        assertEquals(expected, new TreeSet<>(f.list(MEM + "/demo")), "a group's files are 6.18's");
        assertEquals(0644, f.mode(MEM + "/demo/memory.limit_in_bytes"));
        assertEquals(0444, f.mode(MEM + "/demo/memory.usage_in_bytes"));
        assertEquals(0200, f.mode(MEM + "/demo/memory.force_empty"));
        assertEquals(0222, f.mode(MEM + "/demo/cgroup.event_control"));
        assertEquals(0644, f.mode(MEM + "/demo/tasks"));
        assertEquals(0444, f.mode(MEM + "/demo/memory.pressure_level"));
        String unit = "/system.slice/nginx.service";
        for (String dir : List.of("memory-v1-child", "memory-v1-child-after-oom")) {
            for (String name : expected) {
                String want = Files.readString(REFERENCE.resolve("sys/fs/cgroup/" + dir + "/" + name));
                if (name.equals("memory.pressure_level") || name.equals("cgroup.event_control")
                        || name.equals("memory.force_empty")) {
                    // The capture read these as empty; the kernel refuses to read them (write-only, or a show
                    // that returns -EINVAL).
                    assertEquals(-Errno.EINVAL, readErrno(f, MEM + unit + "/" + name), name);
                    continue;
                }
                String got = read(f, unit + "/" + name);
                if (name.equals("tasks") || name.equals("cgroup.procs")) {
                    assertTrue(got.matches("(\\d+\\n)+"), name + ": " + got);
                } else {
                    assertEquals(shape(want), shape(got), dir + "/" + name);
                }
            }
        }
    }

    @Test
    void procShowsTheV1HierarchyAndItsMounts() {
        SysFixture f = boot("");
        assertEquals("1:memory:/init.scope\n", f.proc("/1/cgroup"));
        int nginx = Integer.parseInt(read(f, "/system.slice/nginx.service/cgroup.procs").split("\n")[0]);
        assertEquals("1:memory:/system.slice/nginx.service\n", f.proc("/" + nginx + "/cgroup"));
        int groups = f.kernel.read(k -> k.cgroups().preOrder(k.cgroups().root()).size());
        assertEquals("#subsys_name\thierarchy\tnum_cgroups\tenabled\nmemory\t1\t" + groups + "\t1\n",
                f.proc("/cgroups"));
        String mounts = f.proc("/1/mounts");
        assertTrue(mounts.contains("tmpfs /sys/fs/cgroup tmpfs ro,nosuid,nodev,noexec,size=4096k,nr_inodes=1024,"
                + "mode=755 0 0\ncgroup /sys/fs/cgroup/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0\n"),
                mounts);
        assertTrue(!mounts.contains("cgroup2"), mounts);
        String info = f.proc("/1/mountinfo");
        assertTrue(info.matches("(?s).*\\n(\\d+) 22 0:\\d+ / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs "
                + "tmpfs ro,size=4096k,nr_inodes=1024,mode=755\\n\\d+ \\1 0:\\d+ / /sys/fs/cgroup/memory "
                + "rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,memory\\n.*"), info);
    }

    @Test
    void aV2MachinesProcCgroupsNamesTheV2Hierarchy() {
        SysFixture f = SysFixture.boot("memory: 1G\ncpu: {count: 2}\n", 1);
        assertTrue(f.proc("/cgroups").startsWith("#subsys_name\thierarchy\tnum_cgroups\tenabled\nmemory\t0\t"),
                f.proc("/cgroups"));
        assertEquals("0::/init.scope\n", f.proc("/1/cgroup"));
    }

    @Test
    void limitsParseAsMemcg1ParsesThemWithTheKernelsErrnos() {
        SysFixture f = boot("");
        assertEquals(0, f.sys.mkdir(MEM + "/demo", 0755, Credentials.ROOT, false));
        assertEquals("9223372036854771712\n", read(f, "/demo/memory.limit_in_bytes"));
        assertTrue(write(f, "/demo/memory.limit_in_bytes", "64M\n") > 0);
        assertEquals("67108864\n", read(f, "/demo/memory.limit_in_bytes"));
        assertTrue(write(f, "/demo/memory.limit_in_bytes", "5000") > 0);
        assertEquals("4096\n", read(f, "/demo/memory.limit_in_bytes"), "rounded down to whole pages");
        assertTrue(write(f, "/demo/memory.limit_in_bytes", "-1") > 0);
        assertEquals("9223372036854771712\n", read(f, "/demo/memory.limit_in_bytes"));
        for (String bad : List.of("max", "abc", "1.5G", "-2", "64X")) {
            assertEquals(-Errno.EINVAL, write(f, "/demo/memory.limit_in_bytes", bad), bad);
        }
        assertEquals(-Errno.EINVAL, write(f, "/memory.limit_in_bytes", "1G"), "the root has no limit");
        assertEquals(-Errno.EINVAL, write(f, "/memory.memsw.limit_in_bytes", "1G"));
        assertTrue(write(f, "/memory.soft_limit_in_bytes", "1G") > 0, "the root's soft limit can be set");
        assertTrue(write(f, "/demo/memory.limit_in_bytes", "64M") > 0);
        assertEquals(-Errno.EINVAL, write(f, "/demo/memory.memsw.limit_in_bytes", "32M"), "memsw below memory");
        assertTrue(write(f, "/demo/memory.memsw.limit_in_bytes", "96M") > 0);
        assertEquals(-Errno.EINVAL, write(f, "/demo/memory.limit_in_bytes", "128M"), "memory above memsw");
        assertEquals("67108864\n", read(f, "/demo/memory.limit_in_bytes"), "unchanged by the refusals");
        assertEquals("100663296\n", read(f, "/demo/memory.memsw.limit_in_bytes"));
        Map<String, Long> stat = SysFixture.pairs(read(f, "/demo/memory.stat"));
        assertEquals(64 * MIB, stat.get("hierarchical_memory_limit"));
        assertEquals(96 * MIB, stat.get("hierarchical_memsw_limit"));
        assertEquals(-Errno.EINVAL, write(f, "/demo/memory.swappiness", "201"));
        assertTrue(write(f, "/demo/memory.swappiness", "0x0a") > 0);
        assertEquals("10\n", read(f, "/demo/memory.swappiness"));
        assertEquals(0, f.sys.mkdir(MEM + "/demo/sub", 0755, Credentials.ROOT, false));
        assertEquals("10\n", read(f, "/demo/sub/memory.swappiness"), "a child starts with its parent's");
        assertTrue(write(f, "/memory.swappiness", "30") > 0);
        assertEquals(30, (int) f.kernel.read(k -> k.mm().tunables().swappiness()), "the root's is vm.swappiness");
        assertEquals(-Errno.EINVAL, write(f, "/demo/memory.oom_control", "1"), "oom_kill_disable is not modelled");
        assertEquals(-Errno.EINVAL, write(f, "/memory.oom_control", "0"));
        assertTrue(write(f, "/demo/memory.oom_control", "0") > 0);
        assertEquals("oom_kill_disable 0\nunder_oom 0\noom_kill 0\n", read(f, "/demo/memory.oom_control"));
        assertEquals(-Errno.EINVAL, write(f, "/demo/memory.use_hierarchy", "0"));
        assertTrue(write(f, "/demo/memory.use_hierarchy", "1") > 0);
        assertEquals(-Errno.EINVAL, write(f, "/demo/memory.move_charge_at_immigrate", "0"), "charge moving is gone");
        assertEquals(-Errno.EINVAL, write(f, "/demo/memory.move_charge_at_immigrate", "x"));
        assertEquals(-Errno.EBADF, write(f, "/demo/cgroup.event_control", "3 4"));
        assertEquals(-Errno.EINVAL, write(f, "/demo/cgroup.event_control", "three"));
        assertEquals(-Errno.EINVAL, write(f, "/memory.force_empty", "0"));
        assertTrue(write(f, "/demo/notify_on_release", "1") > 0);
        assertEquals(0, f.sys.mkdir(MEM + "/demo/sub2", 0755, Credentials.ROOT, false));
        assertEquals("1\n", read(f, "/demo/sub2/notify_on_release"), "inherited");
        assertEquals(-Errno.EPERM, write(f, "/release_agent", "/bin/true"));
    }

    private static Task bash(Kernel k) {
        Program bash = ProgramCatalog.embedded().program("bash");
        return k.mutate(() -> {
            Task c = k.processes().fork(k.tasks().get(1));
            assertEquals(0, k.syscalls().execve(c, bash.exe(), bash.interp(), bash.libs(), List.of("bash")));
            return c;
        });
    }

    /** mkdir /demo, write its files ({@code FILE, VALUE} pairs) and start a bash in it through cgroup.procs. */
    private static Task startInDemo(SysFixture f, String... writes) {
        assertEquals(0, f.sys.mkdir(MEM + "/demo", 0755, Credentials.ROOT, false));
        for (int i = 0; i < writes.length; i += 2) {
            assertTrue(write(f, "/demo/" + writes[i], writes[i + 1]) > 0, writes[i]);
        }
        Task t = bash(f.kernel);
        assertTrue(write(f, "/demo/cgroup.procs", Integer.toString(t.pid())) > 0);
        return t;
    }

    /** Touch {@code len} bytes of new anonymous memory of {@code t} 8 MiB at a time: 0, or the first error. */
    private static int grow(Kernel k, Task t, long len) {
        long addr = k.mutate(() -> k.syscalls().mmap(t, 0, len, Prot.READ | Prot.WRITE,
                Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0));
        int r = 0;
        for (long off = 0; off < len && r == 0; off += 8 * MIB) {
            long o = off;
            r = k.mutate(() -> k.syscalls().touch(t, addr + o, 8 * MIB, true));
            k.advance(1);
        }
        return r;
    }

    @Test
    void aGrowerSwapsAtItsLimitAndMemswCountsBoth() {
        SysFixture f = boot(SWAP);
        Kernel k = f.kernel;
        assertEquals(0, f.sys.mkdir(MEM + "/demo", 0755, Credentials.ROOT, false));
        assertTrue(write(f, "/demo/memory.limit_in_bytes", "64M") > 0);
        Task t = bash(k);
        assertTrue(write(f, "/demo/tasks", Integer.toString(t.pid())) > 0);
        assertEquals("1:memory:/demo\n", f.proc("/" + t.pid() + "/cgroup"));
        assertEquals(0, grow(k, t, 96 * MIB), "swapped out, not killed");
        long usage = value(f, "/demo/memory.usage_in_bytes");
        long memsw = value(f, "/demo/memory.memsw.usage_in_bytes");
        Map<String, Long> stat = SysFixture.pairs(read(f, "/demo/memory.stat"));
        assertTrue(usage <= 64 * MIB, "usage " + usage);
        assertTrue(stat.get("swap") > 16 * MIB, "swapped: " + stat.get("swap"));
        assertEquals(usage + stat.get("swap"), memsw, "memsw = memory + swap");
        assertEquals(stat.get("swap"), stat.get("total_swap"));
        assertTrue(value(f, "/demo/memory.failcnt") > 0, "charges were refused at the limit");
        assertEquals(64 * MIB, value(f, "/demo/memory.max_usage_in_bytes"));
        assertEquals(0, value(f, "/demo/memory.memsw.failcnt"));
        long kmem = value(f, "/demo/memory.kmem.usage_in_bytes");
        assertTrue(kmem > 0 && kmem < usage, "the task's kernel memory (page tables, objects), within usage: " + kmem);
        assertTrue(write(f, "/demo/memory.max_usage_in_bytes", "0") > 0);
        assertEquals(value(f, "/demo/memory.usage_in_bytes"), value(f, "/demo/memory.max_usage_in_bytes"),
                "reset to the usage");
        assertTrue(write(f, "/demo/memory.failcnt", "0") > 0);
        assertEquals(0, value(f, "/demo/memory.failcnt"));
        assertEquals(-Errno.EBUSY, f.sys.rmdir(MEM + "/demo", Credentials.ROOT, false), "populated");
        assertEquals(-Errno.EINVAL, write(f, "/demo/cgroup.procs", "x"));
        assertEquals(-Errno.ESRCH, write(f, "/demo/cgroup.procs", "99999"));
        assertEquals(-Errno.EACCES, f.writeSys(MEM + "/cgroup.procs", Integer.toString(t.pid()),
                new Credentials(1000, 1000, 1)), "not the task's owner");
        assertTrue(write(f, "/cgroup.procs", Integer.toString(t.pid())) > 0);
        assertEquals("1:memory:/\n", f.proc("/" + t.pid() + "/cgroup"));
        assertEquals("", read(f, "/demo/tasks"));
        assertTrue(value(f, "/demo/memory.usage_in_bytes") > 0, "its charges stay behind");
    }

    @Test
    void aMemswLimitOomKillsInsteadOfSwappingAndTheReportIsV1s() throws IOException {
        SysFixture f = boot(SWAP);
        Kernel k = f.kernel;
        Task t = startInDemo(f, "memory.limit_in_bytes", "64M", "memory.memsw.limit_in_bytes", "64M");
        assertEquals(-Errno.EINTR, grow(k, t, 128 * MIB), "OOM-killed");
        k.advance(100);
        assertEquals("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n", read(f, "/demo/memory.oom_control"));
        assertTrue(value(f, "/demo/memory.memsw.failcnt") > 0, "memsw refused the charges");
        assertEquals(0, SysFixture.pairs(read(f, "/demo/memory.stat")).get("total_swap"), "nothing swapped");
        List<String> log = k.read(kk -> kk.log().records().stream().map(Printk.Record::text).toList());
        List<String> ref = new ArrayList<>();
        for (String line : Files.readAllLines(REFERENCE.resolve("dmesg_memcg_oom_v1.txt"))) {
            ref.add(line.replaceFirst("^\\[[ 0-9.]+\\] ", ""));
        }
        int refAt = ref.indexOf(ref.stream().filter(l -> l.startsWith("memory: usage")).findFirst().orElseThrow());
        int at = log.indexOf(log.stream().filter(l -> l.startsWith("memory: usage")).findFirst().orElseThrow());
        assertEquals("memory: usage 65536kB, limit 65536kB, failcnt " + value(f, "/demo/memory.failcnt"), log.get(at));
        assertTrue(log.get(at + 1).startsWith("memory+swap: usage 65536kB, limit 65536kB, failcnt "), log.get(at + 1));
        assertTrue(log.get(at + 2).matches("kmem: usage [1-9]\\d*kB, limit 9007199254740988kB, failcnt 0"),
                log.get(at + 2));
        assertEquals("Memory cgroup stats for /demo:", log.get(at + 3));
        for (int i = 0; !ref.get(refAt + i).startsWith("Tasks state"); i++) {
            if (i != 3) {
                assertEquals(shape(ref.get(refAt + i)), shape(log.get(at + i)), "report line " + i);
            }
        }
        assertTrue(log.stream().anyMatch(l -> l.startsWith("oom-kill:constraint=CONSTRAINT_MEMCG,")
                && l.contains(",oom_memcg=/demo,task_memcg=/demo,")), log::toString);
    }

    @Test
    void aLimitReclaimCannotReachIsRefusedWithEbusy() {
        SysFixture f = boot("");
        Kernel k = f.kernel;
        Task t = startInDemo(f);
        assertEquals(0, grow(k, t, 32 * MIB));
        assertEquals(-Errno.EBUSY, write(f, "/demo/memory.limit_in_bytes", "16M"), "anonymous memory, no swap");
        assertEquals("9223372036854771712\n", read(f, "/demo/memory.limit_in_bytes"), "the old limit stays");
        assertEquals(t, k.tasks().get(t.pid()), "nobody was killed");
        assertTrue(value(f, "/demo/memory.usage_in_bytes") >= 32 * MIB);
    }

    @Test
    void swappinessZeroKeepsAGroupsAnonymousMemoryOutOfSwap() {
        for (int swappiness : new int[] {0, 60}) {
            SysFixture f = boot(SWAP);
            Task t = startInDemo(f, "memory.limit_in_bytes", "64M", "memory.swappiness", Integer.toString(swappiness));
            int r = grow(f.kernel, t, 96 * MIB);
            long swap = SysFixture.pairs(read(f, "/demo/memory.stat")).get("swap");
            if (swappiness == 0) {
                assertEquals(-Errno.EINTR, r, "without swapping, the group's OOM killer runs");
                assertEquals(0, swap);
            } else {
                assertEquals(0, r);
                assertTrue(swap > 0);
            }
        }
    }

    @Test
    void forceEmptyReclaimsTheGroupsCache() {
        SysFixture f = boot("");
        Kernel k = f.kernel;
        Task t = startInDemo(f);
        k.mutate(() -> {
            k.syscalls().create(t, "/srv/data", 32 * MIB);
            return k.syscalls().read(t, "/srv/data", 0, 32 * MIB);
        });
        long cache = SysFixture.pairs(read(f, "/demo/memory.stat")).get("cache");
        assertTrue(cache >= 16 * MIB, "cache " + cache);
        assertTrue(write(f, "/demo/memory.force_empty", "0") > 0);
        long after = SysFixture.pairs(read(f, "/demo/memory.stat")).get("cache");
        assertTrue(after < MIB, "cache after force_empty " + after);
    }
}
