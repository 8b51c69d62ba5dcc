package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.Syscalls;
import io.simproc.kernel.Task;
import io.simproc.mm.AddressSpace;
import io.simproc.mm.MmDebug;
import io.simproc.mm.Prot;
import io.simproc.mm.Vma;
import io.simproc.mm.VmFlags;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The per-process files agree with each other and with the machine after every one of a random sequence of
 * mmap, munmap, mprotect, brk, touch, mlock, munlock, pin, unpin, madvise, fork, execve, exit and new threads (500 operations
 * in each of 20 tries: 10,000 a run). After each operation: no mm invariant is broken (MmDebug), and for every
 * process the promises of {@link PidNumbers#checkProcess} hold, and over all processes those of
 * {@link PidNumbers#checkMachine}. Each try prints its seed; a failure names the seed and the operation.
 */
class PidFilesPropertyTest {
    static final int OPS_PER_TRY = 500;
    static final int MAX_PROCESSES = 6;
    private static final AtomicLong OPERATIONS = new AtomicLong();
    /** Huge pages faulted, PMDs split and folios split over all tries: the THP tries must have done all three. */
    private static final AtomicLong THP_FAULTS = new AtomicLong();
    private static final AtomicLong THP_PMD_SPLITS = new AtomicLong();
    private static final AtomicLong THP_SPLITS = new AtomicLong();

    @net.jqwik.api.lifecycle.AfterContainer
    static void theThpTriesMadeAndSplitHugePages() {
        String counts = THP_FAULTS + " THP faults, " + THP_PMD_SPLITS + " PMD splits, " + THP_SPLITS + " splits";
        System.out.println("PidFilesPropertyTest: " + counts);
        assertTrue(THP_FAULTS.get() > 0 && THP_PMD_SPLITS.get() > 0 && THP_SPLITS.get() > 0, counts);
    }

    @Property(tries = 20)
    void theFilesOfEveryProcessAgreeAfterEveryOperation(@ForAll long seed) {
        System.out.println("PidFilesPropertyTest: seed " + seed + " (" + OPS_PER_TRY + " operations)");
        new Run(seed).go();
        assertTrue(OPERATIONS.get() >= OPS_PER_TRY);
    }

    /** One try: a small machine, a first process, and OPS_PER_TRY random operations. */
    private static final class Run {
        private final long seed;
        private final SplittableRandom rnd;
        /** Half of the tries run THP mode "always" and sometimes map several MiB, so that huge pages come and go. */
        private final boolean thp;
        private final PidFixture f;
        private final Kernel k;
        private final Syscalls sys;
        private final List<Task> procs = new ArrayList<>();
        private String op = "start";

        Run(long seed) {
            this.seed = seed;
            this.rnd = new SplittableRandom(seed);
            this.thp = (seed & 1) == 0;
            this.f = new PidFixture("memory: 256M\ncpu: 2\nthp: " + (thp ? "always" : "madvise") + "\n");
            this.k = f.kernel;
            this.sys = k.syscalls();
        }

        void go() {
            procs.add(f.spawn(List.of("bash")));
            for (int i = 0; i < OPS_PER_TRY; i++) {
                k.mutate(() -> {
                    step();
                    reapAndPrune();
                    return null;
                });
                OPERATIONS.incrementAndGet();
                String context = "seed " + seed + ", operation " + i + " (" + op + ")";
                List<String> violations = MmDebug.violations(k.mm());
                if (!violations.isEmpty()) {
                    fail(context + ": mm invariants broken: " + violations.subList(0, Math.min(5, violations.size())));
                }
                List<PidNumbers.Rollup> rollups = new ArrayList<>();
                for (Task t : k.read(kk -> List.copyOf(procs))) {
                    rollups.add(PidNumbers.checkProcess(f.fs, t, context));
                }
                PidNumbers.checkMachine(k, rollups, context);
                long listed = f.fs.list((ProcDir) f.fs.lookup("/", io.simproc.uapi.Credentials.ROOT),
                        io.simproc.uapi.Credentials.ROOT).stream().filter(e -> e instanceof ProcDir
                        && ProcBase.nameToInt(e.name()) > 0).count();
                long leaders = k.read(kk -> kk.tasks().all().stream().filter(Task::isLeader).count());
                assertEquals(leaders, listed, context + ": /proc lists every process");
            }
            THP_FAULTS.addAndGet(k.read(kk -> kk.mm().vmstat().event(io.simproc.mm.VmEvent.THP_FAULT_ALLOC)));
            THP_PMD_SPLITS.addAndGet(k.read(kk -> kk.mm().vmstat().event(io.simproc.mm.VmEvent.THP_SPLIT_PMD)));
            THP_SPLITS.addAndGet(k.read(kk -> kk.mm().vmstat().event(io.simproc.mm.VmEvent.THP_SPLIT_PAGE)));
        }

        /** The dead are reaped (their parent waits) and forgotten; a machine without processes gets a new one. */
        private void reapAndPrune() {
            for (Task t : List.copyOf(k.tasks().all())) {
                if (t.state() == Task.State.ZOMBIE) {
                    k.processes().reap(t);
                }
            }
            procs.removeIf(t -> k.tasks().get(t.pid()) != t || t.mm() == null);
            if (procs.isEmpty()) {
                procs.add(spawn());
            }
        }

        private Task spawn() {
            Task p = k.processes().fork(k.tasks().get(2));
            assertEquals(0, sys.execve(p, PidFixture.BASH, PidFixture.LD, List.of(PidFixture.LIBC),
                    List.of("bash")));
            return p;
        }

        private Task anyProcess() {
            return procs.get(rnd.nextInt(procs.size()));
        }

        /** A VMA of t that is not one of the special mappings, or null. */
        private Vma anyVma(Task t) {
            List<Vma> vmas = new ArrayList<>();
            for (Vma v : t.mm().vmas()) {
                if (v.name() == null || !v.name().startsWith("[v")) {
                    vmas.add(v);
                }
            }
            return vmas.isEmpty() ? null : vmas.get(rnd.nextInt(vmas.size()));
        }

        private static final int[] PROTS = {Prot.READ | Prot.WRITE, Prot.READ, Prot.NONE, Prot.READ | Prot.EXEC,
            Prot.READ | Prot.WRITE};

        private void step() {
            Task t = anyProcess();
            int dice = rnd.nextInt(100);
            if (dice < 14) {
                boolean big = thp && rnd.nextInt(4) == 0;
                long len = !big ? pages(1, 48)
                        : rnd.nextBoolean() ? pages(512, 1536) : (1 + rnd.nextInt(3)) * (2L << 20);
                int prot = big ? Prot.READ | Prot.WRITE : PROTS[rnd.nextInt(PROTS.length)];
                int flags = Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS
                        | (rnd.nextInt(big ? 2 : 5) == 0 ? Prot.MAP_POPULATE : 0)
                        | (rnd.nextInt(20) == 0 ? Prot.MAP_LOCKED : 0);
                op = "mmap anon " + len + " prot " + prot + " flags " + flags + " pid " + t.pid();
                sys.mmap(t, 0, len, prot, flags, null, 0);
            } else if (dice < 19) {
                long len = pages(1, 16);
                op = "mmap shared anon " + len + " pid " + t.pid();
                sys.mmap(t, 0, len, Prot.READ | Prot.WRITE, Prot.MAP_SHARED | Prot.MAP_ANONYMOUS, null, 0);
            } else if (dice < 26) {
                AddressSpace file = k.vfs().file("/srv/data" + rnd.nextInt(3), 64 * 4096);
                long offset = pages(0, 32);
                long len = pages(1, (int) (64 - offset / 4096));
                boolean shared = rnd.nextBoolean();
                int prot = rnd.nextBoolean() ? Prot.READ | Prot.WRITE : Prot.READ;
                op = "mmap " + file.path() + " @" + offset + " " + len + (shared ? " shared" : " private") + " pid "
                        + t.pid();
                sys.mmap(t, 0, len, prot, (shared ? Prot.MAP_SHARED : Prot.MAP_PRIVATE), file, offset);
            } else if (dice < 33) {
                long[] r = subrange(t);
                if (r != null) {
                    op = "munmap " + Long.toHexString(r[0]) + "+" + r[1] + " pid " + t.pid();
                    sys.munmap(t, r[0], r[1]);
                }
            } else if (dice < 40) {
                long[] r = subrange(t);
                if (r != null) {
                    int prot = PROTS[rnd.nextInt(PROTS.length)];
                    op = "mprotect " + Long.toHexString(r[0]) + "+" + r[1] + " " + prot + " pid " + t.pid();
                    sys.mprotect(t, r[0], r[1], prot);
                }
            } else if (dice < 46) {
                long delta = (rnd.nextInt(48) - 16) * 4096L + rnd.nextInt(4096);
                op = "brk " + delta + " pid " + t.pid();
                sys.brk(t, Math.max(t.mm().startBrk(), t.mm().brk() + delta));
            } else if (dice < 63) {
                touch(t);
            } else if (dice < 67) {
                if (procs.size() < MAX_PROCESSES) {
                    op = "fork pid " + t.pid();
                    Task c = sys.fork(t);
                    if (c != null) {
                        procs.add(c);
                    }
                } else {
                    exit(t);
                }
            } else if (dice < 70) {
                if (t.threads().size() == 1) {
                    op = "execve pid " + t.pid();
                    sys.execve(t, PidFixture.BASH, PidFixture.LD, List.of(PidFixture.LIBC), List.of("bash", "-c"));
                }
            } else if (dice < 74) {
                exit(t);
            } else if (dice < 79) {
                long[] r = subrange(t);
                if (r != null) {
                    op = "mlock " + Long.toHexString(r[0]) + "+" + r[1] + " pid " + t.pid();
                    sys.mlock(t, r[0], r[1]);
                }
            } else if (dice < 82) {
                long[] r = subrange(t);
                if (r != null) {
                    op = "munlock " + Long.toHexString(r[0]) + "+" + r[1] + " pid " + t.pid();
                    sys.munlock(t, r[0], r[1]);
                }
            } else if (dice < 88) {
                long[] r = subrange(t);
                if (thp && rnd.nextInt(4) == 0) {
                    op = "drop_caches 2 (the deferred split queue too)";
                    k.mm().dropCaches().drop(2);
                } else if (r != null) {
                    op = "madvise DONTNEED " + Long.toHexString(r[0]) + "+" + r[1] + " pid " + t.pid();
                    sys.madvise(t, r[0], r[1], Prot.MADV_DONTNEED);
                }
            } else if (dice < 92) {
                if (t.threads().size() < 3) {
                    op = "new thread pid " + t.pid();
                    k.processes().newThread(t);
                }
            } else if (dice < 95) {
                if (procs.size() < MAX_PROCESSES) {
                    op = "spawn";
                    procs.add(spawn());
                }
            } else {
                Task c = null;
                if (procs.size() < MAX_PROCESSES) {
                    op = "fork and write pid " + t.pid();
                    c = sys.fork(t);
                }
                if (c != null) {
                    procs.add(c);
                    touch(c);
                }
            }
        }

        private void exit(Task t) {
            op = "exit pid " + t.pid();
            sys.exit(t, rnd.nextInt(3));
        }

        /** Loads or stores over part of a VMA, mostly as its protection allows (else the task may die). */
        private void touch(Task t) {
            Vma v = anyVma(t);
            if (v == null) {
                return;
            }
            long start = v.start() + pages(0, (int) Math.min(thp ? 2048 : 64, v.size() / 4096 - 1));
            long len = Math.min(pages(1, 32), v.end() - start);
            boolean write = v.test(VmFlags.VM_WRITE) ? rnd.nextBoolean() : rnd.nextInt(20) == 0;
            if (!v.test(VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_EXEC) && rnd.nextInt(10) != 0) {
                return;
            }
            op = (write ? "store " : "load ") + Long.toHexString(start) + "+" + len + " in " + v + " pid " + t.pid();
            sys.touch(t, start, len, write);
        }

        /** A page-aligned range inside (or overlapping the end of) a random VMA of t: {start, length}. */
        private long[] subrange(Task t) {
            Vma v = anyVma(t);
            if (v == null) {
                return null;
            }
            long vPages = v.size() / 4096;
            long first = rnd.nextLong(vPages);
            long n = 1 + rnd.nextLong(Math.max(1, Math.min(64, vPages - first + (rnd.nextInt(8) == 0 ? 4 : 0))));
            return new long[] {v.start() + first * 4096, n * 4096};
        }

        private long pages(int min, int max) {
            return (min + (long) rnd.nextInt(Math.max(1, max - min + 1))) * 4096;
        }
    }
}
