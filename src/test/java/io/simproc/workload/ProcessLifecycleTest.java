package io.simproc.workload;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.mm.MmDebug;
import io.simproc.mm.NodeStatItem;
import io.simproc.mm.Prot;
import io.simproc.mm.VmEvent;
import io.simproc.mm.ZoneStatItem;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Copy-on-write after fork, the zero page, exit giving every page back, segfaults. */
class ProcessLifecycleTest {
    private final Program bash = ProgramCatalog.embedded().program("bash");

    private Kernel machine() {
        Kernel k = Kernel.boot(MachineProfileLoader.parse("t", "memory: 512M\n"), 1);
        k.setDebugChecks(true);
        return k;
    }

    private Task spawn(Kernel k) {
        Task t = k.processes().fork(k.tasks().get(2));
        assertEquals(0, k.syscalls().execve(t, bash.exe(), bash.interp(), bash.libs(), List.of("bash")));
        return t;
    }

    @Test
    void afterForkOnlyThePagesTheChildWritesAreCopied() {
        Kernel k = machine();
        k.mutate(() -> {
            Task parent = spawn(k);
            long buf = k.syscalls().mmap(parent, 0, 256 << 12, Prot.READ | Prot.WRITE,
                    Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0);
            assertEquals(0, k.syscalls().touch(parent, buf, 256 << 12, true));
            long anonBefore = k.mm().vmstat().globalNodeState(NodeStatItem.NR_ANON_MAPPED);
            Task child = k.processes().fork(parent);
            assertEquals(anonBefore, k.mm().vmstat().globalNodeState(NodeStatItem.NR_ANON_MAPPED), "fork copies nothing");
            long reuse = k.mm().vmstat().event(VmEvent.PGREUSE);
            long minflt = child.minflt();
            assertEquals(0, k.syscalls().touch(child, buf + (10 << 12), 17 << 12, true));
            assertEquals(anonBefore + 17, k.mm().vmstat().globalNodeState(NodeStatItem.NR_ANON_MAPPED), "17 pages copied");
            assertEquals(minflt + 17, child.minflt(), "one write-protect fault per page");
            assertEquals(0, k.syscalls().touch(parent, buf + (10 << 12), 17 << 12, true));
            assertEquals(reuse + 17, k.mm().vmstat().event(VmEvent.PGREUSE),
                    "the parent's copies are now its own: written in place (do_wp_page reuse)");
            assertEquals(anonBefore + 17, k.mm().vmstat().globalNodeState(NodeStatItem.NR_ANON_MAPPED));
            assertEquals(0, k.syscalls().touch(child, buf, 4096, false));
            assertEquals(anonBefore + 17, k.mm().vmstat().globalNodeState(NodeStatItem.NR_ANON_MAPPED), "reads copy nothing");
            return null;
        });
    }

    @Test
    void readsOfUntouchedMemoryMapTheZeroPage() {
        Kernel k = machine();
        k.mutate(() -> {
            Task t = spawn(k);
            long buf = k.syscalls().mmap(t, 0, 64 << 12, Prot.READ | Prot.WRITE,
                    Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0);
            long free = k.mm().vmstat().globalZoneState(ZoneStatItem.NR_FREE_PAGES);
            long rss = t.mm().rssPages();
            assertEquals(0, k.syscalls().touch(t, buf, 64 << 12, false));
            assertEquals(rss, t.mm().rssPages(), "the zero page is not RSS");
            assertTrue(k.mm().vmstat().globalZoneState(ZoneStatItem.NR_FREE_PAGES) >= free - 2, "only page tables");
            assertEquals(0, k.syscalls().touch(t, buf, 64 << 12, true));
            assertEquals(rss + 64, t.mm().rssPages(), "writes replace the zero page with real pages");
            return null;
        });
    }

    @Test
    void exitReturnsEveryPage() {
        Kernel k = machine();
        long freeBefore = k.read(kk -> kk.mm().vmstat().globalZoneState(ZoneStatItem.NR_FREE_PAGES)
                + pcpPages(kk) + kk.mm().vmstat().globalNodeState(NodeStatItem.NR_FILE_PAGES) + kernelPages(kk));
        k.mutate(() -> {
            Task t = spawn(k);
            GlibcMalloc m = new GlibcMalloc(k, t);
            for (int i = 0; i < 500; i++) {
                long p = m.malloc(3000);
                k.syscalls().touch(t, p, 3000, true);
            }
            long big = m.malloc(8 << 20);
            k.syscalls().touch(t, big, 8 << 20, true);
            Task child = k.processes().fork(t);
            k.syscalls().touch(child, big, 1 << 20, true);
            k.processes().exit(child, 0);
            k.processes().exit(t, 0);
            return null;
        });
        k.read(kk -> {
            assertEquals(freeBefore, kk.mm().vmstat().globalZoneState(ZoneStatItem.NR_FREE_PAGES) + pcpPages(kk)
                    + kk.mm().vmstat().globalNodeState(NodeStatItem.NR_FILE_PAGES) + kernelPages(kk),
                    "every page back: free, on a per-cpu list, still cached (the program's files stay in the"
                            + " page cache, as on Linux) or held by the kernel's allocators (the files' dentries and"
                            + " inodes stay, SLUB keeps partial slabs, freed kernel stacks are cached per CPU, percpu"
                            + " chunks stay populated)");
            assertTrue(kk.mm().vmstat().globalNodeState(NodeStatItem.NR_FILE_PAGES) > 0);
            assertEquals(0, kk.mm().vmstat().globalNodeState(NodeStatItem.NR_ANON_MAPPED));
            assertEquals(0, kk.mm().vmstat().globalNodeState(NodeStatItem.NR_PAGETABLE));
            assertEquals(0, kk.mm().overcommit().committedAsPages());
            assertTrue(MmDebug.violations(kk.mm()).isEmpty());
            return null;
        });
    }

    /** Pages the kernel's own allocators hold: slab, vmalloc (kernel stacks) and percpu chunks. */
    private static long kernelPages(Kernel k) {
        return k.mm().vmstat().ownerPages(io.simproc.mm.PageOwner.SLAB) + k.mm().vmstat().ownerPages(io.simproc.mm.PageOwner.VMALLOC)
                + k.mm().vmstat().ownerPages(io.simproc.mm.PageOwner.PERCPU);
    }

    private static long pcpPages(Kernel k) {
        long n = 0;
        for (var z : k.mm().zones()) {
            for (int c = 0; c < z.nrCpus(); c++) {
                n += z.pcp(c).count();
            }
        }
        return n;
    }

    @Test
    void aTouchOutsideAnyMappingKillsWithSigsegvAndIsLogged() {
        Kernel k = machine();
        k.mutate(() -> {
            Task t = spawn(k);
            assertEquals(-14, k.syscalls().touch(t, 0x1000, 8, true));
            assertTrue(t.state() == Task.State.ZOMBIE || t.state() == Task.State.DEAD);
            String line = k.log().records().get(k.log().records().size() - 1).text();
            assertTrue(line.matches("bash\\[\\d+\\]: segfault at 1000 ip [0-9a-f]{16} sp [0-9a-f]{16} error 6"
                    + " in bash\\[[0-9a-f]+\\+[0-9a-f]+\\] likely on CPU \\d+ \\(core \\d+, socket \\d+\\)"), line);
            return null;
        });
    }
}
