package io.simproc.sysfs;

import io.simproc.kernel.Cftype;
import io.simproc.kernel.Cgroup;
import io.simproc.kernel.CgroupSubsys;
import io.simproc.kernel.Task;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /sys/fs/cgroup: the hierarchy as files (kernel/cgroup/cgroup.c cgroup_base_files[]) — which files the root and the
 * other cgroups have and their modes, what they show of the default machine's systemd layout, the parsing and errnos
 * of every writable core file, mkdir and rmdir through the tree, and a controller's files appearing where it is
 * enabled.
 */
class CgroupFsTest {
    private static final String ROOT = "/fs/cgroup";

    private SysFixture f;

    @BeforeEach
    void boot() {
        f = SysFixture.boot("memory: 1G\ncpu: {count: 2}\n", 1);
        f.kernel.setDebugChecks(true);
    }

    private int write(String path, String text) {
        return f.writeSys(path, text, Credentials.ROOT);
    }

    private static int ok(String text) {
        return text.length();
    }

    private Task byComm(String comm) {
        return f.kernel.read(k -> k.tasks().all().stream().filter(t -> t.comm().equals(comm)).findFirst()
                .orElseThrow());
    }

    @Test
    void theRootHasOnlyTheRootsFilesAndTheSystemdLayout() {
        List<String> names = f.list(ROOT);
        assertTrue(names.containsAll(List.of("cgroup.procs", "cgroup.threads", "cgroup.controllers",
                "cgroup.subtree_control", "cgroup.max.descendants", "cgroup.max.depth", "cgroup.stat",
                "cpu.stat.local", "init.scope", "system.slice", "user.slice")), names.toString());
        for (String notOnRoot : List.of("cgroup.type", "cgroup.events", "cgroup.kill", "cgroup.stat.local",
                "cgroup.freeze")) {
            assertFalse(names.contains(notOnRoot), notOnRoot);
        }
        List<String> child = f.list(ROOT + "/system.slice");
        assertTrue(child.containsAll(List.of("cgroup.type", "cgroup.events", "cgroup.kill", "cgroup.stat.local")));
        assertFalse(child.contains("cgroup.freeze"), "the freezer is not simulated");
        assertEquals(0555, f.mode(ROOT));
        assertEquals(0755, f.mode(ROOT + "/system.slice"));
        assertEquals(0644, f.mode(ROOT + "/cgroup.procs"));
        assertEquals(0644, f.mode(ROOT + "/cgroup.subtree_control"));
        assertEquals(0444, f.mode(ROOT + "/cgroup.controllers"));
        assertEquals(0444, f.mode(ROOT + "/cgroup.stat"));
        assertEquals(0644, f.mode(ROOT + "/system.slice/cgroup.type"));
        assertEquals(0200, f.mode(ROOT + "/system.slice/cgroup.kill"));
        assertEquals(0444, f.mode(ROOT + "/system.slice/cgroup.events"));
    }

    @Test
    void processesAreWhereTheirProcFilesSay() {
        Task nginx = byComm("nginx");
        String path = f.proc("/" + nginx.pid() + "/cgroup").substring(3).trim();
        assertEquals("/system.slice/nginx.service", path);
        List<String> pids = List.of(f.sys(ROOT + path + "/cgroup.procs").split("\n"));
        assertTrue(pids.contains(Integer.toString(nginx.pid())), pids.toString());
        assertEquals("1\n", f.sys(ROOT + "/init.scope/cgroup.procs"));
        assertEquals("populated 1\nfrozen 0\n", f.sys(ROOT + "/system.slice/cgroup.events"));
        assertEquals("domain\n", f.sys(ROOT + "/system.slice/cgroup.type"));
        assertTrue(f.sys(ROOT + "/cgroup.procs").contains("2\n"), "kthreadd stays in the root");
        int cgroups = f.kernel.read(k -> k.cgroups().preOrder(k.cgroups().root()).size());
        assertTrue(f.sys(ROOT + "/cgroup.stat").startsWith("nr_descendants " + (cgroups - 1) + "\n"));
        assertEquals("frozen_usec 0\n", f.sys(ROOT + "/init.scope/cgroup.stat.local"));
        assertEquals("max\n", f.sys(ROOT + "/cgroup.max.depth"));
    }

