package io.simproc.proc;

import io.simproc.kernel.Task;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.simproc.proc.ProcTestSupport.USER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pid directories in the tree (fs/proc/base.c, fs/proc/root.c): what the root lists and in which order, what
 * it resolves, the entries and modes of /proc/PID and /proc/PID/task/TID, self and thread-self, and what happens
 * to a pid that dies.
 */
class PidTreeTest {
    private static List<String> names(ProcFs fs, String dir, Credentials who) {
        List<String> out = new ArrayList<>();
        for (ProcEntry e : fs.list((ProcDir) fs.lookup(dir, who), who)) {
            out.add(e.name());
        }
        return out;
    }

    /** ls -f /proc: the fixed entries (shorter names first), then self, thread-self, then the processes. */
    @Test
    void theRootListsFixedEntriesThenSelfThenProcessesInPidOrder() {
        PidFixture f = new PidFixture();
        Task p = f.spawn(List.of("bash"));
        Task thread = f.kernel.mutate(() -> f.kernel.processes().newThread(p));
        List<String> names = names(f.fs, "/", Credentials.ROOT);
        int self = names.indexOf("self");
        assertEquals("thread-self", names.get(self + 1));
        List<String> fixed = names.subList(0, self);
        for (int i = 1; i < fixed.size(); i++) {
            String a = fixed.get(i - 1);
            String b = fixed.get(i);
            assertTrue(a.length() < b.length() || a.length() == b.length() && a.compareTo(b) < 0,
                    "fixed entries in procfs name-tree order: " + fixed);
            assertTrue(ProcBase.nameToInt(b) < 0);
        }
        List<Integer> pids = names.subList(self + 2, names.size()).stream().map(Integer::parseInt).toList();
        List<Integer> leaders = f.kernel.read(k -> k.tasks().all().stream().filter(Task::isLeader).map(Task::pid)
                .toList());
        assertEquals(leaders, pids);
        assertTrue(pids.contains(p.pid()));
        assertTrue(!pids.contains(thread.pid()), "threads are not listed");
    }

    @Test
    void aThreadIdResolvesAsADirectoryShowingThatThread() {
        PidFixture f = new PidFixture();
        Task p = f.spawn(List.of("bash"));
        Task thread = f.kernel.mutate(() -> f.kernel.processes().newThread(p));
        String status = f.read("/" + thread.pid() + "/status");
        assertTrue(status.contains("\nTgid:\t" + p.pid() + "\n"), status);
        assertTrue(status.contains("\nPid:\t" + thread.pid() + "\n"), status);
        assertTrue(status.contains("\nThreads:\t2\n"), status);
        assertEquals(List.of(Integer.toString(p.pid()), Integer.toString(thread.pid())),
                names(f.fs, "/" + p.pid() + "/task", Credentials.ROOT));
        String threadStat = f.read("/" + p.pid() + "/task/" + thread.pid() + "/stat");
        assertEquals("-1", PidFilesFormatTest.statFields(threadStat).get(37), "a thread's exit_signal");
        assertNull(f.fs.lookup("/" + p.pid() + "/task/2", Credentials.ROOT), "kthreadd is not a thread of bash");
        assertNull(f.fs.lookup("/0" + p.pid(), Credentials.ROOT), "no leading zeros");
        assertNull(f.fs.lookup("/99999", Credentials.ROOT));
        assertNull(f.fs.lookup("/+2", Credentials.ROOT));
    }

