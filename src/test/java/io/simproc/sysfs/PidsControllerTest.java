package io.simproc.sysfs;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.Printk;
import io.simproc.kernel.Task;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pids controller (kernel/cgroup/pids.c, Documentation/admin-guide/cgroup-v2.rst "PID"): its files on the root and
 * on a group, pids.current counting a group's tasks and its descendants' until they are reaped, pids.max refusing
 * forks with EAGAIN at any level of the hierarchy, pids.events and pids.events.local, pids.peak, and moves that charge
 * past the limit. The invariant (pids.current = the tasks below, never above pids.peak) runs after every step.
 */
class PidsControllerTest {
    private static final String ROOT = SysFixture.CGROUP_ROOT;

    private SysFixture f;

    @BeforeEach
    void boot() {
        f = SysFixture.boot("memory: 1G\ncpu: {count: 2}\n", 1);
        f.kernel.setDebugChecks(true);
    }

    @Test
    void theRootListsItAndHasNoneOfItsFilesAndSystemdsUnitsCountTheirTasks() {
        assertEquals("memory pids\n", f.cgroupFile("/cgroup.controllers"));
        List<String> root = f.list(ROOT);
        for (String notOnRoot : List.of("pids.max", "pids.current", "pids.peak", "pids.events", "pids.events.local")) {
            assertFalse(root.contains(notOnRoot), notOnRoot);
        }
        String unit = "/system.slice/nginx.service";
        assertEquals("max\n", f.cgroupFile(unit + "/pids.max"));
        assertEquals(0644, f.mode(ROOT + unit + "/pids.max"));
        assertEquals(0444, f.mode(ROOT + unit + "/pids.current"));
        long tasks = f.cgroupFile(unit + "/cgroup.threads").lines().count();
        assertTrue(tasks > 0);
        assertEquals(tasks + "\n", f.cgroupFile(unit + "/pids.current"));
        long slice = Long.parseLong(f.cgroupFile("/system.slice/pids.current").trim());
        assertTrue(slice >= tasks, "a parent counts its children's tasks");
        assertEquals("max 0\n", f.cgroupFile(unit + "/pids.events"));
    }

    @Test
    void pidsMaxParsesAsTheKernelDoes() {
        assertEquals(0, f.sys.mkdir(ROOT + "/demo", 0755, Credentials.ROOT, false));
        assertTrue(f.writeCgroupFile("/demo/pids.max", "0x10\n") > 0);
        assertEquals("16\n", f.cgroupFile("/demo/pids.max"));
        assertTrue(f.writeCgroupFile("/demo/pids.max", " max ") > 0);
        assertEquals("max\n", f.cgroupFile("/demo/pids.max"));
        assertTrue(f.writeCgroupFile("/demo/pids.max", "4194304") > 0);
        assertEquals("4194304\n", f.cgroupFile("/demo/pids.max"));
        for (String bad : List.of("-1", "4194305", "ten", "\n", "1 2")) {
            assertEquals(-Errno.EINVAL, f.writeCgroupFile("/demo/pids.max", bad), bad);
        }
        assertEquals(-Errno.ERANGE, f.writeCgroupFile("/demo/pids.max", "99999999999999999999"));
        assertEquals("4194304\n", f.cgroupFile("/demo/pids.max"), "a refused write changes nothing");
    }

    @Test
    void aForkPastAnAncestorsLimitFailsWithEagainAndIsCountedWhereTheLimitIs() {
        Kernel k = f.kernel;
        assertEquals(0, f.sys.mkdir(ROOT + "/outer", 0755, Credentials.ROOT, false));
        assertTrue(f.writeCgroupFile("/cgroup.subtree_control", "+pids") > 0);
        assertTrue(f.writeCgroupFile("/outer/cgroup.subtree_control", "+pids") > 0);
        assertEquals(0, f.sys.mkdir(ROOT + "/outer/inner", 0755, Credentials.ROOT, false));
        assertTrue(f.writeCgroupFile("/outer/pids.max", "3") > 0);
        Task first = k.mutate(() -> k.processes().fork(k.tasks().get(1)));
        assertTrue(f.writeCgroupFile("/outer/inner/cgroup.procs", Integer.toString(first.pid())) > 0);
        assertEquals("1\n", f.cgroupFile("/outer/inner/pids.current"));
        assertEquals("1\n", f.cgroupFile("/outer/pids.current"));
        List<Task> children = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Task c = k.mutate(() -> k.processes().fork(first));
            assertNotNull(c);
            children.add(c);
        }
        assertEquals("3\n", f.cgroupFile("/outer/pids.current"));
        assertNull(k.mutate(() -> k.processes().fork(first)), "a fourth task would pass /outer's pids.max");
        int err = k.read(kk -> kk.processes().forkErrno());
        assertEquals(-Errno.EAGAIN, err);
        assertNull(k.mutate(() -> k.processes().newThread(first)), "threads count too");
        assertEquals("3\n", f.cgroupFile("/outer/pids.current"), "a refused fork charges nothing");
        assertEquals("max 2\n", f.cgroupFile("/outer/pids.events"));
        assertEquals("max 2\n", f.cgroupFile("/outer/pids.events.local"));
        assertEquals("max 0\n", f.cgroupFile("/outer/inner/pids.events"), "the inner group's limit was not hit");
        assertEquals("max 0\n", f.cgroupFile("/outer/inner/pids.events.local"));
        List<String> log = k.read(kk -> kk.log().records().stream().map(Printk.Record::text).toList());
        assertEquals(1, log.stream().filter(l -> l.equals("cgroup: fork rejected by pids controller in /outer/inner"))
                .count(), "logged once: " + log);
        k.mutate(() -> {
            k.syscalls().exit(children.get(0), 0);
            return null;
        });
        k.advance(10);
        assertEquals("3\n", f.cgroupFile("/outer/pids.current"), "a zombie still counts until it is reaped");
        k.mutate(() -> {
            k.processes().reap(children.get(0));
            return null;
        });
        assertEquals("2\n", f.cgroupFile("/outer/pids.current"));
        assertNotNull(k.mutate(() -> k.processes().fork(first)), "room again once the zombie is reaped");
        assertEquals("3\n", f.cgroupFile("/outer/pids.peak"));
    }

    @Test
    void aMoveChargesTheDestinationPastItsLimit() {
        Kernel k = f.kernel;
        assertEquals(0, f.sys.mkdir(ROOT + "/full", 0755, Credentials.ROOT, false));
        assertTrue(f.writeCgroupFile("/full/pids.max", "0") > 0);
        Task t = k.mutate(() -> k.processes().fork(k.tasks().get(1)));
        assertTrue(f.writeCgroupFile("/full/cgroup.procs", Integer.toString(t.pid())) > 0,
                "organisational moves are not refused");
        assertEquals("1\n", f.cgroupFile("/full/pids.current"));
        assertEquals("1\n", f.cgroupFile("/full/pids.peak"));
        assertNull(k.mutate(() -> k.processes().fork(t)));
        assertTrue(f.writeCgroupFile("/cgroup.procs", Integer.toString(t.pid())) > 0);
        assertEquals("0\n", f.cgroupFile("/full/pids.current"));
        assertEquals("max 1\n", f.cgroupFile("/full/pids.events"));
    }
}