    @Test
    void mkdirAndRmdirGoThroughTheTreeWithTheVfsErrnos() {
        assertEquals(0, f.sys.mkdir(ROOT + "/test", 0750, Credentials.ROOT, false));
        assertEquals(0750, f.mode(ROOT + "/test"));
        assertEquals(-Errno.EEXIST, f.sys.mkdir(ROOT + "/test", 0755, Credentials.ROOT, false));
        assertEquals(-Errno.EEXIST, f.sys.mkdir(ROOT + "/cgroup.procs", 0755, Credentials.ROOT, false),
                "a file's name");
        assertEquals(-Errno.ENOENT, f.sys.mkdir(ROOT + "/nope/x", 0755, Credentials.ROOT, false));
        assertEquals(-Errno.ENOTDIR, f.sys.mkdir(ROOT + "/cgroup.procs/x", 0755, Credentials.ROOT, false));
        assertEquals(-Errno.EACCES, f.sys.mkdir(ROOT + "/u", 0755, new Credentials(1000, 1000, 5), false),
                "the root cgroup's directory is 0555");
        assertEquals(-Errno.ENOSYS, f.sys.mkdir("/devices/x", 0755, Credentials.ROOT, false), "not a cgroup directory");
        assertEquals(-Errno.ENOSYS, f.proc.mkdir("/x", 0755, Credentials.ROOT, false), "nor is /proc");
        assertEquals(-Errno.ENOSYS, f.sys.rmdir("/devices/system", Credentials.ROOT, false));
        assertEquals(-Errno.EBUSY, f.sys.rmdir(ROOT + "/system.slice", Credentials.ROOT, false), "populated");
        assertEquals(-Errno.ENOTDIR, f.sys.rmdir(ROOT + "/test/cgroup.procs", Credentials.ROOT, false));
        assertEquals(-Errno.ENOENT, f.sys.rmdir(ROOT + "/gone", Credentials.ROOT, false));
        assertEquals(0, f.sys.rmdir(ROOT + "/test", Credentials.ROOT, false));
        assertNull(f.sys.lookup(ROOT + "/test", Credentials.ROOT));
    }

    /**
     * /proc/cgroups: the memory controller on the v2 hierarchy (id 0), enabled, with as many cgroups as the root's
     * cgroup.stat counts (itself, its live and its dying descendants), following mkdir and rmdir.
     */
    @Test
    void procCgroupsCountsTheHierarchysCgroupsAsCgroupStatDoes() {
        long n = cgroupsOfStat();
        assertEquals("#subsys_name\thierarchy\tnum_cgroups\tenabled\nmemory\t0\t" + n + "\t1\npids\t0\t" + n
                + "\t1\n", f.proc("/cgroups"));
        assertEquals(0444, f.proc.lookup("/cgroups", Credentials.ROOT).mode());
        long before = cgroupsOfStat();
        assertEquals(0, f.sys.mkdir(ROOT + "/counted", 0755, Credentials.ROOT, false));
        assertEquals(before + 1, cgroupsOfStat());
        assertEquals("memory\t0\t" + (before + 1) + "\t1", f.proc("/cgroups").split("\n")[1]);
        assertEquals(0, f.sys.rmdir(ROOT + "/counted", Credentials.ROOT, false));
        assertEquals("memory\t0\t" + before + "\t1", f.proc("/cgroups").split("\n")[1]);
    }

    private long cgroupsOfStat() {
        java.util.Map<String, Long> stat = SysFixture.pairs(f.sys(ROOT + "/cgroup.stat"));
        return 1 + stat.get("nr_descendants") + stat.get("nr_dying_descendants");
    }

    /**
     * The cgroup2 hierarchy is mounted where these files are, as systemd mounts it (nsdelegate,
     * memory_recursiveprot, the API file systems' nosuid,nodev,noexec), on /sys's mount, with an anonymous device of
     * its own; its source and type columns are the sample's cgroup2 mount's, and the type is registered.
     */
    @Test
    void theCgroup2MountIsSystemdsOnSysWithTheSamplesColumns() {
        String mounts = f.proc("/1/mounts");
        assertTrue(mounts.contains("\ncgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,"
                + "memory_recursiveprot 0 0\n"), mounts);
        List<String[]> info = new ArrayList<>();
        for (String line : f.proc("/1/mountinfo").split("\n")) {
            info.add(line.split(" "));
        }
        String[] sys = info.stream().filter(a -> a[4].equals("/sys")).findFirst().orElseThrow();
        String[] cg = info.stream().filter(a -> a[4].equals(sys[4] + ROOT)).findFirst().orElseThrow();
        assertEquals(sys[0], cg[1], "mounted on /sys");
        assertTrue(cg[2].startsWith("0:"), "an anonymous device: " + cg[2]);
        assertEquals(1, info.stream().filter(a -> a[2].equals(cg[2])).count(), "its own device");
        assertEquals("rw,nosuid,nodev,noexec,relatime", cg[5]);
        String tail = String.join(" ", List.of(cg).subList(List.of(cg).indexOf("-"), cg.length));
        assertEquals("- cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot", tail);
        String sample = io.simproc.proc.ProcTestSupport.sample("proc/PID/mountinfo").lines()
                .filter(l -> l.contains(" - cgroup2 ")).findFirst().orElseThrow();
        assertTrue(sample.endsWith(" - cgroup2 cgroup2 rw"), sample);
        assertTrue(f.proc("/filesystems").contains("nodev\tcgroup2\n"));
    }

