package io.simproc.sysfs;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.Printk;
import io.simproc.kernel.Task;
import io.simproc.mm.Prot;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;
import io.simproc.workload.Program;
import io.simproc.workload.ProgramCatalog;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory controller's files under /sys/fs/cgroup on the default layout (systemd enables "memory" down to every
 * unit): which files the root and a group have, the population's pages charged to their units, the parsing of the
 * limits (Documentation/admin-guide/cgroup-v2.rst), and a group made with mkdir, limited with memory.max and
 * joined through cgroup.procs killing its own leak.
 */
class MemcgFilesTest {
    private static final String ROOT = SysFixture.CGROUP_ROOT;
    private static final long MIB = 1L << 20;
    /** A group's most pre-charged bytes on the 2-CPU machine: MEMCG_CHARGE_BATCH pages per CPU (memcg_stock). */
    private static final long STOCK_MAX = 2 * 64 * Page.PAGE_SIZE;

    private SysFixture f;

    @BeforeEach
    void boot() {
        f = SysFixture.boot("memory: 1G\ncpu: {count: 2}\n", 1);
        f.kernel.setDebugChecks(true);
    }

    @Test
    void theRootHasTheStatFilesAndEveryUnitItsLimitsAndCharges() {
        assertEquals("memory pids\n", f.cgroupFile("/cgroup.controllers"));
        List<String> root = f.list(ROOT);
        assertTrue(root.containsAll(List.of("memory.stat", "memory.numa_stat", "memory.reclaim")), root.toString());
        for (String notOnRoot : List.of("memory.current", "memory.max", "memory.events", "memory.swap.current")) {
            assertFalse(root.contains(notOnRoot), notOnRoot);
        }
        String unit = "/system.slice/nginx.service";
        assertEquals("max\n", f.cgroupFile(unit + "/memory.max"));
        assertEquals("0\n", f.cgroupFile(unit + "/memory.min"));
        assertEquals(0644, f.mode(ROOT + unit + "/memory.max"));
        assertEquals(0444, f.mode(ROOT + unit + "/memory.current"));
        assertEquals(0200, f.mode(ROOT + unit + "/memory.reclaim"));
        long current = Long.parseLong(f.cgroupFile(unit + "/memory.current").trim());
        assertTrue(current > 0, "nginx's pages are charged to its unit");
        Map<String, Long> stat = SysFixture.pairs(f.cgroupFile(unit + "/memory.stat"));
        long stocked = current - (stat.get("anon") + stat.get("file") + stat.get("kernel"));
        assertTrue(stocked >= 0 && stocked <= STOCK_MAX, "memory.current " + current
                + " = anon + file + kernel + the pages pre-charged in the 2 CPUs' charge stocks, at most 64 each");
        assertEquals(stat.get("inactive_anon") + stat.get("active_anon") + stat.get("inactive_file")
                + stat.get("active_file") + stat.get("unevictable") + stat.get("kernel"), current - stocked,
                "every charged user page is on an LRU, the rest is kernel memory");
        long kernelParts = stat.get("kernel_stack") + stat.get("pagetables") + stat.get("percpu") + stat.get("slab")
                + stat.get("vmalloc");
        assertTrue(stat.get("kernel") >= kernelParts && stat.get("kernel") - kernelParts < 2L * Page.PAGE_SIZE,
                "kernel " + stat.get("kernel") + " = its parts " + kernelParts + " and the pre-charged bytes");
        assertEquals(stat.get("slab"), stat.get("slab_reclaimable") + stat.get("slab_unreclaimable"));
        long slice = Long.parseLong(f.cgroupFile("/system.slice/memory.current").trim());
        assertTrue(slice >= current, "a parent's usage includes its children's");
        String numa = f.cgroupFile(unit + "/memory.numa_stat");
        assertTrue(numa.startsWith("anon N0=" + stat.get("anon") + "\nfile N0=" + stat.get("file") + "\n"), numa);
    }

    @Test
    void limitsParseAsTheKernelParsesThem() {
        assertEquals(0, f.sys.mkdir(ROOT + "/demo", 0755, Credentials.ROOT, false));
        assertTrue(f.writeCgroupFile("/demo/memory.max", "64M\n") > 0);
        assertEquals("67108864\n", f.cgroupFile("/demo/memory.max"));
        assertTrue(f.writeCgroupFile("/demo/memory.max", "max") > 0);
        assertEquals("max\n", f.cgroupFile("/demo/memory.max"));
        assertTrue(f.writeCgroupFile("/demo/memory.high", "0x100000") > 0);
        assertEquals("1048576\n", f.cgroupFile("/demo/memory.high"));
        assertTrue(f.writeCgroupFile("/demo/memory.low", "5000") > 0);
        assertEquals("4096\n", f.cgroupFile("/demo/memory.low"), "rounded down to whole pages");
        for (String bad : List.of("abc", "1.5G", "-1", "64X", "max\nmax")) {
            assertEquals(-Errno.EINVAL, f.writeCgroupFile("/demo/memory.max", bad), bad);
        }
        assertEquals(-Errno.EINVAL, f.writeCgroupFile("/demo/memory.oom.group", "2"));
        assertTrue(f.writeCgroupFile("/demo/memory.oom.group", "1\n") > 0);
        assertEquals("1\n", f.cgroupFile("/demo/memory.oom.group"));
        assertEquals("low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n", f.cgroupFile("/demo/memory.events"));
        assertEquals(-Errno.EINVAL, f.writeCgroupFile("/demo/memory.reclaim", "1M swappiness=300"));
    }

    @Test
    void aGroupMadeWithMkdirKillsItsOwnLeakWhileTheMachineHasMemoryFree() {
        Kernel k = f.kernel;
        assertEquals(0, f.sys.mkdir(ROOT + "/demo", 0755, Credentials.ROOT, false));
        assertTrue(f.writeCgroupFile("/demo/memory.max", "64M") > 0);
        Program bash = ProgramCatalog.embedded().program("bash");
        Task t = k.mutate(() -> {
            Task c = k.processes().fork(k.tasks().get(1));
            assertEquals(0, k.syscalls().execve(c, bash.exe(), bash.interp(), bash.libs(), List.of("bash")));
            return c;
        });
        assertTrue(f.writeCgroupFile("/demo/cgroup.procs", Integer.toString(t.pid())) > 0);
        long len = 256 * MIB;
        long addr = k.mutate(() -> k.syscalls().mmap(t, 0, len, Prot.READ | Prot.WRITE,
                Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0));
        int r = 0;
        for (long off = 0; off < len && r == 0; off += 8 * MIB) {
            long o = off;
            r = k.mutate(() -> k.syscalls().touch(t, addr + o, 8 * MIB, true));
            k.advance(1);
        }
        assertEquals(-Errno.EINTR, r, "the leak was OOM-killed");
        k.advance(100);
        Map<String, Long> events = SysFixture.pairs(f.cgroupFile("/demo/memory.events"));
        assertEquals(1, events.get("oom"));
        assertEquals(1, events.get("oom_kill"));
        assertTrue(events.get("max") > 0);
        assertEquals("67108864\n", f.cgroupFile("/demo/memory.peak"));
        List<String> log = k.read(kk -> kk.log().records().stream().map(Printk.Record::text).toList());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("oom-kill:constraint=CONSTRAINT_MEMCG,")
                && l.contains(",oom_memcg=/demo,task_memcg=/demo,")), log::toString);
        assertEquals(0, f.sys.rmdir(ROOT + "/demo", Credentials.ROOT, false), "empty once the victim is reaped");
    }
}
