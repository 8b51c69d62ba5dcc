package io.simproc.proc;

import io.simproc.kernel.Files;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.sysctl.SysctlTable;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import io.simproc.workload.Machines;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.simproc.proc.ProcTestSupport.lines;
import static io.simproc.proc.ProcTestSupport.read;
import static io.simproc.proc.ProcTestSupport.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-process files of the default machine with its population — limits, schedstat, cgroup, fd, numa_maps —
 * and /proc/sys/fs/file-nr and file-max: their formats against the 6.18 samples, their numbers against the
 * simulation's other views.
 */
class ProcessFilesTest {
    private static Kernel kernel;
    private static ProcFs fs;

    @BeforeAll
    static void boot() {
        kernel = Machines.boot(MachineProfileLoader.loadDefault(), ProcTestSupport.SEED);
        kernel.advance(20L * io.simproc.kernel.Clock.HZ);
        fs = new ProcFs(kernel, ProcTree.create(SysctlTable.create()));
    }

    private static Task byComm(String comm) {
        return kernel.read(k -> k.tasks().all().stream().filter(t -> t.comm().equals(comm) && t.isLeader())
                .findFirst().orElseThrow(() -> new AssertionError("no " + comm)));
    }

    /** Same rows, columns and trailing spaces as the sample: every line printed with proc_pid_limits' format. */
    @Test
    void limitsHaveTheSampleLayout() {
        List<String> sample = lines("sample limits", sample("pid_limits.txt"));
        List<String> ours = lines("limits", read(fs, "/" + byComm("postgres").pid() + "/limits"));
        assertEquals(sample.size(), ours.size());
        for (int i = 0; i < sample.size(); i++) {
            assertEquals(sample.get(i).substring(0, 26), ours.get(i).substring(0, 26), "label of row " + i);
            assertEquals(sample.get(i).length(), ours.get(i).length(), "width of row " + i + ": " + ours.get(i));
        }
        assertEquals("Max open files            1024                 524288               files     ", ours.get(8));
        String sigq = read(fs, "/" + byComm("postgres").pid() + "/status").lines()
                .filter(l -> l.startsWith("SigQ:")).findFirst().orElseThrow();
        assertTrue(ours.get(12).contains(" " + sigq.substring(sigq.indexOf('/') + 1) + " "),
                "Max pending signals is SigQ's limit: " + ours.get(12));
    }

    /** sum_exec_runtime is the task's user and system time: the same CPU time /proc/PID/stat shows in ticks. */
    @Test
    void schedstatIsTheTasksCpuTime() {
        Task t = byComm("java");
        String line = read(fs, "/" + t.pid() + "/schedstat");
        assertTrue(line.matches("\\d+ 0 \\d+\n"), line);
        long runtime = Long.parseLong(line.split(" ")[0]);
        String[] stat = read(fs, "/" + t.pid() + "/stat").split(" ");
        long ticks = Long.parseLong(stat[13]) + Long.parseLong(stat[14]);
        assertTrue(runtime > 0);
        assertTrue(Math.abs(runtime / 10_000_000 - ticks) <= 1, runtime + " ns vs " + ticks + " ticks");
        assertTrue(lines("sample", sample("pid_schedstat.txt")).get(0).matches("\\d+ \\d+ \\d+"));
    }

    /** systemd's placement: init.scope, a service per program init starts, its workers with it, a login scope. */
    @Test
    void cgroupsFollowTheServiceManager() {
        assertEquals("0::/init.scope\n", read(fs, "/1/cgroup"));
        assertEquals("0::/\n", read(fs, "/2/cgroup"));
        assertEquals("0::/system.slice/nginx.service\n", read(fs, "/" + byComm("nginx").pid() + "/cgroup"));
        long workers = kernel.read(k -> k.tasks().all().stream().filter(t -> t.comm().equals("nginx")
                && t.uid() == 33 && t.cgroup().path().equals("/system.slice/nginx.service")).count());
        assertEquals(4, workers, "nginx's workers stay in its service");
        assertTrue(read(fs, "/" + byComm("bash").pid() + "/cgroup")
                .matches("0::/user\\.slice/user-1000\\.slice/session-\\d+\\.scope\n"));
        String sampleLast = lines("sample", sample("pid_cgroup.txt")).get(9);
        assertEquals("0::/", sampleLast, "the unified hierarchy's line is 0::PATH");
    }

