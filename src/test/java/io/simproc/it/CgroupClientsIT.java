package io.simproc.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real clients of the cgroup v2 tree, on one machine mounted at a millionth of real speed (its numbers hold still
 * while a tool and the files are read), each client's output compared with the mount's own files: the JVM started
 * inside a group, cgroup-tools (lscgroup, cgget -r and -g, and cgcreate/cgset/cgdelete writing through the mount),
 * ps's cgroup column, findmnt's view of the cgroup2 mount, and the conformance suite with a group in use.
 *
 * <p>Every write a tool makes goes to the machine's tree only: the script that runs cgcreate first checks, inside
 * the same simproc-exec, that /sys/fs/cgroup is a FUSE file system (the host's is cgroup2fs) holding the group only
 * this machine has, and stops before any write otherwise.
 *
 * <p>Not run: systemd-cgtop. It decides that /sys/fs/cgroup is the unified hierarchy by statfs(2)'s f_type
 * (CGROUP2_SUPER_MAGIC), which a FUSE file system cannot report (the kernel answers FUSE_SUPER_MAGIC), so against
 * the mount it exits 1 without output; outside simproc-exec it would read the host's cgroups.
 */
class CgroupClientsIT {
    /** A limit no host has: 777 MiB. */
    private static final long LIMIT = 777L << 20;
    private static MountedMachine machine;
    private static Path cgroup;

    @BeforeAll
    static void mount() throws Exception {
        machine = MountedMachine.start("--seed", "2", "--speed", "0.000001");
        cgroup = machine.sysDir().resolve("fs/cgroup");
        Files.createDirectory(cgroup.resolve("demo.slice"));
        Exec.bash("echo 777M > " + cgroup.resolve("demo.slice/memory.max") + " && echo 100M > "
                + cgroup.resolve("demo.slice/memory.swap.max"), 20).assertOk("set the group's limits");
    }

    @AfterAll
    static void unmount() throws Exception {
        if (machine != null) {
            machine.close();
        }
    }

    private static String file(String path) throws Exception {
        return MountedMachine.catFile(cgroup.resolve(path));
    }

    private static Exec.Result inGroup(String group, String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(MountedMachine.basedir().resolve("mount-scripts/simproc-exec")
                .toString(), "--cgroup", group, machine.dir().toString(), "--"));
        cmd.addAll(List.of(command));
        return Exec.run(cmd, 120);
    }

    /** Every cgroup of the tree, as lscgroup names them ("/" for the root). */
    private static Set<String> groups() throws Exception {
        Set<String> out = new TreeSet<>();
        try (var walk = Files.walk(cgroup)) {
            for (Path p : walk.filter(Files::isDirectory).toList()) {
                out.add("/" + cgroup.relativize(p).toString());
            }
        }
        return out;
    }

    /**
     * The JVM (JDK 17) started with simproc-exec --cgroup: the launcher finds its JDK through /proc/self/exe (the
     * stand-in is the catalog's java). Its Java-level metrics (jdk.internal.platform, -XshowSettings:system) find the
     * cgroup v2 mount in the machine's mountinfo and the group in its /proc/self/cgroup, and report the group's
     * files: Memory Limit is memory.max, Memory &amp; Swap Limit memory.max + memory.swap.max, Memory Soft Limit
     * memory.low. HotSpot's own container support (what sizes the heap) reports as missing exactly the controllers
     * of cpuset, cpu, cpuacct, memory and pids that the machine's /proc/cgroups lacks: JDK 17 before JDK-8349988
     * uses a cgroup's limits only when all five are enabled, and the simulation has the memory and pids
     * controllers alone, so MaxHeapSize does not follow memory.max yet (docs/TESTING.md, "Clients of the cgroup
     * tree").
     */
    @Test
    void theJvmInTheGroupReportsItsMemoryLimitAndReadsTheMachinesControllers() throws Exception {
        Exec.Result r = inGroup("/demo.slice", "java", "-Xlog:os+container=debug", "-XshowSettings:system",
                "-version");
        r.assertOk("java -version in /demo.slice");
        String out = r.out() + r.err();
        assertTrue(out.contains("openjdk version \"17"), out);
        assertTrue(out.contains("\n    Provider: cgroupv2\n"), out);
        long max = Long.parseLong(file("demo.slice/memory.max").trim());
        long swapMax = Long.parseLong(file("demo.slice/memory.swap.max").trim());
        long low = Long.parseLong(file("demo.slice/memory.low").trim());
        assertEquals(LIMIT, max);
        assertTrue(out.contains("\n    Memory Limit: " + scaled(max) + "\n"), out);
        assertTrue(out.contains("\n    Memory & Swap Limit: " + scaled(max + swapMax)), out);
        assertTrue(out.contains("\n    Memory Soft Limit: " + scaled(low) + "\n"), out);
        String stats = machine.read("cgroups");
        Matcher missing = Pattern.compile("controller (\\w+) is not enabled").matcher(out);
        Set<String> reported = new TreeSet<>();
        while (missing.find()) {
            reported.add(missing.group(1));
        }
        Set<String> lacking = new TreeSet<>();
        for (String c : List.of("cpuset", "cpu", "cpuacct", "memory", "pids")) {
            if (!stats.contains("\n" + c + "\t0\t")) {
                lacking.add(c);
            }
        }
        assertEquals(lacking, reported, "the machine's cgroups:\n" + stats + "\njava:\n" + out);
        assertFalse(lacking.contains("memory"), stats);
    }

    /** A size as the JDK's launcher prints it (LauncherHelper's SizePrefix): two decimals of K, M or G. */
    private static String scaled(long bytes) {
        String[] units = {"K", "M", "G"};
        int u = bytes >= 1L << 30 ? 2 : bytes >= 1L << 20 ? 1 : 0;
        return String.format(java.util.Locale.ROOT, "%.2f%s", (double) bytes / (1L << (10 * (u + 1))), units[u]);
    }

    @Test
    void lscgroupAndCggetAgreeWithTheFiles() throws Exception {
        // libcgroup names each cgroup with every controller mounted where it is: those of the cgroup2 root.
        String controllers = String.join(",", file("cgroup.controllers").trim().split(" ")) + ":";
        assertEquals("memory,pids:", controllers);
        Set<String> listed = new TreeSet<>();
        for (String line : machine.exec("lscgroup").assertOk("lscgroup").out().split("\n")) {
            assertTrue(line.startsWith(controllers + "/"), line);
            listed.add(line.substring(controllers.length()));
        }
        assertEquals(groups(), listed);
        Exec.Result got = machine.exec("cgget", "-r", "memory.max", "-r", "memory.current", "demo.slice")
                .assertOk("cgget");
        assertEquals("demo.slice:\nmemory.max: " + file("demo.slice/memory.max") + "memory.current: "
                + file("demo.slice/memory.current") + "\n", got.out());
        assertEquals(LIMIT + "\n", file("demo.slice/memory.max"));
        Map<String, String> all = new LinkedHashMap<>();
        String name = null;
        for (String line : machine.exec("cgget", "-g", "memory:/demo.slice").assertOk("cgget -g").out().split("\n")) {
            if (line.startsWith("\t")) {
                all.put(name, all.get(name) + "\n" + line.substring(1));
            } else if (line.startsWith("memory.")) {
                name = line.substring(0, line.indexOf(": "));
                all.put(name, line.substring(line.indexOf(": ") + 2));
            }
        }
        Set<String> readable = new TreeSet<>();
        try (var files = Files.list(cgroup.resolve("demo.slice"))) {
            for (Path p : files.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith("memory.") && Files.getPosixFilePermissions(p).contains(
                        java.nio.file.attribute.PosixFilePermission.OWNER_READ)) {
                    readable.add(n);
                }
            }
        }
        assertEquals(readable, new TreeSet<>(all.keySet()), "cgget -g reads every readable memory file");
        for (Map.Entry<String, String> e : all.entrySet()) {
            assertEquals(file("demo.slice/" + e.getKey()), e.getValue() + "\n", e.getKey());
        }
    }

    @Test
    void cgcreateCgsetAndCgdeleteWriteTheMachinesTree() throws Exception {
        String onlyHere = "case $(stat -f -c %T /sys/fs/cgroup) in fuse*) ;; *) echo 'not simproc' >&2; exit 99;; "
                + "esac; [ -d /sys/fs/cgroup/demo.slice ] || { echo 'not this machine' >&2; exit 98; }; ";
        Exec.Result made = machine.exec("bash", "-c", onlyHere + "cgcreate -g memory:/it-tools && "
                + "cgset -r memory.max=333M it-tools && cgget -n -v -r memory.max it-tools");
        made.assertOk("cgcreate, cgset, cgget");
        assertEquals((333L << 20) + "\n", file("it-tools/memory.max"));
        assertEquals(file("it-tools/memory.max"), made.out());
        assertTrue(groups().contains("/it-tools"));
        machine.exec("bash", "-c", onlyHere + "cgdelete memory:/it-tools").assertOk("cgdelete");
        assertFalse(Files.exists(cgroup.resolve("it-tools")));
    }

    /**
     * ps -o cgroup (procps reads /proc/PID/cgroup): each process's column is its cgroup line, "-" for one in the
     * root (procps leaves out a hierarchy's "/"), and the process is in that cgroup's cgroup.procs.
     */
    @Test
    void psCgroupColumnAgreesWithProcAndCgroupProcs() throws Exception {
        String out = machine.exec("ps", "-eo", "pid=,cgroup=").assertOk("ps").out();
        int inGroups = 0;
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+", 2);
            String own = machine.read(f[0] + "/cgroup");
            assertTrue(own.startsWith("0::/") && own.endsWith("\n"), own);
            String path = own.substring(3, own.length() - 1);
            assertEquals(path.equals("/") ? "-" : "0::" + path, f[1], "pid " + f[0]);
            List<String> procs = List.of(MountedMachine.catFile(cgroup.resolve(path.substring(1))
                    .resolve("cgroup.procs")).split("\n"));
            assertTrue(procs.contains(f[0]), f[0] + " in " + path + "/cgroup.procs");
            inGroups += path.equals("/") ? 0 : 1;
        }
        assertTrue(inGroups > 20, out);
    }

    /**
     * Every client of mount-scripts/conformance (node_exporter's collectors among them) still agrees with the files
     * while a group with limits holds a process that charged memory to it.
     */
    @Test
    void theConformanceSuitePassesWithALimitedGroupInUse() throws Exception {
        machine.ctl("spawn", "grouped", "--rss", "64M", "--cgroup", "/demo.slice").assertOk("spawn into the group");
        assertTrue(Long.parseLong(file("demo.slice/memory.current").trim()) >= 64L << 20);
        Exec.Result r = ConformanceIT.conformance(machine);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().matches("(?s).*\\n\\d{3,} passed, 0 failed\\n"), r.out());
        assertTrue(r.out().contains("\nPASS node_exporter"), r.out());
    }

    /** findmnt (util-linux reads /proc/self/mountinfo) shows the cgroup2 mount as /proc/mounts has it. */
    @Test
    void findmntShowsTheCgroup2MountOfMounts() throws Exception {
        String mounts = machine.read("mounts");
        assertTrue(mounts.contains("\ncgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,"
                + "memory_recursiveprot 0 0\n"), mounts);
        Exec.Result r = machine.exec("findmnt", "-n", "-o", "SOURCE,FSTYPE,VFS-OPTIONS,FS-OPTIONS", "/sys/fs/cgroup")
                .assertOk("findmnt");
        assertEquals(List.of("cgroup2", "cgroup2", "rw,nosuid,nodev,noexec,relatime",
                "rw,nsdelegate,memory_recursiveprot"), List.of(r.out().trim().split("\\s+")));
        assertTrue(machine.read("filesystems").contains("nodev\tcgroup2\n"));
    }
}
