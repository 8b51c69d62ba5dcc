package io.simproc.workload;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.mm.Mempolicy;
import io.simproc.mm.NodeStatItem;
import io.simproc.mm.NumaStatItem;
import io.simproc.mm.Prot;
import io.simproc.mm.VmEvent;
import io.simproc.mm.Zone;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory policies steering where a task's pages come from (mm/mempolicy.c), the numastat events the zonelist
 * walk counts for them, and zone_reclaim_mode keeping allocations on their node (mm/vmscan.c: node_reclaim).
 */
class NumaPolicyTest {
    private static final long MIB_PAGES = 256;
    private final Program bash = ProgramCatalog.embedded().program("bash");

    /** Two nodes of 512 MiB, a CPU on each, no swap; THP as given. */
    private static Kernel machine(String thp) {
        Kernel k = Kernel.boot(MachineProfileLoader.parse("t", "memory: 1G\nnodes: [512M, 512M]\ncpu: 2\nthp: "
                + thp + "\n"), 1);
        k.setDebugChecks(true);
        k.advance(io.simproc.kernel.Clock.HZ);
        return k;
    }

    /**
     * A bash whose CPU is on node {@code nid}, with {@code policy} set before it execs bash again (numactl sets the
     * policy, then execs its command).
     */
    private Task spawnOn(Kernel k, int nid, String policy) {
        return k.mutate(() -> {
            while (true) {
                Task t = k.processes().fork(k.tasks().get(2));
                assertEquals(0, k.syscalls().execve(t, bash.exe(), bash.interp(), bash.libs(), List.of("bash")));
                if (k.mm().cpuToNode(t.cpu()) != nid) {
                    k.syscalls().exit(t, 0);
                    continue;
                }
                if (policy != null) {
                    assertEquals(0, k.syscalls().setMempolicy(t, Mempolicy.parse(policy)));
                    assertEquals(0, k.syscalls().execve(t, bash.exe(), bash.interp(), bash.libs(), List.of("bash")));
                }
                return t;
            }
        });
    }

    /** Map and write {@code mib} MiB of anonymous memory, 4 MiB per step. Returns the touch result. */
    private static int fill(Kernel k, Task t, long mib) {
        long len = mib << 20;
        long addr = k.mutate(() -> k.syscalls().mmap(t, 0, len, Prot.READ | Prot.WRITE,
                Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS | Prot.MAP_NORESERVE, null, 0));
        for (long off = 0; off < len; off += 4L << 20) {
            long o = off;
            int r = k.mutate(() -> k.syscalls().touch(t, addr + o, Math.min(4L << 20, len - o), true));
            if (r != 0) {
                return r;
            }
        }
        return 0;
    }

    private static long freeMib(Kernel k, int nid) {
        return k.read(x -> x.mm().node(nid).zones().stream().mapToLong(Zone::freePages).sum()) / MIB_PAGES;
    }

    private static long anon(Kernel k, int nid) {
        return k.read(x -> x.mm().node(nid).state(NodeStatItem.NR_ANON_MAPPED));
    }

    /** The node's numastat counter: its zones' events summed (node_read_numastat). */
    private static long numa(Kernel k, int nid, NumaStatItem item) {
        return k.read(x -> {
            long n = 0;
            for (Zone z : x.mm().node(nid).zones()) {
                n += z.numaEvent(item);
            }
            return n;
        });
    }

    private static long[] snapshot(Kernel k) {
        long[] s = new long[2 * NumaStatItem.values().length + 2];
        for (int nid = 0; nid < 2; nid++) {
            for (NumaStatItem i : NumaStatItem.values()) {
                s[nid * NumaStatItem.values().length + i.ordinal()] = numa(k, nid, i);
            }
            s[s.length - 2 + nid] = anon(k, nid);
        }
        return s;
    }

    private static long delta(long[] before, Kernel k, int nid, NumaStatItem item) {
        return numa(k, nid, item) - before[nid * NumaStatItem.values().length + item.ordinal()];
    }

    private static long anonDelta(long[] before, Kernel k, int nid) {
        return anon(k, nid) - before[before.length - 2 + nid];
    }