    /**
     * chown to the owner a group's directory and files have (what cgcreate does to each) changes nothing and
     * succeeds; a new owner is not simulated (EIO, the owner stays); a missing path is ENOENT.
     */
    @Test
    void chownToTheCurrentOwnerSucceedsAndANewOwnerIsRefused() {
        assertEquals(0, f.sys.mkdir(ROOT + "/owned", 0755, Credentials.ROOT, false));
        for (String p : List.of(ROOT + "/owned", ROOT + "/owned/memory.max", ROOT + "/owned/cgroup.procs")) {
            assertEquals(0, f.sys.chown(p, 0, 0, Credentials.ROOT), p);
            assertEquals(0, f.sys.chown(p, 0xffffffffL, 0xffffffffL, Credentials.ROOT), p + ": both unchanged");
            assertEquals(-Errno.EIO, f.sys.chown(p, 1000, 0xffffffffL, Credentials.ROOT), p);
            assertEquals(-Errno.EIO, f.sys.chown(p, 0xffffffffL, 1000, Credentials.ROOT), p);
            assertEquals(0, f.sys.lookup(p, Credentials.ROOT).uid(), p);
        }
        assertEquals(-Errno.ENOENT, f.sys.chown(ROOT + "/owned/nosuch", 0, 0, Credentials.ROOT));
    }

    @Test
    void procsWritesParseAPidAndMoveItsProcess() {
        assertEquals(0, f.sys.mkdir(ROOT + "/box", 0755, Credentials.ROOT, false));
        Task sshd = byComm("sshd");
        String pid = Integer.toString(sshd.pid());
        assertEquals(-Errno.EINVAL, write(ROOT + "/box/cgroup.procs", "abc\n"));
        assertEquals(-Errno.EINVAL, write(ROOT + "/box/cgroup.procs", "-5\n"));
        assertEquals(-Errno.EINVAL, write(ROOT + "/box/cgroup.procs", pid + " " + pid + "\n"), "one pid a write");
        assertEquals(-Errno.ESRCH, write(ROOT + "/box/cgroup.procs", "31999\n"));
        assertEquals(ok(pid + "\n"), write(ROOT + "/box/cgroup.procs", pid + "\n"));
        assertEquals("0::/box\n", f.proc("/" + pid + "/cgroup"));
        assertEquals(pid + "\n", f.sys(ROOT + "/box/cgroup.procs"));
        assertEquals(ok("0x" + Integer.toHexString(sshd.pid())), write(ROOT + "/cgroup.procs",
                "0x" + Integer.toHexString(sshd.pid())), "kstrtoint's base 0");
        assertEquals("", f.sys(ROOT + "/box/cgroup.procs"));
        assertEquals("populated 0\nfrozen 0\n", f.sys(ROOT + "/box/cgroup.events"));
    }

    @Test
    void maxFilesTakeMaxOrANumberNotNegative() {
        assertEquals(0, f.sys.mkdir(ROOT + "/box", 0755, Credentials.ROOT, false));
        String depth = ROOT + "/box/cgroup.max.depth";
        assertEquals(ok("1\n"), write(depth, "1\n"));
        assertEquals("1\n", f.sys(depth));
        assertEquals(0, f.sys.mkdir(ROOT + "/box/a", 0755, Credentials.ROOT, false));
        assertEquals(-Errno.EAGAIN, f.sys.mkdir(ROOT + "/box/a/b", 0755, Credentials.ROOT, false));
        assertEquals(-Errno.ERANGE, write(depth, "-1"));
        assertEquals(-Errno.EINVAL, write(depth, "one"));
        assertEquals(-Errno.ERANGE, write(depth, "4294967296"), "kstrtoint: does not fit an int");
        assertEquals("1\n", f.sys(depth), "refused writes change nothing");
        assertEquals(ok("max"), write(depth, "max"));
        assertEquals("max\n", f.sys(depth));
        String desc = ROOT + "/box/cgroup.max.descendants";
        assertEquals(ok("010\n"), write(desc, "010\n"));
        assertEquals("8\n", f.sys(desc), "a leading 0 is octal");
    }