    @Test
    void fdListsWhatTheProcessHoldsOpen() {
        ProcEntry console = fs.lookup("/1/fd/0", Credentials.ROOT);
        assertEquals("/dev/console", fs.readlink(assertInstanceOf(ProcLink.class, console), Credentials.ROOT));
        assertEquals(0700, console.mode(), "opened read-write: lrwx------");
        int nginx = kernel.read(k -> k.tasks().all().stream().filter(t -> t.comm().equals("nginx") && t.uid() == 33)
                .findFirst().orElseThrow().pid());
        Map<String, String> links = new TreeMap<>();
        Map<String, Integer> modes = new TreeMap<>();
        ProcDir fd = assertInstanceOf(ProcDir.class, fs.lookup("/" + nginx + "/fd", Credentials.ROOT));
        assertEquals(0500, fd.mode());
        for (ProcEntry e : fs.list(fd, Credentials.ROOT)) {
            links.put(e.name(), fs.readlink((ProcLink) e, Credentials.ROOT));
            modes.put(e.name(), e.mode());
        }
        assertEquals("/dev/null", links.get("0"));
        assertEquals("/dev/null", links.get("2"));
        assertTrue(links.containsValue("/var/www/html/static/assets.pack"), links.toString());
        String log = links.entrySet().stream().filter(e -> e.getValue().equals("/var/log/nginx/access.log"))
                .findFirst().orElseThrow().getKey();
        assertEquals(0300, modes.get(log), "an append-only log is write-only: l-wx------");
        assertTrue(fs.list(fd, new Credentials(1000, 1000, 77)).isEmpty(), "another user may not look");
        assertTrue(fs.list(assertInstanceOf(ProcDir.class, fs.lookup("/2/fd", Credentials.ROOT)), Credentials.ROOT)
                .isEmpty(), "a kernel thread holds no descriptors");
    }

    /** nr_files is the filp objects in use: it grows with an open, shrinks with the process's exit. */
    @Test
    void fileNrCountsTheFilpObjects() {
        Kernel k = Machines.boot(MachineProfileLoader.loadDefault(), 5);
        k.setDebugChecks(true);
        ProcFs own = new ProcFs(k, ProcTree.create(SysctlTable.create()));
        long[] before = fileNr(own);
        assertEquals(filpActive(own), before[0]);
        assertEquals(0, before[1]);
        assertEquals(Long.parseLong(read(own, "/sys/fs/file-max").trim()), before[2]);
        Task nginx = k.read(x -> x.tasks().all().stream().filter(t -> t.comm().equals("nginx") && t.uid() == 33)
                .findFirst().orElseThrow());
        int fd = k.mutate(() -> k.files().open(nginx, "/etc/nginx/nginx.conf", Files.O_RDONLY));
        assertTrue(fd > 2);
        assertEquals(before[0] + 1, fileNr(own)[0]);
        assertEquals(filpActive(own), fileNr(own)[0]);
        assertEquals("/etc/nginx/nginx.conf", own.readlink((ProcLink) own.lookup("/" + nginx.pid() + "/fd/" + fd,
                Credentials.ROOT), Credentials.ROOT));
        long mine = nginx.files().fds().values().stream().distinct().filter(f -> !f.path().equals("/dev/null"))
                .count();
        assertEquals(3, mine, "its log, its data file and the file opened here");
        k.mutate(() -> {
            k.processes().exit(nginx, 0);
            return null;
        });
        assertEquals(before[0] + 1 - mine, fileNr(own)[0], "its own files closed; /dev/null is its master's too");
        assertEquals(filpActive(own), fileNr(own)[0]);
        k.checkInvariants();
    }

    /** alloc_empty_file(): at max_files an unprivileged open gets ENFILE, root's still succeeds. */
    @Test
    void openBeyondFileMaxIsEnfileExceptForRoot() {
        Kernel k = Machines.boot(MachineProfileLoader.loadDefault(), 4);
        Task nginx = k.read(x -> x.tasks().all().stream().filter(t -> t.comm().equals("nginx") && t.uid() == 33)
                .findFirst().orElseThrow());
        Task init = k.tasks().get(1);
        k.mutate(() -> {
            k.files().setMaxFiles(k.files().nrFiles());
            return null;
        });
        assertEquals(-Errno.ENFILE, (int) k.mutate(() -> k.files().open(nginx, "/etc/hosts", Files.O_RDONLY)));
        assertTrue(k.mutate(() -> k.files().open(init, "/etc/hosts", Files.O_RDONLY)) > 2);
    }

    /** files_maxfiles_init(): a tenth of memory in KiB less half again of what boot used; writable by root. */
    @Test
    void fileMaxFollowsMemoryAndIsWritable() {
        Kernel k = Kernel.boot(MachineProfileLoader.loadDefault(), 3);
        ProcFs own = new ProcFs(k, ProcTree.create(SysctlTable.create()));
        long max = Long.parseLong(read(own, "/sys/fs/file-max").trim());
        long ramKib = k.mm().vmstat().totalramPages() * 4;
        assertTrue(max <= ramKib / 10 && max > ramKib / 10 * 9 / 10, max + " for " + ramKib + " KiB");
        assertEquals(8, ProcTestSupport.write(own, "/sys/fs/file-max", "1000000\n", 0));
        assertEquals("1000000\n", read(own, "/sys/fs/file-max"));
        assertTrue(read(own, "/sys/fs/file-nr").endsWith("\t0\t1000000\n"));
        assertEquals(-Errno.EINVAL, ProcTestSupport.write(own, "/sys/fs/file-max", "-1\n", 0));
        assertEquals(0444, ProcTestSupport.file(own, "/sys/fs/file-nr").mode());
        String sampleNr = sample("sys_fs_file-nr.txt");
        assertTrue(sampleNr.matches("\\d+\t0\t\\d+\n"), sampleNr);
        assertTrue(read(own, "/sys/fs/file-nr").matches("\\d+\t0\t\\d+\n"));
    }