    @Test
    void bindPutsEveryPageOnItsNodeAsARemoteHit() {
        Kernel k = machine("never");
        Task t = spawnOn(k, 0, "bind:1");
        long[] before = snapshot(k);
        assertEquals(0, fill(k, t, 64));
        assertEquals(64 * MIB_PAGES, anonDelta(before, k, 1));
        assertEquals(0, anonDelta(before, k, 0), "no anon page of the bound task on node 0");
        assertTrue(delta(before, k, 1, NumaStatItem.NUMA_HIT) >= 64 * MIB_PAGES);
        assertTrue(delta(before, k, 1, NumaStatItem.NUMA_OTHER) >= 64 * MIB_PAGES, "the task runs on node 0");
        assertEquals(0, delta(before, k, 1, NumaStatItem.NUMA_MISS));
        assertEquals(0, delta(before, k, 0, NumaStatItem.NUMA_FOREIGN));
    }

    @Test
    void bindNeverFallsBackToAnotherNode() {
        Kernel k = machine("never");
        Task t = spawnOn(k, 0, "bind:1");
        long[] before = snapshot(k);
        int r = fill(k, t, 600);
        assertTrue(r != 0 || t.state() == Task.State.ZOMBIE || t.state() == Task.State.DEAD,
                "600 MiB cannot fit on a 512 MiB node without swap");
        assertEquals(0, delta(before, k, 1, NumaStatItem.NUMA_MISS));
        assertEquals(0, delta(before, k, 0, NumaStatItem.NUMA_MISS));
        assertTrue(anon(k, 0) <= before[before.length - 2], "node 0 got none of its pages");
        assertEquals(1, k.mm().vmstat().event(VmEvent.OOM_KILL), "the OOM killer ran for the bound node");
    }

    @Test
    void preferredFallsBackWhenItsNodeIsFullCountingMissAndForeign() {
        Kernel k = machine("never");
        Task t = spawnOn(k, 1, "prefer:0");
        long[] before = snapshot(k);
        long free0 = freeMib(k, 0);
        assertEquals(0, fill(k, t, free0 + 128));
        long miss = delta(before, k, 1, NumaStatItem.NUMA_MISS);
        assertTrue(anonDelta(before, k, 0) > (free0 - 64) * MIB_PAGES, "node 0 filled first");
        assertTrue(anonDelta(before, k, 1) > 64 * MIB_PAGES, "then node 1 took the rest");
        assertTrue(miss >= anonDelta(before, k, 1), "every page on node 1 was a miss: " + miss);
        assertEquals(miss, delta(before, k, 0, NumaStatItem.NUMA_FOREIGN), "foreign on the node that was wanted");
        assertEquals(0, delta(before, k, 0, NumaStatItem.NUMA_MISS));
        assertEquals(0, delta(before, k, 1, NumaStatItem.NUMA_FOREIGN));
    }

    @Test
    void interleaveSpreadsPagesByOffsetAndCountsInterleaveHits() {
        Kernel k = machine("never");
        Task t = spawnOn(k, 0, "interleave:0-1");
        long[] before = snapshot(k);
        assertEquals(0, fill(k, t, 64));
        assertEquals(32 * MIB_PAGES, anonDelta(before, k, 0));
        assertEquals(32 * MIB_PAGES, anonDelta(before, k, 1));
        assertEquals(32 * MIB_PAGES, delta(before, k, 0, NumaStatItem.NUMA_INTERLEAVE_HIT));
        assertEquals(32 * MIB_PAGES, delta(before, k, 1, NumaStatItem.NUMA_INTERLEAVE_HIT));
        assertEquals(0, delta(before, k, 1, NumaStatItem.NUMA_MISS));
    }

    @Test
    void hugePagesFollowThePolicyToo() {
        Kernel k = machine("always");
        Task t = spawnOn(k, 0, "prefer:1");
        long thps = k.read(x -> x.mm().node(1).state(NodeStatItem.NR_ANON_THPS));
        assertEquals(0, fill(k, t, 32));
        assertTrue(k.read(x -> x.mm().node(1).state(NodeStatItem.NR_ANON_THPS)) - thps >= 14 * 512,
                "the huge pages of the preferred node");
    }