    @Test
    void subtreeControlAndTypeWritesParseAsTheKernelDoes() {
        assertEquals(0, f.sys.mkdir(ROOT + "/box", 0755, Credentials.ROOT, false));
        String sc = ROOT + "/box/cgroup.subtree_control";
        assertEquals(-Errno.EINVAL, write(sc, "+nosuch"), "a controller the machine does not have");
        assertEquals(-Errno.EINVAL, write(sc, "+"));
        assertEquals(ok("  \n"), write(sc, "  \n"), "nothing to do");
        String type = ROOT + "/box/cgroup.type";
        assertEquals(-Errno.EINVAL, write(type, "domain\n"), "only threaded can be written");
        assertEquals(ok("threaded\n"), write(type, "threaded\n"));
        assertEquals("threaded\n", f.sys(type));
        IllegalStateOrErrno.assertErrno(Errno.EOPNOTSUPP, () -> f.sys(ROOT + "/box/cgroup.procs"));
        assertEquals(-Errno.EOPNOTSUPP, write(ROOT + "/box/cgroup.kill", "1"));
    }

    @Test
    void killTakesOnlyOneAndKillsTheProcesses() {
        assertEquals(0, f.sys.mkdir(ROOT + "/box", 0755, Credentials.ROOT, false));
        Task sshd = byComm("sshd");
        assertEquals(ok("" + sshd.pid()), write(ROOT + "/box/cgroup.procs", "" + sshd.pid()));
        assertEquals(-Errno.ERANGE, write(ROOT + "/box/cgroup.kill", "2"));
        assertEquals(-Errno.EINVAL, write(ROOT + "/box/cgroup.kill", "yes"));
        assertEquals("populated 1\nfrozen 0\n", f.sys(ROOT + "/box/cgroup.events"));
        assertEquals(ok("1\n"), write(ROOT + "/box/cgroup.kill", "1\n"));
        assertEquals("populated 0\nfrozen 0\n", f.sys(ROOT + "/box/cgroup.events"));
        IllegalStateOrErrno.assertErrno(Errno.EINVAL, () -> f.sys(ROOT + "/box/cgroup.kill"));
    }

    @Test
    void pressureFilesShowTheGroupsStallsTakeTriggersAndHideWhenDisabled() {
        assertEquals(f.proc("/pressure/memory"), f.sys(ROOT + "/memory.pressure"), "the root's is the system's");
        assertTrue(f.list(ROOT).containsAll(List.of("io.pressure", "memory.pressure", "cpu.pressure",
                "cgroup.pressure")));
        assertFalse(f.list(ROOT).contains("irq.pressure"), "no CONFIG_IRQ_TIME_ACCOUNTING, as /proc/pressure");
        String cpu = f.sys(ROOT + "/system.slice/cpu.pressure");
        assertTrue(cpu.matches("some avg10=\\d+\\.\\d\\d avg60=\\d+\\.\\d\\d avg300=\\d+\\.\\d\\d total=\\d+\n"
                + "full avg10=\\d+\\.\\d\\d avg60=\\d+\\.\\d\\d avg300=\\d+\\.\\d\\d total=\\d+\n"), cpu);
        assertEquals(0644, f.mode(ROOT + "/system.slice/memory.pressure"));
        String mem = ROOT + "/system.slice/memory.pressure";
        assertEquals(ok("some 150000 1000000"), write(mem, "some 150000 1000000"));
        assertEquals(-Errno.EINVAL, write(mem, "some 0 1000000"));
        Credentials user = new Credentials(1000, 1000, 1);
        assertEquals(-Errno.EACCES, f.writeSys(mem, "some 150000 2000000", user), "root's file, 0644");
        assertEquals(0, f.kernel.mutate(() -> f.kernel.cgroups().mkdir(f.kernel.cgroups().root(), "delegated", 0755,
                user)));
        assertEquals(1000, f.sys.lookup(ROOT + "/delegated/memory.pressure", user).uid(), "the creator's files");
        assertEquals(-Errno.EPERM, f.writeSys(ROOT + "/delegated/memory.pressure", "some 150000 2000000", user),
                "a trigger needs CAP_SYS_RESOURCE");
        String onOff = ROOT + "/system.slice/cgroup.pressure";
        assertEquals("1\n", f.sys(onOff));
        assertEquals(-Errno.ERANGE, write(onOff, "2"));
        assertEquals(ok("0"), write(onOff, "0"));
        assertEquals("0\n", f.sys(onOff));
        assertFalse(f.list(ROOT + "/system.slice").contains("memory.pressure"));
        assertEquals(ok("1"), write(onOff, "1"));
        assertTrue(f.list(ROOT + "/system.slice").contains("memory.pressure"));
    }

