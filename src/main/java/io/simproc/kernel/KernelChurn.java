package io.simproc.kernel;

import io.simproc.mm.Gfp;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.PageOwner;

import java.util.PriorityQueue;

/**
 * The kernel's own page traffic on an otherwise idle machine: network receive buffers, block I/O, workqueue items
 * allocated with alloc_pages() and freed milliseconds later, and a small share kept for minutes (driver rings,
 * kernel data), and short-lived kmalloc objects in the kmalloc caches. It makes pgalloc/pgfree, the per-cpu lists,
 * the NUMA counters and the kmalloc caches' slabs move as on a live host.
 * Driven by one timer per jiffy; all randomness comes from its seeded stream.
 */
final class KernelChurn {
    static final double ALLOCS_PER_SECOND_PER_CPU = 400;
    static final double SHORT_LIFETIME_SECONDS = 0.02;
    static final double LONG_LIFETIME_SECONDS = 300;
    static final double LONG_LIVED_SHARE = 0.005;
    /** kmalloc()s per second per CPU of short-lived kernel objects (skb data, bio, request and event structs). */
    static final double KMALLOCS_PER_SECOND_PER_CPU = 300;
    /** Request sizes of that traffic, as they fall into the kmalloc caches. */
    static final int[] KMALLOC_SIZES = {32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096};
    /** CPU time one page allocation and free costs the kernel, charged as system time. */
    static final long NANOS_PER_ALLOCATION = 1500;

    private record Allocation(long freeAt, long seq, int pfn, int order, int cpu, long addr)
            implements Comparable<Allocation> {
        @Override
        public int compareTo(Allocation o) {
            int c = Long.compare(freeAt, o.freeAt);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final Kernel kernel;
    private final SeededRandom rnd;
    /**
     * Pages held, by when they are freed: the short-lived ones (thousands a second, for milliseconds) apart from
     * the long-lived (a few a second, for minutes), so that the many short ones sort among few. Freed in one order
     * across both, (freeAt, seq).
     */
    private final PriorityQueue<Allocation> live = new PriorityQueue<>();
    private final PriorityQueue<Allocation> longLived = new PriorityQueue<>();
    private final PriorityQueue<Allocation> liveObjects = new PriorityQueue<>();
    private long seq;

    KernelChurn(Kernel kernel, SeededRandom rnd) {
        this.kernel = kernel;
        this.rnd = rnd;
    }

    void start() {
        kernel.schedule(1, this::tick);
    }

    /** Take over a block allocated during boot as a long-lived kernel allocation. */
    void adoptLongLived(int pfn, int order, int cpu) {
        long life = Clock.secondsToJiffies(rnd.exponential(LONG_LIFETIME_SECONDS));
        longLived.add(new Allocation(kernel.jiffies() + life, seq++, pfn, order, cpu, 0));
    }

    private void tick() {
        MemoryManager mm = kernel.mm();
        long now = kernel.jiffies();
        int cpus = kernel.profile().nrCpus();
        int n = rnd.poisson(ALLOCS_PER_SECOND_PER_CPU * cpus / Clock.HZ);
        for (int i = 0; i < n; i++) {
            int cpu = rnd.nextInt(cpus);
            int order = pickOrder();
            boolean atomic = rnd.chance(0.25);
            int gfp = atomic ? Gfp.GFP_ATOMIC | Gfp.__GFP_NOWARN : Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN;
            int pfn = mm.pageAlloc().allocPages(gfp, order, mm.cpuToNode(cpu), cpu, PageOwner.KERNEL);
            kernel.cpuStat().charge(cpu, atomic ? CpuStat.Usage.SOFTIRQ : CpuStat.Usage.SYSTEM,
                    NANOS_PER_ALLOCATION << order);
            if (pfn < 0) {
                continue;
            }
            boolean longLife = rnd.chance(LONG_LIVED_SHARE);
            double life = longLife ? rnd.exponential(LONG_LIFETIME_SECONDS) : rnd.exponential(SHORT_LIFETIME_SECONDS);
            (longLife ? longLived : live).add(new Allocation(now + Math.max(1, Clock.secondsToJiffies(life)), seq++,
                    pfn, order, cpu, 0));
        }
        while (true) {
            Allocation s = live.peek();
            Allocation l = longLived.peek();
            Allocation a = s == null ? l : l == null || s.compareTo(l) < 0 ? s : l;
            if (a == null || a.freeAt() > now) {
                break;
            }
            (a == s ? live : longLived).poll();
            mm.pageAlloc().freePages(a.pfn(), a.order(), a.cpu());
        }
        kmallocTraffic(mm, now, cpus);
        kernel.schedule(1, this::tick);
    }

    /** Short-lived kmalloc objects: allocated on a random CPU, freed milliseconds later (objects, not pages). */
    private void kmallocTraffic(MemoryManager mm, long now, int cpus) {
        int n = rnd.poisson(KMALLOCS_PER_SECOND_PER_CPU * cpus / Clock.HZ);
        for (int i = 0; i < n; i++) {
            int cpu = rnd.nextInt(cpus);
            int size = KMALLOC_SIZES[rnd.nextInt(KMALLOC_SIZES.length)];
            int gfp = rnd.chance(0.5) ? Gfp.GFP_ATOMIC | Gfp.__GFP_NOWARN : Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN;
            long addr = mm.slab().kmalloc(size, gfp, cpu);
            if (addr != 0) {
                long life = Math.max(1, Clock.secondsToJiffies(rnd.exponential(SHORT_LIFETIME_SECONDS)));
                liveObjects.add(new Allocation(now + life, seq++, 0, 0, cpu, addr));
            }
        }
        while (!liveObjects.isEmpty() && liveObjects.peek().freeAt() <= now) {
            Allocation a = liveObjects.poll();
            mm.slab().kfree(a.addr(), a.cpu());
        }
    }

    private int pickOrder() {
        double r = rnd.nextDouble();
        if (r < 0.85) {
            return 0;
        }
        if (r < 0.93) {
            return 1;
        }
        return r < 0.97 ? 2 : 3;
    }

    /** Pages the churn holds right now. */
    long livePages() {
        long n = 0;
        for (Allocation a : live) {
            n += 1L << a.order();
        }
        for (Allocation a : longLived) {
            n += 1L << a.order();
        }
        return n;
    }
}
