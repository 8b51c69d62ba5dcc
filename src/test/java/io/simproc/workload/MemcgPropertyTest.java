package io.simproc.workload;

import io.simproc.kernel.Cgroup;
import io.simproc.kernel.Clock;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Processes;
import io.simproc.kernel.Task;
import io.simproc.mm.MemCgroup;
import io.simproc.mm.MemcgStat;
import io.simproc.mm.MemcgStatItem;
import io.simproc.mm.Memcontrol;
import io.simproc.mm.NodeStatItem;
import io.simproc.mm.Prot;
import io.simproc.uapi.Page;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory cgroups under random workloads, 4 tries of 25,000 operations (10^5 in all): processes spawned into a
 * small hierarchy of groups with limits (memory.max, high, low, swap.max, oom.group), forking (task objects, kernel
 * stacks, address spaces, page tables and percpu counters charged to the forking task's group), mapping and writing
 * anonymous memory, reading files, unmapping, moving between groups, exiting and being reaped, dying (OOM kills
 * included), groups removed and made again (their kernel objects reparented), limits changed, on a machine with swap
 * under pressure. Every 500 operations and at the end the machine's invariant
 * checks run ({@code MemcgDebug}: every group's memory.current is the pages charged to it plus its pages in the
 * per-CPU charge stocks plus its children's, the stocks hold only online groups, its swap likewise, no free page
 * charged, the groups' shares of every node counter add up to the node's, every kernel object and page charged found
 * in its group's counters and objcg; and the cgroup core's), and for every group memory.current equals the pages on
 * its LRU lists plus its kernel pages, as memory.stat shows them, plus the pages pre-charged in the stocks (as the
 * kernel's page_counter_read() includes them: at most a batch per group of the subtree and CPU), the kernel pages at
 * least the bytes of its slab, stacks, page tables and percpu (no page charged twice or left charged after
 * its free). The same workload runs once more on the v1 hierarchy of a {@code cgroup: v1} machine, with v1's limits
 * (limit_in_bytes, memsw.limit_in_bytes, per-group swappiness, force_empty), where MemcgDebug also checks that every
 * group's memsw usage is its memory plus its swap.
 */
class MemcgPropertyTest {
    private static final String[] GROUPS = {"/a", "/a/x", "/a/y", "/b", "/c"};
    private final Program bash = ProgramCatalog.embedded().program("bash");

    @Property(tries = 4)
    void chargesAddUpUnderRandomWorkloads(@ForAll long seed) {
        run(seed, false);
    }

    @Property(tries = 1)
    void chargesAddUpOnTheV1Hierarchy(@ForAll long seed) {
        run(seed, true);
    }

    private void run(long seed, boolean v1) {
        Random r = new Random(seed);
        Kernel k = Kernel.boot(MachineProfileLoader.parse("t",
                "memory: 256M\nswap:\n  - path: /swapfile\n    size: 64M\n" + (v1 ? "cgroup: v1\n" : "")), seed);
        k.advance(Clock.HZ);
        k.mutate(() -> {
            for (String g : GROUPS) {
                mkdir(k, g);
            }
            if (v1) {
                write(k, "/a", 48L << 20, (w, m, v) -> w.resizeMax(m, v, false));
                write(k, "/a/x", 24L << 20, (w, m, v) -> w.resizeMax(m, v, false));
                write(k, "/b", 16L << 20, (w, m, v) -> w.setSoftLimit(m, v));
                write(k, "/c", 32L << 20, (w, m, v) -> w.resizeMax(m, v, false));
                write(k, "/c", 32L << 20, (w, m, v) -> w.resizeMax(m, v, true));
                return null;
            }
            write(k, "/a", 48L << 20, (w, m, v) -> w.setMax(m, v));
            write(k, "/a/x", 24L << 20, (w, m, v) -> w.setMax(m, v));
            write(k, "/b", 40L << 20, (w, m, v) -> w.setHigh(m, v));
            write(k, "/b", 16L << 20, (w, m, v) -> w.setLow(m, v));
            write(k, "/c", 0, (w, m, v) -> w.setSwapMax(m, v));
            write(k, "/c", 32L << 20, (w, m, v) -> w.setMax(m, v));
            return null;
        });
        List<Task> procs = new ArrayList<>();
        List<long[]> regions = new ArrayList<>();
        for (int op = 0; op < 25_000; op++) {
            int kind = r.nextInt(22);
            try {
                k.mutate(() -> {
                    step(k, r, kind, procs, regions);
                    return null;
                });
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError("seed " + seed + " op " + op + " kind " + kind + ": " + e, e);
            }
            k.advance(1);
            if (op % 500 == 499) {
                check(k);
            }
        }
        check(k);
        overrunAX(k);
        check(k);
        long maxEvents = k.read(kk -> memcg(kk, "/a").event(io.simproc.mm.MemcgEvent.MAX));
        assertTrue(maxEvents > 0, "seed " + seed + ": the limits were reached: " + maxEvents);
        assertTrue(kernelSeen[0], "seed " + seed + ": kernel memory was charged to the groups");
    }

    /**
     * Whatever the random steps did, /a/x's limit is run into once more before the last check: a new task there
     * writes 8 MiB more than its memory.max (reclaim, swap, or its group's OOM killer).
     */
    private void overrunAX(Kernel k) {
        k.mutate(() -> {
            Task t = k.processes().fork(k.tasks().get(2));
            assertEquals(0, k.syscalls().execve(t, bash.exe(), bash.interp(), bash.libs(), List.of("bash")));
            k.processes().setCgroup(t, cgroup(k, "/a/x"));
            long len = (memcg(k, "/a/x").memory().max() << Page.PAGE_SHIFT) + (8L << 20);
            long addr = k.syscalls().mmap(t, 0, len, Prot.READ | Prot.WRITE, Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS,
                    null, 0);
            assertTrue(addr > 0);
            k.syscalls().touch(t, addr, len, true);
            return null;
        });
        k.advance(Clock.HZ);
    }

    private static Cgroup cgroup(Kernel k, String path) {
        return k.cgroups().lookup(path);
    }

    /** Whether processes may live in {@code c}: on v2 not where controllers are enabled for children. */
    private static boolean mayHold(Kernel k, Cgroup c) {
        return c != null && (!k.cgroups().onDfl() || c.subtreeControl() == 0);
    }

    private static void mkdir(Kernel k, String path) {
        CgroupFixture.mkdir(k, path);
    }

    /** A memory file's write on the group at {@code path}. */
    @FunctionalInterface
    private interface Setter {
        void set(io.simproc.mm.MemcgWrite w, MemCgroup m, long pages);
    }

    private static void write(Kernel k, String path, long bytes, Setter s) {
        s.set(k.mm().memcontrol().write(), memcg(k, path), bytes / Page.PAGE_SIZE);
    }

    private static MemCgroup memcg(Kernel k, String path) {
        Memcontrol mc = k.mm().memcontrol();
        return mc.all().stream().filter(m -> m.path().equals(path) && m.isOnline()).findFirst().orElseThrow();
    }

    private void step(Kernel k, Random r, int kind, List<Task> procs, List<long[]> regions) {
        procs.removeIf(p -> p.mm() == null || p.state() == Task.State.ZOMBIE || p.state() == Task.State.DEAD);
        regions.removeIf(reg -> procs.stream().noneMatch(p -> p.pid() == reg[0]));
        switch (kind) {
            case 0 -> {
                if (procs.size() < 12) {
                    Task t = k.processes().fork(k.tasks().get(2));
                    if (t != null && k.syscalls().execve(t, bash.exe(), bash.interp(), bash.libs(),
                            List.of("bash")) == 0) {
                        Cgroup to = cgroup(k, GROUPS[r.nextInt(GROUPS.length)]);
                        if (mayHold(k, to)) {
                            k.processes().setCgroup(t, to);
                        }
                        procs.add(t);
                    }
                }
            }
            case 1, 2 -> {
                if (!procs.isEmpty()) {
                    Task t = procs.get(r.nextInt(procs.size()));
                    long len = (1 + r.nextInt(256)) * (long) Page.PAGE_SIZE * 16;
                    long addr = k.syscalls().mmap(t, 0, len, Prot.READ | Prot.WRITE,
                            Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0);
                    if (addr > 0) {
                        regions.add(new long[] {t.pid(), addr, len});
                    }
                }
            }
            case 3, 4, 5, 6, 7 -> {
                if (!regions.isEmpty()) {
                    long[] reg = regions.get(r.nextInt(regions.size()));
                    Task t = k.tasks().get((int) reg[0]);
                    long pages = reg[2] / Page.PAGE_SIZE;
                    long from = r.nextInt((int) pages);
                    long n = Math.min(pages - from, 1 + r.nextInt(64));
                    k.syscalls().touch(t, reg[1] + from * Page.PAGE_SIZE, n * Page.PAGE_SIZE, r.nextInt(4) != 0);
                }
            }
            case 8 -> {
                if (!regions.isEmpty()) {
                    long[] reg = regions.remove(r.nextInt(regions.size()));
                    k.syscalls().munmap(k.tasks().get((int) reg[0]), reg[1], reg[2]);
                }
            }
            case 9, 10 -> {
                if (!procs.isEmpty()) {
                    Task t = procs.get(r.nextInt(procs.size()));
                    String path = "/srv/f" + r.nextInt(6);
                    k.syscalls().create(t, path, 8L << 20);
                    k.syscalls().read(t, path, (long) r.nextInt(2048) * Page.PAGE_SIZE, (1 + r.nextInt(64)) * 4096L);
                }
            }
            case 11 -> {
                if (!procs.isEmpty() && r.nextInt(4) == 0) {
                    k.processes().kill(procs.get(r.nextInt(procs.size())), Processes.SIGKILL);
                }
            }
            case 12, 13 -> {
                if (!procs.isEmpty()) {
                    Cgroup to = cgroup(k, GROUPS[r.nextInt(GROUPS.length)]);
                    if (mayHold(k, to)) {
                        k.processes().setCgroup(procs.get(r.nextInt(procs.size())), to);
                    }
                }
            }
            case 14 -> {
                String g = GROUPS[1 + r.nextInt(2)];
                if (k.cgroups().onDfl()) {
                    write(k, g, (8L + r.nextInt(40)) << 20, (w, m, v) -> w.setMax(m, v));
                } else {
                    boolean memsw = r.nextBoolean();
                    write(k, g, (8L + r.nextInt(40)) << 20, (w, m, v) -> w.resizeMax(m, v, memsw));
                }
            }
            case 15 -> {
                if (k.cgroups().onDfl()) {
                    write(k, "/a/y", r.nextBoolean() ? 1 : 0, (w, m, v) -> w.setOomGroup(m, v == 1));
                } else {
                    write(k, "/a/y", 0, (w, m, v) -> w.setSwappiness(m, r.nextInt(3) * 60));
                }
            }
            case 16 -> {
                Cgroup y = cgroup(k, "/a/y");
                if (y != null && k.cgroups().rmdir(y) == 0) {
                    mkdir(k, "/a/y");
                }
            }
            case 17 -> {
                if (k.cgroups().onDfl()) {
                    write(k, "/b", (long) r.nextInt(8) << 20, (w, m, v) -> w.reclaim(m, v, r.nextBoolean()));
                } else if (r.nextInt(8) == 0) {
                    write(k, "/b", 0, (w, m, v) -> w.forceEmpty(m));
                }
            }
            case 18, 19 -> {
                if (!procs.isEmpty() && procs.size() < 16) {
                    Task child = k.processes().fork(procs.get(r.nextInt(procs.size())));
                    if (child != null) {
                        procs.add(child);
                    }
                }
            }
            case 20 -> {
                if (!procs.isEmpty()) {
                    Task t = procs.get(r.nextInt(procs.size()));
                    k.processes().exit(t, 0);
                    if (t.state() == Task.State.ZOMBIE) {
                        k.processes().reap(t);
                    }
                }
            }
            default -> {
            }
        }
    }

    /** MEMCG_CHARGE_BATCH and NR_MEMCG_STOCK (mm/memcontrol.c): what the per-CPU charge stocks can hold. */
    private static final long STOCK_BATCH = 64;
    private static final long STOCK_SLOTS = 7;

    /** Whether some check saw a group with kernel stacks and page tables charged. */
    private final boolean[] kernelSeen = new boolean[1];

    private void check(Kernel k) {
        k.read(kk -> {
            kk.checkInvariants();
            for (MemCgroup m : kk.mm().memcontrol().all()) {
                if (m.isRoot()) {
                    continue;
                }
                long onLru = m.state(NodeStatItem.NR_INACTIVE_ANON) + m.state(NodeStatItem.NR_ACTIVE_ANON)
                        + m.state(NodeStatItem.NR_INACTIVE_FILE) + m.state(NodeStatItem.NR_ACTIVE_FILE)
                        + m.state(NodeStatItem.NR_UNEVICTABLE);
                long kernel = m.memcgState(MemcgStatItem.MEMCG_KMEM);
                long subtree = kk.mm().memcontrol().all().stream().filter(g -> g.isDescendant(m)).count();
                long stockMax = STOCK_BATCH * Math.min(STOCK_SLOTS, subtree) * kk.mm().nrCpus();
                long stocked = m.memory().usage() - (onLru + kernel);
                assertTrue(stocked >= 0 && stocked <= stockMax, m.path() + ": memory.current " + m.memory().usage()
                        + " is its LRU pages and kernel pages " + (onLru + kernel)
                        + " plus at most a batch per group and CPU pre-charged in the per-CPU stocks");
                long parts = m.state(NodeStatItem.NR_KERNEL_STACK_KB) * 1024
                        + m.state(NodeStatItem.NR_PAGETABLE) * Page.PAGE_SIZE
                        + m.state(NodeStatItem.NR_SLAB_RECLAIMABLE_B) + m.state(NodeStatItem.NR_SLAB_UNRECLAIMABLE_B)
                        + m.memcgState(MemcgStatItem.MEMCG_PERCPU_B);
                assertTrue(kernel * Page.PAGE_SIZE >= parts, m.path() + ": kernel " + kernel * Page.PAGE_SIZE
                        + " below its parts " + parts);
                Map<String, Long> stat = new HashMap<>();
                for (String line : MemcgStat.format(m)) {
                    String[] kv = line.split(" ");
                    stat.put(kv[0], Long.parseLong(kv[1]));
                }
                assertEquals((m.memory().usage() - stocked) * Page.PAGE_SIZE, stat.get("inactive_anon")
                        + stat.get("active_anon") + stat.get("inactive_file") + stat.get("active_file")
                        + stat.get("unevictable") + stat.get("kernel"),
                        m.path() + ": memory.current less the stock = its LRU lists + kernel in memory.stat");
                kernelSeen[0] |= kernel > 0 && stat.get("kernel_stack") > 0 && stat.get("pagetables") > 0;
                assertTrue(m.memory().usage() <= m.memory().max() || !m.isOnline(), m.path() + " over its max");
            }
            return null;
        });
    }
}
