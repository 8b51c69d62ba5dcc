package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.mm.MmDebug;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.simproc.proc.ProcTestSupport.file;
import static io.simproc.proc.ProcTestSupport.lines;
import static io.simproc.proc.ProcTestSupport.read;
import static io.simproc.proc.ProcTestSupport.sample;
import static io.simproc.proc.ProcTestSupport.shared;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /proc/vmallocinfo: the 6.18 line format (the sample's lines and ours fit the same grammar, the size right-aligned
 * in 7 columns), root only, its pages adding up to VmallocUsed, a guarded 16 KiB stack per task adding up to
 * KernelStack, and stacks coming and going with tasks.
 */
class VmallocinfoTest {
    static final Pattern LINE = Pattern.compile("0x([0-9a-f]{16})-0x([0-9a-f]{16}) ( *\\d+)"
            + "( [A-Za-z_][A-Za-z0-9_.]*\\+0x[0-9a-f]+/0x[0-9a-f]+)?( pages=(\\d+))?( phys=0x[0-9a-f]{16})?"
            + "( ioremap)?( sparse)?( vmalloc)?( vmap)?( user)?( dma-coherent)?( vpages)?((?: N\\d+=\\d+)*)");

    @Test
    void sampleLinesAndOursFitTheSameGrammar() {
        List<String> all = new ArrayList<>(lines("sample", sample("vmallocinfo_head30.txt")));
        List<String> ours = lines("vmallocinfo", read(shared(), "/vmallocinfo"));
        assertTrue(ours.size() > 50, "a booted machine has many vmap areas: " + ours.size());
        all.addAll(ours);
        for (String line : all) {
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches(), line);
            assertEquals(7, m.group(3).length(), "%7ld: " + line);
        }
        for (String line : ours) {
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches());
            long start = Long.parseUnsignedLong(m.group(1), 16);
            long end = Long.parseUnsignedLong(m.group(2), 16);
            assertEquals(end - start, Long.parseLong(m.group(3).trim()), line);
            if (m.group(6) != null) {
                assertEquals((Long.parseLong(m.group(6)) + 1) * 4096, end - start, "guard page: " + line);
                assertTrue(m.group(10) != null && m.group(15).matches(" N0=\\d+"), line);
            }
        }
    }

    @Test
    void rootOnly() {
        ProcFile f = file(shared(), "/vmallocinfo");
        assertEquals(0400, f.mode());
        assertEquals(-Errno.EACCES, ProcFs.permission(f, ProcTestSupport.USER, ProcFs.MAY_READ));
        assertEquals(0, ProcFs.permission(f, Credentials.ROOT, ProcFs.MAY_READ));
    }

    @Test
    void pagesAddUpToVmallocUsedAndStacksToKernelStack() {
        ProcFs fs = shared();
        long pages = 0;
        long stacks = 0;
        for (String line : lines("vmallocinfo", read(fs, "/vmallocinfo"))) {
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches());
            if (m.group(6) != null) {
                pages += Long.parseLong(m.group(6));
            }
            if (line.contains(" kernel_clone+0x94/0x3e0 pages=4 vmalloc")) {
                stacks++;
            }
        }
        String meminfo = read(fs, "/meminfo");
        assertEquals(pages * 4, kb(meminfo, "VmallocUsed"));
        long tasks = fs.kernel().read(k -> k.tasks().all().stream().filter(t -> t.state() != Task.State.ZOMBIE)
                .count());
        assertEquals(tasks * 16, kb(meminfo, "KernelStack"));
        assertTrue(stacks >= tasks, stacks + " stack areas (some cached per CPU) for " + tasks + " tasks");
        assertTrue(kb(meminfo, "Percpu") >= 64L * 4 * fs.kernel().profile().nrCpus(),
                "at least the first chunk's 64 pages per CPU");
        assertEquals(kb(meminfo, "KernelStack"), kbVmstat(read(fs, "/vmstat"), "nr_kernel_stack"));
    }

    private static long kb(String meminfo, String key) {
        for (String l : meminfo.split("\n")) {
            if (l.startsWith(key + ":")) {
                return Long.parseLong(l.substring(key.length() + 1).trim().split(" ")[0]);
            }
        }
        throw new AssertionError(key);
    }

    private static long kbVmstat(String vmstat, String key) {
        for (String l : vmstat.split("\n")) {
            if (l.startsWith(key + " ")) {
                return Long.parseLong(l.substring(key.length() + 1));
            }
        }
        throw new AssertionError(key);
    }

    @Test
    void aZombieHasNoStackButKeepsItsTaskStructUntilReaped() {
        Kernel k = Kernel.boot(MachineProfileLoader.parse("t", "memory: 1G\n"), 5);
        long stackKb = k.read(kk -> kk.mm().vmstat().globalNodeState(io.simproc.mm.NodeStatItem.NR_KERNEL_STACK_KB));
        long taskStructs = k.read(kk -> kk.mm().slab().cache("task_struct").liveObjects());
        Task child = k.mutate(() -> {
            Task parent = k.processes().fork(k.tasks().get(2));
            Task c = k.processes().fork(parent);
            k.processes().exit(c, 0);
            return c;
        });
        assertEquals(Task.State.ZOMBIE, child.state());
        assertEquals(stackKb + 16, (long) k.read(kk -> kk.mm().vmstat().globalNodeState(
                io.simproc.mm.NodeStatItem.NR_KERNEL_STACK_KB)), "only the parent's stack");
        assertEquals(taskStructs + 2, (long) k.read(kk -> kk.mm().slab().cache("task_struct").liveObjects()));
        k.mutate(() -> {
            k.processes().reap(child);
            return null;
        });
        assertEquals(taskStructs + 1, (long) k.read(kk -> kk.mm().slab().cache("task_struct").liveObjects()));
        assertEquals(List.of(), k.read(kk -> MmDebug.violations(kk.mm())));
    }

    @Test
    void stacksFollowTasks() {
        Kernel k = Kernel.boot(MachineProfileLoader.parse("t", "memory: 1G\n"), 3);
        long stackKb = k.read(kk -> kk.mm().vmstat().globalNodeState(io.simproc.mm.NodeStatItem.NR_KERNEL_STACK_KB));
        long vmallocPages = k.read(kk -> kk.mm().vmalloc().nrVmallocPages());
        List<Task> spawned = new ArrayList<>();
        k.mutate(() -> {
            for (int i = 0; i < 300; i++) {
                spawned.add(k.processes().fork(k.tasks().get(2)));
            }
            return null;
        });
        assertEquals(stackKb + 300 * 16, (long) k.read(kk -> kk.mm().vmstat().globalNodeState(
                io.simproc.mm.NodeStatItem.NR_KERNEL_STACK_KB)));
        assertTrue(k.read(kk -> kk.mm().vmalloc().nrVmallocPages()) >= vmallocPages + 300 * 4 - 2L * 4 * 4,
                "each new stack is 4 vmalloc pages (a few come from the per-CPU stack caches)");
        k.mutate(() -> {
            for (Task t : spawned) {
                k.processes().exit(t, 0);
            }
            return null;
        });
        k.read(kk -> {
            assertEquals(stackKb, kk.mm().vmstat().globalNodeState(io.simproc.mm.NodeStatItem.NR_KERNEL_STACK_KB));
            assertTrue(kk.mm().vmalloc().nrVmallocPages() <= vmallocPages + 4L * 2 * kk.mm().nrCpus(),
                    "freed stacks are vfree'd beyond NR_CACHED_STACKS per CPU");
            assertTrue(MmDebug.violations(kk.mm()).isEmpty(), MmDebug.violations(kk.mm()).toString());
            return null;
        });
    }
}
