package io.simproc.workload;

import io.simproc.kernel.Clock;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.mm.MmDebug;
import io.simproc.mm.Prot;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random workloads on a small machine with swap, under memory pressure: processes fork, write anonymous memory,
 * read and write files, fsync, unlink, drop caches, swap off and on again, exit, while time passes (kswapd, the
 * flusher, the disk). MmDebug runs after every timer and every operation (page conservation, LRU sizes = counters,
 * NR_FILE_PAGES = Cached + Buffers + SwapCached, dirty/writeback counters, one slot or swap-cache page per swapped
 * page, SwapFree ≤ SwapTotal). 8 tries of 60 operations; odd seeds run with THP "always".
 */
class ReclaimPropertyTest {
    private final Program bash = ProgramCatalog.embedded().program("bash");

    /**
     * Op 43 forks a process whose address-space copy wakes the OOM killer, which takes the parent: the fork must
     * fail (copy_process's fatal-signal check), not give the exiting parent a child that inherits PF_EXITING.
     */
    @Example
    void aForkWhoseParentTheOomKillerTakesFails() {
        invariantsHoldUnderRandomReclaimWorkloads(23893L);
    }

    @Property(tries = 8)
    void invariantsHoldUnderRandomReclaimWorkloads(@ForAll long seed) {
        Random r = new Random(seed);
        // Odd seeds run THP mode "always": the anonymous mappings get huge pages, which reclaim must split.
        String profile = "memory: 192M\nswap:\n  - path: /swapfile\n    size: 48M\n";
        Kernel k = Kernel.boot(MachineProfileLoader.parse("t", profile + ((seed & 1) != 0 ? "thp: always\n" : "")),
                seed);
        k.setDebugChecks(true);
        k.advance(2 * Clock.HZ);
        List<Task> procs = new ArrayList<>();
        List<String> files = new ArrayList<>();
        for (int op = 0; op < 60; op++) {
            int kind = r.nextInt(11);
            try {
                step(k, r, kind, procs, files);
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError("seed " + seed + " op " + op + " kind " + kind + ": " + e, e);
            }
            k.advance(1 + r.nextInt(Clock.HZ / 2));
        }
        MmDebug.check(k.read(Kernel::mm));
        long swapFree = k.read(x -> x.mm().swap().nrSwapPagesFree());
        long swapTotal = k.read(x -> x.mm().swap().totalSwapPages());
        assertTrue(swapFree <= swapTotal && swapFree >= 0);
    }

    private void step(Kernel k, Random r, int kind, List<Task> procs, List<String> files) {
        procs.removeIf(p -> p.mm() == null || p.state() == Task.State.ZOMBIE || p.state() == Task.State.DEAD);
        switch (kind) {
            case 0, 1 -> k.mutate(() -> {
                Task parent = procs.isEmpty() || r.nextBoolean() ? k.tasks().get(2) : procs.get(r.nextInt(procs.size()));
                Task t = k.processes().fork(parent);
                if (t != null && parent == k.tasks().get(2)) {
                    k.syscalls().execve(t, bash.exe(), bash.interp(), bash.libs(), List.of("bash"));
                }
                if (t != null && t.mm() != null) {
                    procs.add(t);
                }
                return null;
            });
            case 2, 3 -> {
                if (procs.isEmpty()) {
                    return;
                }
                Task t = procs.get(r.nextInt(procs.size()));
                long len = (1 + r.nextInt(48)) << 20;
                k.mutate(() -> {
                    long a = k.syscalls().mmap(t, 0, len, Prot.READ | Prot.WRITE, Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS,
                            null, 0);
                    if (a > 0) {
                        k.syscalls().touch(t, a, len, r.nextInt(4) != 0);
                    }
                    return null;
                });
            }
            case 4 -> {
                if (procs.isEmpty()) {
                    return;
                }
                Task t = procs.get(r.nextInt(procs.size()));
                k.mutate(() -> {
                    for (io.simproc.mm.Vma v : List.copyOf(t.mm().vmas())) {
                        if (t.mm() == null) {
                            break;
                        }
                        if (v.isAnonymous() && r.nextInt(3) == 0) {
                            k.syscalls().touch(t, v.start(), Math.min(v.size(), 4L << 20), r.nextBoolean());
                        }
                    }
                    return null;
                });
            }
            case 5, 6 -> {
                String path = "/data/f" + r.nextInt(6);
                long size = (1 + r.nextInt(96)) << 20;
                k.mutate(() -> {
                    Task t = k.tasks().get(1);
                    if (k.vfs().lookup(path) == null) {
                        k.syscalls().create(t, path, size);
                        files.add(path);
                    }
                    if (r.nextBoolean()) {
                        k.syscalls().read(t, path, (long) r.nextInt(64) << 20, (1L + r.nextInt(32)) << 20);
                    } else {
                        k.syscalls().write(t, path, (long) r.nextInt(64) << 20, (1L + r.nextInt(8)) << 20);
                    }
                    return null;
                });
            }
            case 7 -> k.mutate(() -> {
                Task t = k.tasks().get(1);
                if (!files.isEmpty() && r.nextBoolean()) {
                    k.syscalls().fsync(t, files.get(r.nextInt(files.size())));
                } else if (!files.isEmpty()) {
                    k.syscalls().unlink(t, files.remove(r.nextInt(files.size())));
                } else {
                    k.syscalls().sync(t);
                }
                return null;
            });
            case 8 -> k.mutate(() -> {
                k.mm().dropCaches().drop(1 + r.nextInt(3));
                return null;
            });
            case 9 -> {
                if (procs.isEmpty()) {
                    return;
                }
                Task t = procs.remove(r.nextInt(procs.size()));
                k.mutate(() -> {
                    if (t.state() != Task.State.ZOMBIE && t.state() != Task.State.DEAD) {
                        k.syscalls().exit(t, 0);
                    }
                    return null;
                });
                procs.removeIf(p -> p.state() == Task.State.ZOMBIE || p.state() == Task.State.DEAD);
            }
            default -> k.mutate(() -> {
                Task t = k.tasks().get(1);
                if (k.syscalls().swapoff(t, "/swapfile") == 0) {
                    k.syscalls().swapon(t, "/swapfile", Integer.MIN_VALUE);
                }
                return null;
            });
        }
    }
}
