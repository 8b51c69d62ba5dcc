package io.simproc.control;

import io.simproc.kernel.Clock;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.Simulation;
import io.simproc.proc.ProcFile;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTree;
import io.simproc.proc.ProcTreeDigest;
import io.simproc.scenario.ScenarioEngine;
import io.simproc.sysctl.SysctlTable;
import io.simproc.sysfs.SysTree;
import io.simproc.uapi.Credentials;
import io.simproc.workload.Machines;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes to a mounted machine's /sys are inputs like writes to its /proc: journaled with their tree, saved as
 * {@code write-sys} lines, replayed into /sys on restore; and the checkpoint's digest covers /sys, so a restore that
 * would serve another /sys is refused.
 */
class SysCheckpointTest {
    private static final String PROFILE = "name: ckpt-sys\nmemory: 1G\ncpu: 2\nthp: madvise\n";
    private static final String DEFRAG = "/kernel/mm/transparent_hugepage/defrag";

    /** A daemon as the mount command builds it: both trees journaled, no FUSE, no simulation thread. */
    private static Daemon boot(MachineSource source, long seed) {
        Machines.Machine m = Machines.start(source.load(), seed);
        Kernel kernel = m.kernel();
        ProcFs fs = new ProcFs(kernel, ProcTree.create(SysctlTable.create()));
        ProcFs sys = new ProcFs(kernel, SysTree.create(kernel));
        Journal journal = new Journal(source);
        fs.setWriteObserver(journal);
        sys.setWriteObserver(journal.sys());
        return new Daemon(kernel, new Simulation(kernel, () -> 0L, 1),
                new ScenarioEngine(kernel, m.population(), fs, sys), journal);
    }

    private static int write(ProcFs fs, String path, String value) {
        ProcFile f = (ProcFile) fs.lookup(path, Credentials.ROOT);
        return fs.write(path, f, Credentials.ROOT, value.getBytes(StandardCharsets.UTF_8), 0);
    }

    private static Daemon lived() {
        Daemon d = boot(MachineSource.profile("ckpt.yaml", PROFILE), 3);
        d.kernel().advance(2 * Clock.HZ);
        assertTrue(write(d.scenarios().sysFs(), "/kernel/mm/transparent_hugepage/enabled", "always\n") > 0);
        d.kernel().advance(Clock.HZ);
        assertTrue(write(d.scenarios().procFs(), "/sys/vm/swappiness", "10\n") > 0);
        assertTrue(write(d.scenarios().sysFs(), DEFRAG, "never\n") > 0);
        d.kernel().advance(Clock.HZ);
        return d;
    }

    @Test
    void aHugetlbPoolResizedThroughBothTreesIsRestoredPageForPage() {
        Daemon original = boot(MachineSource.profile("ckpt.yaml", PROFILE), 3);
        original.kernel().advance(Clock.HZ);
        assertTrue(write(original.scenarios().procFs(), "/sys/vm/nr_hugepages", "40\n") > 0);
        original.kernel().advance(Clock.HZ);
        assertTrue(write(original.scenarios().sysFs(),
                "/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages", "25\n") > 0);
        original.kernel().advance(Clock.HZ);
        long pool = original.kernel().read(k -> k.mm().hugetlb().nrHugePages());
        assertTrue(pool > 0 && pool <= 25, "the pool the two writes left: " + pool);
        Checkpoint saved = Checkpoint.capture(original);
        Checkpoint read = Checkpoint.decode("c", saved.encode());
        Daemon restored = boot(read.machine(), read.seed());
        assertTrue(read.replay(restored), "the restored machine serves the same /proc and /sys");
        assertEquals(pool, (long) restored.kernel().read(k -> k.mm().hugetlb().nrHugePages()));
    }