    @Test
    void pidDirectoriesHaveTheKernelsEntriesModesAndOwner() {
        PidFixture f = new PidFixture();
        Task p = f.spawn(List.of("bash"));
        f.kernel.mutate(() -> f.kernel.syscalls().setuid(p, 1000, 1000));
        String dir = "/" + p.pid();
        ProcDir d = (ProcDir) f.fs.lookup(dir, Credentials.ROOT);
        assertEquals(0555, d.mode());
        assertEquals(1000, d.uid(), "top reads USER from the owner of /proc/PID");
        assertEquals(1000, d.gid());
        assertEquals(List.of("task", "fd", "ns", "net", "environ", "status", "limits", "comm", "cmdline", "stat",
                "statm", "maps", "numa_maps", "exe", "mounts", "mountinfo", "smaps", "smaps_rollup", "schedstat",
                "cgroup", "oom_score", "oom_adj", "oom_score_adj", "io", "ksm_merging_pages", "ksm_stat"),
                names(f.fs, dir, Credentials.ROOT));
        assertEquals(List.of("fd", "ns", "net", "environ", "status", "limits", "comm", "cmdline", "stat", "statm",
                "maps", "children", "numa_maps", "exe", "mounts", "mountinfo", "smaps", "smaps_rollup", "schedstat",
                "cgroup", "oom_score", "oom_adj", "oom_score_adj", "io", "ksm_merging_pages", "ksm_stat"),
                names(f.fs, dir + "/task/" + p.pid(), Credentials.ROOT));
        for (ProcEntry e : f.fs.list(d, Credentials.ROOT)) {
            int expected = switch (e.name()) {
                case "environ", "io", "ksm_merging_pages", "ksm_stat" -> 0400;
                case "comm", "oom_adj", "oom_score_adj" -> 0644;
                case "task", "net" -> 0555;
                case "fd" -> 0500;
                case "ns" -> 0511;
                case "exe" -> 0777;
                default -> 0444;
            };
            assertEquals(expected, e.mode(), e.name());
            assertEquals(1000, e.uid(), e.name());
        }
        assertTrue(f.read(dir + "/status").contains("\nUid:\t1000\t1000\t1000\t1000\n"));
        assertTrue(f.read(dir + "/status").contains("\nCapEff:\t0000000000000000\n"));
    }

    @Test
    void exeLinksToTheProgramAndIsEmptyForKernelThreads() {
        PidFixture f = new PidFixture();
        Task p = f.spawn(List.of("bash"));
        ProcLink exe = assertInstanceOf(ProcLink.class, f.fs.lookup("/" + p.pid() + "/exe", Credentials.ROOT));
        assertEquals("/usr/bin/bash", f.fs.readlink(exe, Credentials.ROOT));
        ProcLink kexe = assertInstanceOf(ProcLink.class, f.fs.lookup("/2/exe", Credentials.ROOT));
        assertNull(f.fs.readlink(kexe, Credentials.ROOT), "readlink /proc/2/exe: ENOENT");
    }

    @Test
    void mapsOfAnotherUsersProcessIsRefusedButAKernelThreadsIsEmpty() {
        PidFixture f = new PidFixture();
        Task p = f.spawn(List.of("bash"));
        for (String file : List.of("maps", "smaps", "smaps_rollup")) {
            ProcException e = assertThrows(ProcException.class, () -> f.read("/" + p.pid() + "/" + file, USER));
            assertEquals(Errno.EACCES, e.errno(), file);
        }
        assertEquals("", f.read("/2/maps", USER));
        assertEquals("", f.read("/2/smaps", USER));
        ProcException rollup = assertThrows(ProcException.class, () -> f.read("/2/smaps_rollup"));
        assertEquals(Errno.ESRCH, rollup.errno(), "cat /proc/2/smaps_rollup: No such process");
        assertTrue(f.read("/" + p.pid() + "/status", USER).startsWith("Name:\tbash\n"), "status is for everyone");
    }

    @Test
    void aPidThatDiesIsGoneForLookupsAndItsFilesReadAsEsrch() {
        PidFixture f = new PidFixture();
        Task p = f.spawn(List.of("bash"));
        String dir = "/" + p.pid();
        ProcFile status = ProcTestSupport.file(f.fs, dir + "/status");
        byte[] before = f.fs.render(status, Credentials.ROOT);
        f.kernel.mutate(() -> {
            f.kernel.syscalls().exit(p, 0);
            return null;
        });
        assertNull(f.fs.lookup(dir, Credentials.ROOT), "reaped by its parent at once");
        assertNull(f.fs.lookup(dir + "/status", Credentials.ROOT));
        assertTrue(!names(f.fs, "/", Credentials.ROOT).contains(Integer.toString(p.pid())));
        ProcException e = assertThrows(ProcException.class, () -> f.fs.render(status, Credentials.ROOT));
        assertEquals(Errno.ESRCH, e.errno());
        assertTrue(before.length > 0);
    }