    /** A controller for these tests, under a name the machine does not have ("rdma"), with one file. */
    static final class Counter implements CgroupSubsys<int[]> {
        @Override
        public String name() {
            return "rdma";
        }

        @Override
        public int[] cssAlloc(int[] parent, io.simproc.kernel.Cgroup cgrp) {
            return new int[1];
        }

        @Override
        public List<Cftype<int[]>> dflCftypes() {
            List<Cftype<int[]>> l = new ArrayList<>();
            l.add(new Cftype<>("current", Cftype.CFTYPE_NOT_ON_ROOT, css -> css[0] + "\n", null));
            l.add(new Cftype<>("max", Cftype.CFTYPE_NOT_ON_ROOT, css -> "max\n", (css, buf, who, current) -> {
                css[0] = buf.length();
                return 0;
            }));
            return l;
        }
    }

    @Test
    void aControllersFilesAppearWhereItsParentEnablesIt() {
        f.kernel.mutate(() -> f.kernel.cgroups().register(new Counter()));
        assertEquals("memory pids rdma\n", f.sys(ROOT + "/cgroup.controllers"));
        assertEquals("memory pids\n", f.sys(ROOT + "/system.slice/cgroup.controllers"),
                "systemd started before rdma existed");
        assertEquals(0, f.sys.mkdir(ROOT + "/box", 0755, Credentials.ROOT, false));
        assertFalse(f.list(ROOT + "/box").contains("rdma.current"));
        assertFalse(f.list(ROOT).contains("rdma.current"), "not on the root");
        assertEquals(-Errno.ENOENT, write(ROOT + "/box/cgroup.subtree_control", "+rdma"), "the root gives none");
        assertEquals(ok("+rdma"), write(ROOT + "/cgroup.subtree_control", "+rdma"));
        assertEquals("memory pids rdma\n", f.sys(ROOT + "/cgroup.subtree_control"));
        assertEquals("memory pids rdma\n", f.sys(ROOT + "/box/cgroup.controllers"));
        assertEquals("0\n", f.sys(ROOT + "/box/rdma.current"));
        assertEquals(0644, f.mode(ROOT + "/box/rdma.max"));
        assertEquals(0444, f.mode(ROOT + "/box/rdma.current"));
        assertEquals(ok("12345"), write(ROOT + "/box/rdma.max", "12345"));
        assertEquals("5\n", f.sys(ROOT + "/box/rdma.current"), "the write reached the css");
        int children = f.kernel.read(k -> k.cgroups().root().children().size());
        assertTrue(f.sys(ROOT + "/cgroup.stat").contains("\nnr_subsys_rdma " + (1 + children) + "\n"),
                "the root's css and one per child: " + f.sys(ROOT + "/cgroup.stat"));
        assertEquals(ok("+rdma"), write(ROOT + "/box/cgroup.subtree_control", "+rdma"));
        assertEquals(-Errno.EINVAL, write(ROOT + "/box/cgroup.subtree_control", "-rdma +foo"), "foo: no such");
        assertEquals(ok("-rdma"), write(ROOT + "/box/cgroup.subtree_control", "-rdma"));
        assertEquals(ok("-rdma"), write(ROOT + "/cgroup.subtree_control", "-rdma"));
        assertFalse(f.list(ROOT + "/box").contains("rdma.current"));
        Cgroup box = f.kernel.read(k -> k.cgroups().lookup("/box"));
        assertEquals(0, box.nrDyingSubsys(f.kernel.cgroups().ssidByName("rdma")));
    }
}
