package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.mm.MmDebug;
import io.simproc.mm.NodeStatItem;
import io.simproc.mm.PageOwner;
import io.simproc.mm.Shrinker;
import io.simproc.mm.slab.KmemCache;
import io.simproc.mm.slab.Slab;
import io.simproc.mm.slab.SuperBlock;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import io.simproc.workload.Program;
import io.simproc.workload.ProgramCatalog;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.simproc.proc.ProcTestSupport.file;
import static io.simproc.proc.ProcTestSupport.lines;
import static io.simproc.proc.ProcTestSupport.read;
import static io.simproc.proc.ProcTestSupport.sample;
import static io.simproc.proc.ProcTestSupport.shared;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /proc/slabinfo: the 6.18 format line for line, root only, its caches agreeing with meminfo and vmstat; the
 * caches moving with fork and exit; the superblock shrinkers scaled by vfs_cache_pressure.
 */
class SlabinfoTest {
    @Test
    void headerAndEverySampleLineComeOutOfOurFormatterByteForByte() {
        List<String> sampleLines = lines("sample", sample("slabinfo_head40.txt"));
        String ours = read(shared(), "/slabinfo");
        List<String> ourLines = lines("slabinfo", ours);
        assertEquals(sampleLines.subList(0, 2), ourLines.subList(0, 2), "the two header lines");
        for (String line : sampleLines.subList(2, sampleLines.size())) {
            String[] f = line.split("\\s+");
            Seq s = new Seq();
            Slabinfo.line(s, f[0], Long.parseLong(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]),
                    Integer.parseInt(f[4]), Integer.parseInt(f[5]), Long.parseLong(f[13]));
            assertEquals(line + "\n", s.toString());
        }
        for (String line : ourLines.subList(2, ourLines.size())) {
            assertTrue(line.matches("\\S+ +\\d+ +\\d+ +\\d+ +\\d+ +\\d+ : tunables +0 +0 +0 : slabdata +\\d+ +\\d+ +0"),
                    line);
        }
    }

    @Test
    void theMachineHasTheCachesOfARealOneNewestFirst() {
        List<String> names = new ArrayList<>();
        List<String> all = lines("slabinfo", read(shared(), "/slabinfo"));
        for (String line : all.subList(2, all.size())) {
            names.add(line.substring(0, line.indexOf(' ')));
        }
        for (String c : List.of("task_struct", "mm_struct", "vm_area_struct", "anon_vma", "anon_vma_chain",
                "files_cache", "signal_cache", "sighand_cache", "cred_jar", "pid", "dentry", "inode_cache",
                "ext4_inode_cache", "filp", "buffer_head", "radix_tree_node", "kmalloc-8", "kmalloc-8k",
                "kmalloc-rcl-64", "kmalloc-cg-192", "dma-kmalloc-512", "kmem_cache", "kmem_cache_node")) {
            assertTrue(names.contains(c), c + " in " + names);
        }
        assertEquals("kmem_cache_node", names.get(names.size() - 1), "the first cache created is listed last");
        assertTrue(names.indexOf("ext4_inode_cache") < names.indexOf("dentry"));
    }

    @Test
    void rootOnly() {
        ProcFile f = file(shared(), "/slabinfo");
        assertEquals(0400, f.mode());
        assertEquals(-Errno.EACCES, ProcFs.permission(f, ProcTestSupport.USER, ProcFs.MAY_READ));
        assertEquals(0, ProcFs.permission(f, Credentials.ROOT, ProcFs.MAY_READ));
    }

    @Test
    void meminfoAndVmstatSlabAreTheSumsOverTheCaches() {
        ProcFs fs = shared();
        long reclaimable = 0;
        long unreclaimable = 0;
        List<String> all = lines("slabinfo", read(fs, "/slabinfo"));
        for (String line : all.subList(2, all.size())) {
            String[] f = line.split("\\s+");
            KmemCache c = fs.kernel().mm().slab().cache(f[0]);
            long pages = Long.parseLong(f[13]) * Long.parseLong(f[5]);
            if (c.reclaimable()) {
                reclaimable += pages;
            } else {
                unreclaimable += pages;
            }
        }
        unreclaimable += fs.kernel().mm().slab().largeKmallocPages();
        Map<String, Long> meminfo = keyed(read(fs, "/meminfo"), ":");
        assertEquals(reclaimable * 4, meminfo.get("SReclaimable"));
        assertEquals(unreclaimable * 4, meminfo.get("SUnreclaim"));
        assertEquals((reclaimable + unreclaimable) * 4, meminfo.get("Slab"));
        Map<String, Long> vmstat = keyed(read(fs, "/vmstat"), " ");
        assertEquals(reclaimable, vmstat.get("nr_slab_reclaimable"));
        assertEquals(unreclaimable, vmstat.get("nr_slab_unreclaimable"));
        assertTrue(meminfo.get("SReclaimable") > meminfo.get("SUnreclaim"),
                "dentries and inodes dominate a booted machine's slab");
    }

    private static Map<String, Long> keyed(String text, String sep) {
        Map<String, Long> m = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.split(sep, 2);
            String v = f[1].trim().split("\\s+")[0];
            if (v.matches("\\d+")) {
                m.put(f[0].trim(), Long.parseLong(v));
            }
        }
        return m;
    }

    @Test
    void aThousandProcessesRaiseTheTaskCachesAndTheirExitBringsThemBack() {
        Kernel k = Kernel.boot(MachineProfileLoader.parse("t", "memory: 8G\n"), 7);
        Program bash = ProgramCatalog.embedded().program("bash");
        Slab slab = k.mm().slab();
        String[] names = {"task_struct", "mm_struct", "vm_area_struct", "signal_cache", "files_cache", "cred_jar",
            "pid", "anon_vma", "anon_vma_chain"};
        long[] before = new long[names.length];
        k.read(kk -> {
            for (int i = 0; i < names.length; i++) {
                before[i] = slab.cache(names[i]).liveObjects();
            }
            return null;
        });
        List<Task> spawned = new ArrayList<>();
        long vmas = k.mutate(() -> {
            long n = 0;
            for (int i = 0; i < 1000; i++) {
                Task t = k.processes().fork(k.tasks().get(2));
                assertNotNull(t);
                assertEquals(0, k.syscalls().execve(t, bash.exe(), bash.interp(), bash.libs(), List.of("bash")));
                n += t.mm().mapCount();
                spawned.add(t);
            }
            return n;
        });
        k.read(kk -> {
            long[] expect = {1000, 1000, vmas, 1000, 1000, 1000, 1000, 1, 1};
            for (int i = 0; i < names.length; i++) {
                KmemCache c = slab.cache(names[i]);
                assertTrue(c.liveObjects() - before[i] >= expect[i], names[i] + ": " + before[i] + " -> "
                        + c.liveObjects() + ", expected at least +" + expect[i]);
                assertTrue(c.activeObjs() >= c.liveObjects(), names[i]);
            }
            assertTrue(MmDebug.violations(kk.mm()).isEmpty(), MmDebug.violations(kk.mm()).toString());
            return null;
        });
        k.mutate(() -> {
            for (Task t : spawned) {
                k.processes().exit(t, 0);
            }
            return null;
        });
        k.read(kk -> {
            for (int i = 0; i < names.length; i++) {
                assertEquals(before[i], slab.cache(names[i]).liveObjects(), names[i] + " after exit");
            }
            assertTrue(MmDebug.violations(kk.mm()).isEmpty(), MmDebug.violations(kk.mm()).toString());
            return null;
        });
    }

    @Test
    void superblockShrinkersFreeUnusedDentriesAndInodesScaledByVfsCachePressure() {
        ProcFs fs = ProcTestSupport.bootDefault();
        Kernel k = fs.kernel();
        SuperBlock ext4 = k.vfs().rootSb();
        Shrinker shrinker = k.mm().shrinkers().list().stream().filter(s -> s.name().equals("sb-ext4")).findFirst()
                .orElseThrow();
        long unused = k.read(kk -> ext4.nrUnusedDentries(0) + ext4.nrUnusedInodes(0));
        assertTrue(unused > 1000, "boot leaves unused dentries: " + unused);
        assertEquals(unused, (long) k.read(kk -> shrinker.countObjects(0)), "vfs_cache_pressure 100 = unused objects");
        assertEquals(-Errno.EINVAL, ProcTestSupport.write(fs, "/sys/vm/vfs_cache_pressure", "-1\n", 0));
        assertEquals("100\n", read(fs, "/sys/vm/vfs_cache_pressure"), "a refused write leaves the value");
        assertEquals(-Errno.EINVAL, ProcTestSupport.write(fs, "/sys/vm/vfs_cache_pressure_denom", "99\n", 0));
        assertEquals(4, ProcTestSupport.write(fs, "/sys/vm/vfs_cache_pressure", "200\n", 0));
        assertEquals(unused * 2, (long) k.read(kk -> shrinker.countObjects(0)));
        assertEquals(5, ProcTestSupport.write(fs, "/sys/vm/vfs_cache_pressure_denom", "1000\n", 0));
        assertEquals(unused / 1000 * 200 + unused % 1000 * 200 / 1000, (long) k.read(kk -> shrinker.countObjects(0)));
        assertEquals(2, ProcTestSupport.write(fs, "/sys/vm/vfs_cache_pressure", "0\n", 0));
        assertEquals(0L, (long) k.read(kk -> shrinker.countObjects(0)), "0: never reclaim dentries and inodes");

        long dentriesBefore = k.read(kk -> kk.mm().slab().cache("dentry").liveObjects());
        long sreclaimBefore = k.read(kk -> kk.mm().vmstat().globalNodeState(NodeStatItem.NR_SLAB_RECLAIMABLE_B));
        long freePagesBefore = k.read(kk -> kk.mm().vmstat().ownerPages(PageOwner.SLAB));
        long freed = k.mutate(() -> {
            long n = 0;
            for (int i = 0; i < 50; i++) {
                n += shrinker.scanObjects(0, 128);
            }
            return n;
        });
        assertTrue(freed > 50 * 64 && freed <= 50 * 130, "50 scans of 128 (+1 per list): " + freed);
        k.read(kk -> {
            assertTrue(kk.mm().slab().cache("dentry").liveObjects() < dentriesBefore);
            assertTrue(kk.mm().vmstat().globalNodeState(NodeStatItem.NR_SLAB_RECLAIMABLE_B) < sreclaimBefore,
                    "empty slabs went back to the buddy allocator");
            assertTrue(kk.mm().vmstat().ownerPages(PageOwner.SLAB) < freePagesBefore);
            assertTrue(MmDebug.violations(kk.mm()).isEmpty(), MmDebug.violations(kk.mm()).toString());
            return null;
        });
        long rest = k.mutate(() -> {
            long n = 0;
            long got;
            while ((got = shrinker.scanObjects(0, 1024)) > 0) {
                n += got;
            }
            return n;
        });
        assertTrue(rest > 0);
        assertEquals(0L, (long) k.read(kk -> ext4.nrUnusedDentries(0) + ext4.nrUnusedInodes(0)),
                "only dentries in use remain (the files the machine knows)");
    }
}