    @Test
    void sysWritesAreJournaledSavedAndReplayed() {
        Daemon original = lived();
        Checkpoint saved = Checkpoint.capture(original);
        List<Journal.Tree> trees = saved.entries().stream().map(e -> ((Journal.Write) e).tree()).toList();
        assertEquals(List.of(Journal.Tree.SYS, Journal.Tree.PROC, Journal.Tree.SYS), trees);
        String text = saved.encode();
        assertEquals(2, text.lines().filter(l -> l.startsWith("write-sys ")).count(), text);
        Checkpoint read = Checkpoint.decode("c", text);
        assertEquals(text, read.encode());
        Daemon restored = boot(read.machine(), read.seed());
        assertTrue(read.replay(restored), "the restored machine serves the same /proc and /sys");
        assertEquals("always defer defer+madvise madvise [never]\n", new String(restored.scenarios().sysFs().render(
                (ProcFile) restored.scenarios().sysFs().lookup(DEFRAG, Credentials.ROOT), Credentials.ROOT),
                StandardCharsets.US_ASCII));
    }

    @Test
    void cgroupsMadeMovedIntoAndRemovedThroughSysAreJournaledAndReplayed() {
        Daemon original = boot(MachineSource.profile("ckpt.yaml", PROFILE), 3);
        ProcFs sys = original.scenarios().sysFs();
        original.kernel().advance(Clock.HZ);
        assertEquals(0, sys.mkdir("/fs/cgroup/kept", 0750, Credentials.ROOT, true));
        assertEquals(0, sys.mkdir("/fs/cgroup/gone", 0755, Credentials.ROOT, true));
        int pid = original.kernel().read(k -> k.cgroups().lookup("/system.slice").children().iterator().next()
                .procs().get(0));
        assertTrue(write(sys, "/fs/cgroup/kept/cgroup.procs", pid + "\n") > 0);
        original.kernel().advance(Clock.HZ);
        assertEquals(0, sys.rmdir("/fs/cgroup/gone", Credentials.ROOT, true));
        assertEquals(-io.simproc.uapi.Errno.EEXIST, sys.mkdir("/fs/cgroup/kept", 0755, Credentials.ROOT, true));
        original.kernel().advance(Clock.HZ);
        Checkpoint saved = Checkpoint.capture(original);
        String text = saved.encode();
        assertEquals(2, text.lines().filter(l -> l.startsWith("mkdir-sys ")).count(), text);
        assertEquals(1, text.lines().filter(l -> l.startsWith("rmdir-sys ")).count(), text);
        Checkpoint read = Checkpoint.decode("c", text);
        assertEquals(text, read.encode());
        Daemon restored = boot(read.machine(), read.seed());
        assertTrue(read.replay(restored), "the restored machine serves the same /proc and /sys");
        assertEquals("/kept", restored.kernel().read(k -> k.tasks().get(pid).cgroup().path()));
        assertEquals(0750, restored.scenarios().sysFs().lookup("/fs/cgroup/kept", Credentials.ROOT).mode());
    }

    @Test
    void theDigestCoversSys() {
        Daemon a = boot(MachineSource.profile("ckpt.yaml", PROFILE), 3);
        Daemon b = boot(MachineSource.profile("ckpt.yaml", PROFILE), 3);
        assertTrue(write(b.scenarios().sysFs(), DEFRAG, "defer\n") > 0);
        assertEquals(new ProcTreeDigest(a.scenarios().procFs()).digest(),
                new ProcTreeDigest(b.scenarios().procFs()).digest(), "defrag shows in /sys only");
        assertNotEquals(new ProcTreeDigest(a.scenarios().procFs(), a.scenarios().sysFs()).digest(),
                new ProcTreeDigest(b.scenarios().procFs(), b.scenarios().sysFs()).digest());

        Checkpoint saved = Checkpoint.capture(lived());
        List<Journal.Entry> withoutDefrag = new ArrayList<>(saved.entries());
        withoutDefrag.remove(2);
        Checkpoint edited = new Checkpoint(saved.seed(), saved.jiffies(), saved.bootEpoch(), false, saved.machine(),
                withoutDefrag, saved.digest());
        assertFalse(edited.replay(boot(saved.machine(), saved.seed())), "a /sys that differs is detected");
    }
}