    /** A zombie keeps its directory; without an address space it shows no memory block and empty maps. */
    @Test
    void aZombieShowsStateZAndNoMemory() {
        PidFixture f = new PidFixture();
        Task p = f.spawn(List.of("bash"));
        Task child = f.kernel.mutate(() -> {
            Task c = f.kernel.syscalls().fork(p);
            f.kernel.syscalls().exit(c, 3);
            return c;
        });
        String dir = "/" + child.pid();
        String status = f.read(dir + "/status");
        assertTrue(status.contains("\nState:\tZ (zombie)\n"), status);
        assertTrue(!status.contains("VmRSS"), status);
        assertEquals("", f.read(dir + "/cmdline"));
        assertEquals("", f.read(dir + "/maps"));
        assertEquals("0 0 0 0 0 0 0\n", f.read(dir + "/statm"));
        List<String> stat = PidFilesFormatTest.statFields(f.read(dir + "/stat"));
        assertEquals("Z", stat.get(2));
        assertEquals(Integer.toString(3 << 8), stat.get(51), "exit_code: the wait status");
        assertEquals("0", f.read(dir + "/oom_score").trim());
        assertEquals(child.pid() + " ", f.read("/" + p.pid() + "/task/" + p.pid() + "/children"));
    }

    @Test
    void aPidReusedByAnotherProcessDoesNotShowItThroughAnOldEntry() {
        PidFixture f = new PidFixture();
        Task p = f.spawn(List.of("bash"));
        ProcFile old = ProcTestSupport.file(f.fs, "/" + p.pid() + "/comm");
        f.kernel.mutate(() -> {
            f.kernel.syscalls().exit(p, 0);
            return null;
        });
        assertThrows(ProcException.class, () -> f.fs.render(old, Credentials.ROOT));
    }

    /** /proc/self: the reader's own pid in its namespace when it is a simulated task, else init, else the lowest. */
    @Test
    void selfPointsAtTheReadersSimulatedProcessOrTheLowestPid() {
        PidFixture f = new PidFixture();
        Task p = f.spawn(List.of("bash"));
        Task thread = f.kernel.mutate(() -> f.kernel.processes().newThread(p));
        ProcLink self = (ProcLink) f.fs.lookup("/self", Credentials.ROOT);
        ProcLink threadSelf = (ProcLink) f.fs.lookup("/thread-self", Credentials.ROOT);
        assertEquals("1", f.fs.readlink(self, Credentials.ROOT), "a host reader: init");
        assertEquals("1/task/1", f.fs.readlink(threadSelf, Credentials.ROOT));
        Credentials inside = new Credentials(0, 0, 77777).withNsPid(p.pid());
        assertEquals(Integer.toString(p.pid()), f.fs.readlink(self, inside));
        Credentials asThread = new Credentials(0, 0, 77778).withNsPid(thread.pid());
        assertEquals(Integer.toString(p.pid()), f.fs.readlink(self, asThread));
        assertEquals(p.pid() + "/task/" + thread.pid(), f.fs.readlink(threadSelf, asThread));
        Credentials unknown = new Credentials(0, 0, 77779).withNsPid(31000);
        assertEquals("1", f.fs.readlink(self, unknown));
        Credentials likeAKernelThread = new Credentials(0, 0, 77780).withNsPid(3);
        assertEquals("1", f.fs.readlink(self, likeAKernelThread), "a reader is never taken for a kernel thread");
    }

    /** Tools open /proc/self/stat: the link is followed inside a path. */
    @Test
    void selfAndThreadSelfResolveAsPathPrefixes() {
        PidFixture f = new PidFixture();
        Task p = f.spawn(List.of("bash"));
        Credentials inside = new Credentials(0, 0, 77777).withNsPid(p.pid());
        assertEquals(f.read("/" + p.pid() + "/stat", inside), f.read("/self/stat", inside));
        assertTrue(f.read("/self/status", inside).startsWith("Name:\tbash\n"));
        assertTrue(f.read("/thread-self/status", inside).contains("\nPid:\t" + p.pid() + "\n"));
        assertTrue(f.read("/self/status").startsWith("Name:\tswapper/0\n"), "init before it execs a program");
        ProcEntry dir = f.fs.lookup("/self/", inside);
        assertInstanceOf(ProcDir.class, dir);
        assertEquals(Integer.toString(p.pid()), dir.name());
        assertInstanceOf(ProcLink.class, f.fs.lookup("/self", inside), "the link itself, as lstat sees it");
        assertNotNull(f.fs.lookup("/self/task/" + p.pid() + "/../" + p.pid() + "/comm", inside));
        assertNull(f.fs.lookup("/self/exe/x", inside), "exe leads out of /proc");
    }
}