    @Test
    void forkAndExecKeepThePolicyAndBadNodesAreRefused() {
        Kernel k = machine("never");
        Task t = spawnOn(k, 0, "interleave");
        assertEquals("interleave:0-1", Mempolicy.toString(t.mm().mempolicy()));
        Task child = k.mutate(() -> k.processes().fork(t));
        assertEquals("interleave:0-1", Mempolicy.toString(child.mm().mempolicy()), "fork: mpol_dup");
        assertEquals(0, (int) k.mutate(() -> k.syscalls().execve(child, bash.exe(), bash.interp(), bash.libs(),
                List.of("bash"))));
        assertEquals("interleave:0-1", Mempolicy.toString(child.mm().mempolicy()), "exec keeps the task's policy");
        assertEquals(-Errno.EINVAL, (int) k.mutate(() -> k.syscalls().setMempolicy(child,
                Mempolicy.parse("bind:3"))));
        assertEquals("interleave:0-1", Mempolicy.toString(child.mm().mempolicy()), "a refused policy changes nothing");
        assertEquals(0, (int) k.mutate(() -> k.syscalls().setMempolicy(child, Mempolicy.parse("default"))));
        assertEquals("default", Mempolicy.toString(child.mm().mempolicy()));
    }

    /** A profile's process policy, init's included (it has no address space before its exec); children inherit. */
    @Test
    void profileProcessesRunUnderTheirPolicyAndTheirChildrenInheritIt() {
        Kernel k = Machines.start(MachineProfileLoader.parse("t", """
                memory: 1G
                nodes: [512M, 512M]
                cpu: 2
                processes:
                  - program: systemd
                    args: [/sbin/init]
                    mempolicy: "prefer:1"
                  - program: bash
                  - program: postgres
                    mempolicy: "bind:0"
                """), 1).kernel();
        k.advance(io.simproc.kernel.Clock.HZ);
        java.util.Map<String, String> policies = new java.util.TreeMap<>();
        for (Task t : k.tasks().all()) {
            if (t.mm() != null) {
                policies.put(t.comm(), Mempolicy.toString(t.mm().mempolicy()));
            }
        }
        assertEquals("prefer:1", policies.get("systemd"), policies.toString());
        assertEquals("prefer:1", policies.get("bash"), "inherited from init across fork and exec");
        assertEquals("bind:0", policies.get("postgres"));
    }

    /**
     * With node 0 full of clean page cache, a task on node 0 allocating more than node 0 has free: zone_reclaim_mode
     * 0 takes the pages from node 1 and leaves the cache; mode 1 reclaims node 0's unmapped cache first and keeps
     * the pages local.
     */
    @Test
    void zoneReclaimModeReclaimsTheLocalPageCacheBeforeGoingRemote() {
        long[] missByMode = new long[2];
        long[] cacheLeft = new long[2];
        for (int mode = 0; mode <= 1; mode++) {
            Kernel k = machine("never");
            int m = mode;
            k.mutate(() -> {
                k.mm().tunables().setNodeReclaimMode(m);
                return null;
            });
            Task t = spawnOn(k, 0, null);
            assertEquals(0, (int) k.mutate(() -> k.syscalls().create(t, "/srv/data", 300L << 20)));
            assertEquals(300L << 20, (long) k.mutate(() -> k.syscalls().read(t, "/srv/data", 0, 300L << 20)));
            long cached = k.read(x -> x.mm().node(0).state(NodeStatItem.NR_FILE_PAGES));
            assertTrue(cached > 290 * MIB_PAGES, "the file is cached on node 0: " + cached);
            long[] before = snapshot(k);
            long success = k.mm().vmstat().event(VmEvent.ZONE_RECLAIM_SUCCESS);
            assertEquals(0, fill(k, t, freeMib(k, 0) + 200));
            missByMode[mode] = delta(before, k, 1, NumaStatItem.NUMA_MISS);
            cacheLeft[mode] = k.read(x -> x.mm().node(0).state(NodeStatItem.NR_FILE_PAGES));
            long reclaims = k.mm().vmstat().event(VmEvent.ZONE_RECLAIM_SUCCESS) - success;
            assertEquals(mode == 0, reclaims == 0, "zone_reclaim_success " + reclaims + " in mode " + mode);
        }
        assertTrue(missByMode[0] > 100 * MIB_PAGES, "mode 0 goes remote: numa_miss " + missByMode[0]);
        assertTrue(missByMode[1] < missByMode[0] / 10, "mode 1 stays local: numa_miss " + missByMode[1]);
        assertTrue(cacheLeft[1] < cacheLeft[0] - 100 * MIB_PAGES, "mode 1 reclaimed node 0's page cache");
    }
}
