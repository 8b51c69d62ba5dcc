package io.simproc.kernel;

import io.simproc.mm.Gfp;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.slab.KernelCaches;
import io.simproc.mm.slab.KmemCache;
import io.simproc.mm.slab.Slab;
import io.simproc.mm.slab.SuperBlock;

/**
 * What the kernel's own allocations look like once boot and early userspace are done: the filesystems mounted
 * at boot (the root ext4, sysfs, proc) with the dentries and inodes path walks left unused on their LRUs, sysfs
 * nodes for every device and CPU, ACPI tables, the page cache's tree nodes and buffer heads, and long-lived kmalloc
 * objects of every size. Counts follow a real 6.18 guest's slabinfo, scaled by RAM (caches) and CPUs (per-CPU
 * structures). Objects are spread over the CPUs with the boot's seeded stream.
 */
final class BootSlab {
    /** Long-lived kmalloc objects per kmalloc-8 … kmalloc-8k cache on a machine with few CPUs. */
    static final int[] KMALLOC_BASE = {3000, 2500, 3000, 6000, 1500, 1500, 1600, 1800, 1600, 1000, 500, 250, 60};
    static final int[] KMALLOC_SIZES = {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192};
    /** One unused dentry per this many pages of RAM beyond the fixed part. */
    static final long PAGES_PER_DENTRY = 160;
    static final long DENTRY_BASE = 8000;

    private BootSlab() {
    }

    /** Mount the boot filesystems: the root ext4, sysfs and proc. Returns the root superblock. */
    static SuperBlock[] mount(MemoryManager mm) {
        Slab slab = mm.slab();
        KernelCaches kc = slab.kernelCaches();
        SuperBlock sysfs = slab.mount("sysfs", kc.inodeCache);
        SuperBlock proc = slab.mount("proc", kc.procInodeCache);
        SuperBlock root = slab.mount("ext4", kc.ext4InodeCache);
        return new SuperBlock[] {root, sysfs, proc};
    }

    static void populate(Kernel k, SuperBlock[] sbs, SeededRandom rnd) {
        MemoryManager mm = k.mm();
        Slab slab = mm.slab();
        KernelCaches kc = slab.kernelCaches();
        int cpus = k.profile().nrCpus();
        long dentries = DENTRY_BASE + mm.vmstat().totalramPages() / PAGES_PER_DENTRY;
        int perCpu = 1 + cpus / 8;
        fill(k, rnd, kc.acpiOperand, 2600);
        fill(k, rnd, kc.acpiNamespace, 1600);
        fill(k, rnd, kc.kernfsNodeCache, 16000 + 400L * cpus);
        fill(k, rnd, kc.kernfsIattrsCache, 1000 + 10L * cpus);
        fill(k, rnd, kc.procDirEntry, 900 + 4L * cpus);
        fill(k, rnd, kc.mntCache, 40);
        fill(k, rnd, kc.shmemInodeCache, 600);
        fill(k, rnd, kc.skbuffHeadCache, 64L * cpus);
        fill(k, rnd, kc.sockInodeCache, 120);
        // The files the boot's own users hold (sockets, pipes, the daemons' files the model does not open); init's
        // console and the files the simulated processes open are allocated by Files when they open them.
        fill(k, rnd, kc.filp, 1190);
        fill(k, rnd, kc.jbd2JournalHead, 60);
        for (int i = 0; i < KMALLOC_SIZES.length; i++) {
            KmemCache c = slab.kmallocSlab(KMALLOC_SIZES[i], Gfp.GFP_KERNEL);
            fill(k, rnd, c, (long) KMALLOC_BASE[i] * perCpu);
        }
        long ext4 = dentries * 45 / 100;
        spread(rnd, sbs[0], ext4, cpus);
        spread(rnd, sbs[1], dentries * 25 / 100, cpus);
        spread(rnd, sbs[2], dentries * 15 / 100, cpus);
        fill(k, rnd, kc.bufferHead, ext4 * 6 / 10);
        fill(k, rnd, kc.ext4ExtentStatus, ext4 / 2);
        fill(k, rnd, kc.radixTreeNode, dentries / 10);
    }

    private static void fill(Kernel k, SeededRandom rnd, KmemCache c, long n) {
        Slab slab = k.mm().slab();
        int cpus = k.profile().nrCpus();
        for (long i = 0; i < n; i++) {
            // Opportunistic: a boot's leftovers stop where memory runs out, without the OOM killer.
            if (slab.kmemCacheAlloc(c, Gfp.GFP_KERNEL | Gfp.__GFP_NORETRY | Gfp.__GFP_NOWARN,
                    rnd.nextInt(cpus)) == 0) {
                return;
            }
        }
    }

    private static void spread(SeededRandom rnd, SuperBlock sb, long n, int cpus) {
        long done = 0;
        while (done < n) {
            long batch = Math.min(n - done, 64);
            long got = sb.populateUnused(batch, rnd.nextInt(cpus));
            if (got < batch) {
                return;
            }
            done += batch;
        }
    }
}
