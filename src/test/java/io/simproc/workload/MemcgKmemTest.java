package io.simproc.workload;

import io.simproc.kernel.Cgroup;
import io.simproc.kernel.Clock;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.mm.Gfp;
import io.simproc.mm.MemCgroup;
import io.simproc.mm.MemcgStat;
import io.simproc.mm.Prot;
import io.simproc.uapi.Page;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kernel memory charged to memory cgroups (mm.MemcgKmem): a fork inside a group charges the child's task objects,
 * kernel stack, address space and page tables to it and the reaping gives them back; an object freed after its task
 * moved uncharges the group it was charged to; a removed group's objects are reparented; memory.stat's keys are
 * 6.18's. The machine's invariant checks (MemcgDebug) run after every step.
 */
class MemcgKmemTest {
    private static final String KEYS = "/kernel-6.18/memory.stat-keys.txt";
    private final Program bash = ProgramCatalog.embedded().program("bash");

    private static Kernel machine() {
        Kernel k = Kernel.boot(MachineProfileLoader.parse("t", "memory: 1G\n"), 1);
        k.setDebugChecks(true);
        k.advance(Clock.HZ);
        return k;
    }

    private static Cgroup mkdir(Kernel k, String path) {
        return k.mutate(() -> CgroupFixture.mkdir(k, path));
    }

    /** mmap(2) of {@code len} bytes of private anonymous memory, not touched (a VMA, no page). */
    private static long mapAnon(Kernel k, Task t, long len) {
        return k.mutate(() -> k.syscalls().mmap(t, 0, len, Prot.READ, Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null,
                0));
    }

    private static MemCgroup memcg(Kernel k, String path) {
        return k.read(kk -> kk.mm().memcontrol().all().stream()
                .filter(m -> m.path().equals(path) && m.isOnline()).findFirst().orElseThrow());
    }

    /** A bash process moved into {@code cgroup}. */
    private Task spawnIn(Kernel k, Cgroup cgroup) {
        return k.mutate(() -> {
            Task t = k.processes().fork(k.tasks().get(2));
            assertEquals(0, k.syscalls().execve(t, bash.exe(), bash.interp(), bash.libs(), List.of("bash")));
            assertEquals(0, k.processes().setCgroup(t, cgroup));
            return t;
        });
    }

    private static Map<String, Long> stat(Kernel k, MemCgroup m) {
        return k.read(kk -> {
            Map<String, Long> out = new LinkedHashMap<>();
            for (String line : MemcgStat.format(m)) {
                int sp = line.indexOf(' ');
                out.put(line.substring(0, sp), Long.parseLong(line.substring(sp + 1)));
            }
            return out;
        });
    }

    /**
     * memory.current once every CPU's charge stock is drained (drain_all_stock(), as a limit write does first), so
     * that it is exactly the group's charged pages: anon + file + kernel.
     */
    private static long current(Kernel k, MemCgroup m) {
        k.mutate(() -> {
            k.mm().memcontrol().charging().drainAllStock(k.mm().memcontrol().root());
            return null;
        });
        return k.read(kk -> m.memory().usage()) * Page.PAGE_SIZE;
    }

    @Test
    void aForkInsideAGroupChargesTheChildsKernelMemoryAndTheReapingGivesItBack() {
        Kernel k = machine();
        Cgroup demo = mkdir(k, "/demo");
        Task t = spawnIn(k, demo);
        MemCgroup m = memcg(k, "/demo");
        Map<String, Long> before = stat(k, m);
        Task child = k.mutate(() -> k.processes().fork(t));
        assertNotNull(child);
        Map<String, Long> forked = stat(k, m);
        assertEquals(before.get("kernel_stack") + 16384, forked.get("kernel_stack"), "THREAD_SIZE of stack");
        assertTrue(forked.get("pagetables") > before.get("pagetables"), "the child's page tables");
        assertEquals(before.get("percpu") + 16L * k.mm().nrCpus() + 32, forked.get("percpu"),
                "pcpu_obj_full_size() of the mm's rss_stat counters");
        assertTrue(forked.get("slab_unreclaimable") >= before.get("slab_unreclaimable") + 10048 + 1344,
                "task_struct, mm_struct and the rest");
        assertTrue(forked.get("kernel") > before.get("kernel"));
        assertEquals(current(k, m), forked.get("anon") + forked.get("file") + forked.get("kernel"),
                "memory.current = anon + file + kernel");
        k.mutate(() -> {
            k.processes().exit(child, 0);
            k.processes().reap(child);
            return null;
        });
        Map<String, Long> after = stat(k, m);
        for (String key : List.of("kernel_stack", "pagetables", "percpu", "slab_reclaimable", "slab_unreclaimable",
                "slab")) {
            assertEquals(before.get(key), after.get(key), key + " back where it was");
        }
        assertTrue(Math.abs(after.get("kernel") - before.get("kernel")) <= Page.PAGE_SIZE,
                "kernel back to within the pre-charged page");
    }

