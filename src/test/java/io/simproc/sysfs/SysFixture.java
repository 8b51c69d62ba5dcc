package io.simproc.sysfs;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfile;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.proc.ProcDir;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.ProcFile;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcLink;
import io.simproc.proc.ProcTree;
import io.simproc.scenario.ScenarioEngine;
import io.simproc.scenario.ScenarioParser;
import io.simproc.scenario.ScenarioRun;
import io.simproc.scenario.StepRegistry;
import io.simproc.sysctl.SysctlTable;
import io.simproc.uapi.Credentials;
import io.simproc.workload.Machines;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A booted machine with its /proc and /sys, read and written as the FUSE binding would, for the sysfs tests. */
final class SysFixture {
    final Kernel kernel;
    final ProcFs proc;
    final ProcFs sys;
    private final ScenarioEngine engine;

    private SysFixture(Machines.Machine m) {
        kernel = m.kernel();
        proc = new ProcFs(kernel, ProcTree.create(SysctlTable.create()));
        sys = new ProcFs(kernel, SysTree.create(kernel));
        engine = new ScenarioEngine(kernel, m.population(), proc, sys);
    }

    /** A machine described by profile text. */
    static SysFixture boot(String profile, long seed) {
        return new SysFixture(Machines.start(MachineProfileLoader.parse("test", profile), seed));
    }

    /** A machine of a profile file of the repository (samples/machines/...). */
    static SysFixture boot(Path profile, long seed) {
        return new SysFixture(Machines.start(MachineProfileLoader.load(profile), seed));
    }

    /** A machine of the profile inside scenario text, with the scenario started on it. */
    static SysFixture scenario(String text, long seed) {
        var s = new ScenarioParser(StepRegistry.standard()).parse("t.yaml", text, null);
        MachineProfile p = s.machine();
        assertNotNull(p, "the scenario names its machine");
        SysFixture f = new SysFixture(Machines.start(p, seed));
        ScenarioRun run = f.kernel.mutate(() -> f.engine.start(s));
        f.run = run;
        return f;
    }

    private ScenarioRun run;

    /** Run the scenario up to its time {@code millis} and check the mm invariants there. */
    SysFixture until(long millis) {
        kernel.advanceTo(run.jiffiesAt(millis));
        kernel.read(k -> {
            k.checkInvariants();
            return null;
        });
        return this;
    }

    /** A /sys file as root reads it. */
    String sys(String path) {
        return read(sys, path, Credentials.ROOT);
    }

    /** The cgroup tree's directory in /sys. */
    static final String CGROUP_ROOT = "/fs/cgroup";

    /** A file of /sys/fs/cgroup ({@code path} below it) as root reads it. */
    String cgroupFile(String path) {
        return sys(CGROUP_ROOT + path);
    }

    /** write(2) as root to a file of /sys/fs/cgroup: bytes written or a negative errno. */
    int writeCgroupFile(String path, String text) {
        return writeSys(CGROUP_ROOT + path, text, Credentials.ROOT);
    }

    /** A /proc file as root reads it. */
    String proc(String path) {
        return read(proc, path, Credentials.ROOT);
    }

    static String read(ProcFs fs, String path, Credentials who) {
        ProcEntry e = fs.lookup(path, who);
        if (!(e instanceof ProcFile f)) {
            fail(path + " is not a file of the tree: " + e);
            return null;
        }
        return new String(fs.render(f, who), StandardCharsets.UTF_8);
    }

    /** write(2) of {@code text} to a /sys file: bytes written or a negative errno. */
    int writeSys(String path, String text, Credentials who) {
        return write(sys, path, text, who);
    }

    /** write(2) of {@code text} to a file of {@code fs} after open(2)'s permission check: bytes or -errno. */
    static int write(ProcFs fs, String path, String text, Credentials who) {
        ProcEntry e = fs.lookup(path, who);
        assertTrue(e instanceof ProcFile, path + " is a file");
        int denied = ProcFs.permission(e, who, ProcFs.MAY_WRITE);
        if (denied != 0) {
            return denied;
        }
        return fs.write(path, (ProcFile) e, who, text.getBytes(StandardCharsets.ISO_8859_1), 0);
    }

    /** The names in a /sys directory, in listing order. */
    List<String> list(String path) {
        ProcEntry e = sys.lookup(path, Credentials.ROOT);
        assertTrue(e instanceof ProcDir, path + " is a directory");
        List<String> names = new ArrayList<>();
        for (ProcEntry c : sys.list((ProcDir) e, Credentials.ROOT)) {
            names.add(c.name());
        }
        return names;
    }

    /** Where a /sys link points. */
    String link(String path) {
        ProcEntry e = sys.lookup(path, Credentials.ROOT);
        assertTrue(e instanceof ProcLink, path + " is a link");
        return sys.readlink((ProcLink) e, Credentials.ROOT);
    }

    /** Where a /proc link points. */
    String procLink(String path) {
        ProcEntry e = proc.lookup(path, Credentials.ROOT);
        assertTrue(e instanceof ProcLink, path + " is a link");
        return proc.readlink((ProcLink) e, Credentials.ROOT);
    }

    /** The mode bits of a /sys entry. */
    int mode(String path) {
        ProcEntry e = sys.lookup(path, Credentials.ROOT);
        assertNotNull(e, path + " exists");
        return e.mode();
    }

    /** nodeN/meminfo: label (without the colon) → number (kB, or a count for HugePages_*). */
    static Map<String, Long> nodeMeminfo(int nid, String text) {
        Map<String, Long> out = new LinkedHashMap<>();
        String prefix = "Node " + nid + " ";
        for (String line : text.split("\n")) {
            assertTrue(line.startsWith(prefix), "a line of node " + nid + "'s meminfo: " + line);
            String[] f = line.substring(prefix.length()).trim().split("\\s+");
            String label = f[0].substring(0, f[0].length() - 1);
            assertTrue(out.put(label, Long.parseLong(f[1])) == null, "one " + label + " line");
        }
        return out;
    }

    /** "name value" lines (vmstat, numastat). */
    static Map<String, Long> pairs(String text) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.split(" ");
            assertTrue(f.length == 2, "a name and a value: " + line);
            out.put(f[0], Long.parseLong(f[1]));
        }
        return out;
    }
}
