package io.simproc.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cgroup hierarchy through a real mount, as a shell uses it: mkdir and rmdir in DIR-sys/fs/cgroup, a pid echoed
 * into cgroup.procs moves the process (its /proc/PID/cgroup follows), the kernel's errors as the tools print them.
 * Only the machine's own mount is written.
 */
class CgroupFsIT {
    private static MountedMachine machine;
    private static Path cgroup;

    @BeforeAll
    static void mount() throws Exception {
        machine = MountedMachine.start("--seed", "2");
        cgroup = machine.sysDir().resolve("fs/cgroup");
        assertTrue(Files.isRegularFile(cgroup.resolve("cgroup.procs")), "the machine's own hierarchy: " + cgroup);
    }

    @AfterAll
    static void unmount() throws Exception {
        if (machine != null) {
            machine.close();
        }
    }

    private static Exec.Result sh(String script) throws Exception {
        return Exec.bash(script, 20);
    }

    @Test
    void mkdirEchoPidCatAndRmdir() throws Exception {
        Path box = cgroup.resolve("it-box");
        sh("mkdir " + box).assertOk("mkdir");
        assertEquals("drwxr-xr-x", sh("stat -c %A " + box).assertOk("stat").out().trim());
        List<String> files = List.of(sh("ls " + box).assertOk("ls").out().split("\n"));
        assertTrue(files.containsAll(List.of("cgroup.procs", "cgroup.events", "cgroup.type", "memory.pressure")),
                files.toString());
        String pid = Files.readString(cgroup.resolve("system.slice/sshd.service/cgroup.procs")).split("\n")[0];
        Exec.Result junk = sh("echo abc > " + box.resolve("cgroup.procs"));
        assertEquals(1, junk.exit());
        assertTrue(junk.err().contains("Invalid argument"), junk.err());
        sh("echo " + pid + " > " + box.resolve("cgroup.procs")).assertOk("echo pid");
        assertEquals(pid + "\n", sh("cat " + box.resolve("cgroup.procs")).assertOk("cat").out());
        assertEquals("0::/it-box\n", machine.read(pid + "/cgroup"));
        assertEquals("populated 1\nfrozen 0\n", sh("cat " + box.resolve("cgroup.events")).assertOk("cat").out());
        Exec.Result busy = sh("rmdir " + box);
        assertEquals(1, busy.exit());
        assertTrue(busy.err().contains("Device or resource busy"), busy.err());
        sh("echo " + pid + " > " + cgroup.resolve("system.slice/sshd.service/cgroup.procs")).assertOk("back");
        assertEquals("0::/system.slice/sshd.service\n", machine.read(pid + "/cgroup"));
        sh("rmdir " + box).assertOk("rmdir");
        assertFalse(Files.exists(box));
    }

    @Test
    void simprocExecPutsTheCommandIntoACgroup() throws Exception {
        Path box = cgroup.resolve("it-exec");
        sh("mkdir " + box).assertOk("mkdir");
        Exec.Result r = Exec.run(List.of(MountedMachine.basedir().resolve("mount-scripts/simproc-exec").toString(),
                "--cgroup", "/it-exec", machine.dir().toString(), "--", "cat", "/proc/self/cgroup",
                "/sys/fs/cgroup/it-exec/cgroup.procs", "/proc/self/comm"), 120);
        r.assertOk("simproc-exec --cgroup");
        String[] lines = r.out().split("\n");
        assertEquals("0::/it-exec", lines[0], "the command is its stand-in process: " + r.out());
        assertEquals("cat", lines[2], r.out());
        assertTrue(lines[1].matches("\\d+") && !lines[1].equals("1"), "the stand-in's pid: " + r.out());
        assertTrue(sh("cat " + box.resolve("cgroup.procs")).assertOk("cat").out().isEmpty(),
                "its stand-in is gone with it");
        sh("rmdir " + box).assertOk("rmdir");
        Exec.Result missing = Exec.run(List.of(MountedMachine.basedir().resolve("mount-scripts/simproc-exec")
                .toString(), "--cgroup", "/nowhere", machine.dir().toString(), "--", "true"), 120);
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("No such file or directory"), missing.err());
    }

    @Test
    void theVfsAndKernelErrorsAsToolsPrintThem() throws Exception {
        Exec.Result exists = sh("mkdir " + cgroup.resolve("system.slice"));
        assertTrue(exists.err().contains("File exists"), exists.err());
        Exec.Result proc = sh("mkdir " + machine.dir().resolve("nosuchdir"));
        assertTrue(proc.err().contains("Function not implemented"), "as before the tree had mkdir: " + proc.err());
        Exec.Result user = Exec.run(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "mkdir", cgroup.resolve("mine").toString()), 10);
        assertTrue(user.err().contains("Permission denied"), user.err());
        Exec.Result depth = sh("echo -1 > " + cgroup.resolve("cgroup.max.depth"));
        assertTrue(depth.err().contains("Numerical result out of range"), depth.err());
        assertEquals("max\n", sh("cat " + cgroup.resolve("cgroup.max.depth")).assertOk("cat").out());
        Exec.Result sub = sh("echo +nosuch > " + cgroup.resolve("cgroup.subtree_control"));
        assertTrue(sub.err().contains("Invalid argument"), sub.err());
    }
}
