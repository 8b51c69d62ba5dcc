package io.simproc.workload;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.mm.Prot;
import io.simproc.mm.ShowMem;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTestSupport;
import io.simproc.proc.ProcTree;
import io.simproc.sysctl.SysctlTable;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random workloads under random overcommit settings in strict mode (overcommit_memory = 2, a random
 * overcommit_ratio or overcommit_kbytes, random reserves): private and shared, NORESERVE and read-only mappings,
 * mprotect to writable, munmap, brk up and down, malloc/free, fork and exit, by root and unprivileged processes.
 * After every operation Committed_AS ≤ CommitLimit (whenever it started there) and the mm invariants hold — the
 * debug checks include Committed_AS = Σ VM_ACCOUNT mappings + reserved shmem objects.
 */
class OvercommitPropertyTest {
    @Property(tries = 8, shrinking = ShrinkingMode.OFF, edgeCases = EdgeCasesMode.NONE)
    void strictModeNeverCommitsBeyondTheLimit(@ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Kernel k = Kernel.boot(MachineProfileLoader.parse("t", "memory: 256M\n"), seed);
        k.setDebugChecks(true);
        ProcFs fs = new ProcFs(k, ProcTree.create(SysctlTable.create()));
        ProcTestSupport.write(fs, "/sys/vm/overcommit_memory", "2\n", 0);
        // A CommitLimit below what the 256M machine can hold, so that the workload meets the limit rather than
        // the OOM killer.
        if (rnd.nextBoolean()) {
            ProcTestSupport.write(fs, "/sys/vm/overcommit_ratio", (20 + rnd.nextInt(50)) + "\n", 0);
        } else {
            ProcTestSupport.write(fs, "/sys/vm/overcommit_kbytes", (50_000 + rnd.nextInt(120_000)) + "\n", 0);
        }
        ProcTestSupport.write(fs, "/sys/vm/admin_reserve_kbytes", rnd.nextInt(16_384) + "\n", 0);
        ProcTestSupport.write(fs, "/sys/vm/user_reserve_kbytes", rnd.nextInt(65_536) + "\n", 0);
        String where = "seed " + seed;
        Program bash = ProgramCatalog.embedded().program("bash");
        List<Task> tasks = new ArrayList<>();
        List<long[]> maps = new ArrayList<>();
        List<Long> mallocs = new ArrayList<>();
        java.util.Map<Task, GlibcMalloc> heaps = new java.util.HashMap<>();
        long start = k.read(kk -> kk.mm().overcommit().committedAsPages());
        for (int op = 0; op < 400; op++) {
            int kind = rnd.nextInt(10);
            String at = where + " op " + op + " kind " + kind;
            k.mutate(() -> {
                tasks.removeIf(t -> k.tasks().get(t.pid()) != t || t.mm() == null);
                if (tasks.isEmpty() || kind == 0 && tasks.size() < 6) {
                    Task t = k.processes().fork(k.tasks().get(2));
                    if (t != null && k.syscalls().execve(t, bash.exe(), bash.interp(), bash.libs(),
                            List.of("bash")) == 0) {
                        if (rnd.nextBoolean()) {
                            k.syscalls().setuid(t, 1000, 1000);
                        }
                        tasks.add(t);
                        heaps.put(t, new GlibcMalloc(k, t));
                    }
                    return null;
                }
                Task t = tasks.get(rnd.nextInt(tasks.size()));
                long len = (1 + rnd.nextInt(1 << (4 + rnd.nextInt(13)))) * 4096L;
                switch (kind) {
                    case 1, 2 -> {
                        int flags = (rnd.nextInt(4) == 0 ? Prot.MAP_SHARED : Prot.MAP_PRIVATE) | Prot.MAP_ANONYMOUS
                                | (rnd.nextInt(4) == 0 ? Prot.MAP_NORESERVE : 0);
                        int prot = rnd.nextInt(4) == 0 ? Prot.READ : Prot.READ | Prot.WRITE;
                        long a = k.syscalls().mmap(t, 0, len, prot, flags, null, 0);
                        if (a > 0) {
                            maps.add(new long[] {t.pid(), a, len});
                        }
                    }
                    case 3 -> {
                        if (!maps.isEmpty()) {
                            long[] m = maps.get(rnd.nextInt(maps.size()));
                            Task owner = k.tasks().get((int) m[0]);
                            if (owner != null && owner.mm() != null) {
                                k.syscalls().mprotect(owner, m[1], m[2], Prot.READ | Prot.WRITE);
                            }
                        }
                    }
                    case 4 -> {
                        if (!maps.isEmpty()) {
                            long[] m = maps.remove(rnd.nextInt(maps.size()));
                            Task owner = k.tasks().get((int) m[0]);
                            if (owner != null && owner.mm() != null) {
                                k.syscalls().munmap(owner, m[1], m[2]);
                            }
                        }
                    }
                    case 5 -> {
                        long brk = t.mm().brk();
                        k.syscalls().brk(t, rnd.nextBoolean() ? brk + len : Math.max(t.mm().startBrk(), brk - len));
                    }
                    case 6 -> {
                        long p = heaps.get(t).malloc(len);
                        if (p != 0) {
                            mallocs.add(p);
                            heaps.get(t).free(p);
                        }
                    }
                    case 7 -> {
                        Task child = k.processes().fork(t);
                        if (child != null) {
                            k.processes().exit(child, 0);
                        }
                    }
                    case 8 -> {
                        long grow = Math.min(len, 1 << 20);
                        k.syscalls().touch(t, t.mm().startStack() - grow, grow, true);
                    }
                    default -> {
                        if (tasks.size() > 3) {
                            tasks.remove(t);
                            k.processes().exit(t, 0);
                        }
                    }
                }
                return null;
            });
            long committed = k.read(kk -> kk.mm().overcommit().committedAsPages());
            long limit = k.read(kk -> ShowMem.vmCommitLimit(kk.mm()));
            assertTrue(committed <= Math.max(limit, start), at + ": Committed_AS " + committed + " > CommitLimit "
                    + limit);
        }
        boolean reached = k.read(kk -> kk.log().records().stream()
                .anyMatch(r -> r.text().contains("__vm_enough_memory")));
        assertTrue(reached, where + ": the workload reached the limit at least once");
    }
}