    @Test
    void anObjectFreedAfterItsTaskMovedUnchargesTheGroupItWasChargedTo() {
        Kernel k = machine();
        Cgroup a = mkdir(k, "/a");
        Cgroup b = mkdir(k, "/b");
        Task t = spawnIn(k, a);
        MemCgroup ma = memcg(k, "/a");
        MemCgroup mb = memcg(k, "/b");
        Map<String, Long> aBefore = stat(k, ma);
        long len = 64L * Page.PAGE_SIZE;
        long addr = mapAnon(k, t, len);
        long vma = stat(k, ma).get("slab_unreclaimable") - aBefore.get("slab_unreclaimable");
        assertEquals(176 + 8, vma, "one vm_area_struct with its objcg pointer (obj_full_size)");
        k.mutate(() -> k.processes().setCgroup(t, b));
        Map<String, Long> bBefore = stat(k, mb);
        k.mutate(() -> k.syscalls().munmap(t, addr, len));
        assertEquals(aBefore.get("slab_unreclaimable"), stat(k, ma).get("slab_unreclaimable"),
                "the VMA uncharged the group it was charged to");
        assertEquals(bBefore.get("slab_unreclaimable"), stat(k, mb).get("slab_unreclaimable"));
    }

    @Test
    void aRemovedGroupsObjectsAreReparentedAndUnchargeTheParent() {
        Kernel k = machine();
        mkdir(k, "/p");
        Cgroup c = mkdir(k, "/p/c");
        Task t = spawnIn(k, c);
        long len = 64L * Page.PAGE_SIZE;
        long addr = mapAnon(k, t, len);
        MemCgroup mp = memcg(k, "/p");
        MemCgroup mc = memcg(k, "/p/c");
        Map<String, Long> pWithChild = stat(k, mp);
        long pCurrent = current(k, mp);
        k.mutate(() -> {
            assertEquals(0, k.processes().setCgroup(t, k.cgroups().root()));
            assertEquals(0, k.cgroups().rmdir(c));
            return null;
        });
        boolean stillThere = k.read(kk -> kk.mm().memcontrol().all().contains(mc));
        assertFalse(stillThere,
                "the removed group had only kernel memory: it is freed, its objcg reparented");
        assertEquals(pWithChild.get("slab_unreclaimable"), stat(k, mp).get("slab_unreclaimable"),
                "the parent shows the same slab");
        assertEquals(pCurrent, current(k, mp), "and the same memory.current");
        assertTrue(stat(k, mp).get("kernel") > 0);
        k.mutate(() -> k.syscalls().munmap(t, addr, len));
        assertEquals(pWithChild.get("slab_unreclaimable") - (176 + 8), stat(k, mp).get("slab_unreclaimable"),
                "the VMA freed later uncharges the parent");
        assertEquals(current(k, mp), stat(k, mp).get("anon") + stat(k, mp).get("file") + stat(k, mp).get("kernel"));
    }

    @Test
    void kmallocIsChargedOnlyWithGfpAccountAndALargeOneByTheWholePage() {
        Kernel k = machine();
        mkdir(k, "/demo");
        MemCgroup m = memcg(k, "/demo");
        Map<String, Long> before = stat(k, m);
        long[] objs = k.mutate(() -> {
            MemCgroup old = k.mm().memcontrol().kmem().setActiveMemcg(m);
            try {
                int account = Gfp.GFP_KERNEL | Gfp.__GFP_ACCOUNT;
                return new long[] {k.mm().slab().kmalloc(100, Gfp.GFP_KERNEL, 0),
                    k.mm().slab().kmalloc(100, account, 0), k.mm().slab().kmalloc(16384, account, 0)};
            } finally {
                k.mm().memcontrol().kmem().setActiveMemcg(old);
            }
        });
        Map<String, Long> charged = stat(k, m);
        assertEquals(before.get("slab_unreclaimable") + 128 + 8 + 16384, charged.get("slab_unreclaimable"),
                "kmalloc-cg-128's object with its objcg pointer, and four whole pages; not the plain kmalloc");
        assertEquals(before.get("kernel") + 5L * Page.PAGE_SIZE, charged.get("kernel"),
                "a page for the small object (the rest pre-charged) and the large kmalloc's four");
        assertEquals(current(k, m), charged.get("anon") + charged.get("file") + charged.get("kernel"));
        k.mutate(() -> {
            for (long addr : objs) {
                k.mm().slab().kfree(addr, 0);
            }
            return null;
        });
        Map<String, Long> after = stat(k, m);
        assertEquals(before.get("slab_unreclaimable"), after.get("slab_unreclaimable"));
        assertEquals(before.get("kernel") + Page.PAGE_SIZE, after.get("kernel"),
                "the page of pre-charged bytes stays (refill_obj_stock keeps up to a page)");
    }

    @Test
    void memoryStatAndNumaStatKeysAreThoseOf618InOrder() throws IOException {
        Kernel k = machine();
        mkdir(k, "/demo");
        MemCgroup m = memcg(k, "/demo");
        List<String> statKeys = new ArrayList<>();
        List<String> numaKeys = new ArrayList<>();
        try (InputStream in = getClass().getResourceAsStream(KEYS)) {
            assertNotNull(in, KEYS);
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] kv = line.split(" \\| ");
                if (kv[1].contains("stat")) {
                    statKeys.add(kv[0]);
                }
                if (kv[1].contains("numa")) {
                    numaKeys.add(kv[0]);
                }
            }
        }
        assertEquals(statKeys, new ArrayList<>(stat(k, m).keySet()));
        assertEquals(numaKeys, MemcgStat.numaItems().stream().map(MemcgStat.NumaItem::key).toList());
    }
}