    /** Sysctl directories nest: kernel/random sits inside kernel, with the input pool's fixed 256 bits. */
    @Test
    void entropyFilesAreInKernelRandom() {
        ProcDir kernelDir = assertInstanceOf(ProcDir.class, fs.lookup("/sys/kernel", Credentials.ROOT));
        assertTrue(fs.list(kernelDir, Credentials.ROOT).stream().anyMatch(e -> e.name().equals("random")));
        assertEquals("256\n", read(fs, "/sys/kernel/random/entropy_avail"));
        assertEquals("256\n", read(fs, "/sys/kernel/random/poolsize"));
        assertEquals(List.of("fs", "kernel", "net", "vm"), fs.list(assertInstanceOf(ProcDir.class,
                fs.lookup("/sys", Credentials.ROOT)), Credentials.ROOT).stream().map(ProcEntry::name).toList());
    }

    private static long[] fileNr(ProcFs own) {
        String[] f = read(own, "/sys/fs/file-nr").trim().split("\t");
        return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
    }

    /** The filp objects in use; slabinfo's active_objs (which counts the CPUs' cached free ones too) is no less. */
    private static long filpActive(ProcFs own) {
        String line = read(own, "/slabinfo").lines().filter(l -> l.startsWith("filp ")).findFirst().orElseThrow();
        long live = own.kernel().mm().slab().kernelCaches().filp.liveObjects();
        assertTrue(Long.parseLong(line.trim().split(" +")[1]) >= live, line);
        return live;
    }

    /**
     * Every line is show_numa_map()'s: the sample's lines follow the same rule; the pages it counts are the
     * VMA's resident pages of smaps, its anon= the Anonymous ones, on node 0.
     */
    @Test
    void numaMapsAgreesWithSmaps() {
        String rule = "[0-9a-f]{8,} default( file=\\S+| heap| stack)?( anon=\\d+)?( dirty=\\d+)?( mapped=\\d+)?"
                + "( mapmax=\\d+)?( swapcache=\\d+)?( active=\\d+)?( writeback=\\d+)?( N0=\\d+ kernelpagesize_kB=4)?";
        for (String line : lines("sample", sample("pid_numa_maps.txt"))) {
            assertTrue(line.matches(rule), line);
        }
        int pid = byComm("postgres").pid();
        List<String> numa = lines("numa_maps", read(fs, "/" + pid + "/numa_maps"));
        List<String> smaps = lines("smaps", read(fs, "/" + pid + "/smaps"));
        int vma = 0;
        long rss = 0;
        long anon = 0;
        for (String s : smaps) {
            if (s.startsWith("Rss:")) {
                rss = kb(s);
            } else if (s.startsWith("Anonymous:")) {
                anon = kb(s);
            } else if (s.startsWith("VmFlags:")) {
                if (vma < numa.size()) {
                    String line = numa.get(vma);
                    assertTrue(line.matches(rule), line);
                    assertEquals(rss / 4, field(line, "N0="), line);
                    assertEquals(anon / 4, field(line, "anon="), line);
                }
                vma++;
            }
        }
        assertEquals(numa.size() + 1, vma, "smaps has the [vsyscall] gate VMA too");
        assertTrue(numa.stream().anyMatch(l -> l.contains(" heap")) && numa.stream().anyMatch(l -> l.contains(" stack")));
    }

    private static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    private static long field(String line, String key) {
        int at = line.indexOf(" " + key);
        if (at < 0) {
            return 0;
        }
        String rest = line.substring(at + key.length() + 1);
        return Long.parseLong(rest.split(" ")[0]);
    }

    @Test
    void deadProcessesFilesAreGone() {
        Kernel k = Machines.boot(MachineProfileLoader.loadDefault(), 9);
        ProcFs own = new ProcFs(k, ProcTree.create(SysctlTable.create()));
        Task cron = k.read(x -> x.tasks().all().stream().filter(t -> t.comm().equals("cron")).findFirst()
                .orElseThrow());
        ProcFile limits = (ProcFile) own.lookup("/" + cron.pid() + "/limits", Credentials.ROOT);
        ProcLink fd0 = (ProcLink) own.lookup("/" + cron.pid() + "/fd/0", Credentials.ROOT);
        assertNotNull(own.readlink(fd0, Credentials.ROOT));
        k.mutate(() -> {
            k.processes().exit(cron, 0);
            return null;
        });
        assertNull(own.readlink(fd0, Credentials.ROOT));
        ProcException e = org.junit.jupiter.api.Assertions.assertThrows(ProcException.class,
                () -> own.render(limits, Credentials.ROOT));
        assertEquals(Errno.ESRCH, e.errno());
    }
}
