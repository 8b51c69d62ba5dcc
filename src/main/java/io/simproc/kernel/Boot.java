package io.simproc.kernel;

import io.simproc.config.ConfigException;
import io.simproc.config.Sizes;
import io.simproc.mm.Gfp;
import io.simproc.mm.MemMap;
import io.simproc.mm.Memblock;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.PageAlloc;
import io.simproc.mm.PageOwner;
import io.simproc.mm.Zone;
import io.simproc.mm.ZoneLayout;
import io.simproc.mm.ZoneType;
import io.simproc.uapi.Page;

/**
 * Boot of the simulated machine (arch/x86/kernel/setup.c setup_arch, mm/mm_init.c, init/main.c): the e820 map
 * becomes memblock, NUMA nodes are laid over it, early boot reserves what it needs (first MiB, kernel image, crash
 * kernel, CMA area, the mem_map), the zones are sized and the rest is freed to the buddy allocator; then the
 * reserves are computed, the kernel threads started and the first seconds of activity run.
 */
public final class Boot {
    /** Simulated seconds of life before the machine is handed to the user: boot and early userspace. */
    static final long SETTLE_JIFFIES = 30L * Clock.HZ;
    /** kernel_init execs /sbin/init about a second into boot. */
    static final long INIT_EXEC_JIFFIES = Clock.HZ;
    /** SECTION_SIZE_BITS = 27 on x86_64: the mem_map is allocated per 128 MiB section. */
    static final long SECTION_PAGES = (128L << 20) >>> Page.PAGE_SHIFT;
    /** sizeof(struct page) on x86_64. */
    static final long STRUCT_PAGE_BYTES = 64;
    /** Heap beyond the mem_map the JVM needs for a machine (everything that is not per page). */
    static final long HEAP_OVERHEAD_BYTES = 96L << 20;
    /** The percpu first chunk: units of 64 pages per CPU, embedded in memblock (static, reserved, dynamic). */
    static final int PCPU_UNIT_PAGES = 64;
    static final int PCPU_STATIC_BYTES = 225280;
    static final int PCPU_RESERVED_BYTES = 8192;
    static final int PCPU_DYNAMIC_BYTES = 28672;
    /** Early userspace and page cache churn at most this many pages during boot, whatever the RAM size. */
    static final int EARLY_TRANSIENT_MAX_PAGES = 1 << 17;

    /**
     * What boot established and the renderers show.
     *
     * @param mm            the memory manager
     * @param iomem         the physical resource tree (/proc/iomem)
     * @param directMap4k   kB of the direct map mapped with 4 KiB pages
     * @param directMap2M   kB mapped with 2 MiB pages
     * @param directMap1G   kB mapped with 1 GiB pages
     * @param totalcmaPages pages of the CMA area
     */
    public record Facts(MemoryManager mm, Resource iomem, long directMap4k, long directMap2M, long directMap1G,
                        long totalcmaPages) {
    }

    private Boot() {
    }

    /** Heap the JVM needs to simulate this machine, checked before anything is allocated. */
    public static long heapNeeded(MachineProfile p) {
        long endPfn = 0;
        for (E820Entry e : p.e820()) {
            if (e.type() == E820Entry.Type.RAM) {
                endPfn = Math.max(endPfn, (e.end() + 1) >>> Page.PAGE_SHIFT);
            }
        }
        return MemMap.heapBytesFor(endPfn) + HEAP_OVERHEAD_BYTES;
    }

    static Facts setupArch(Kernel k, MachineProfile p) {
        long maxHeap = Runtime.getRuntime().maxMemory();
        long needed = heapNeeded(p);
        if (needed > maxHeap) {
            throw new ConfigException(p.source(), 0, 0, String.format(
                    "a %s machine needs about %d MiB of Java heap to simulate, but this JVM may use only %d MiB;"
                            + " give it more with SIMPROC_JAVA_OPTS=-Xmx%dm",
                    Sizes.human(p.ramBytes()), needed >> 20, maxHeap >> 20, ((needed * 5 / 4) >> 20) + 1));
        }
        k.printk(6, k.linuxBanner());
        k.printk(6, "Command line: BOOT_IMAGE=/boot/vmlinuz-" + p.release() + " root=/dev/vda1 ro"
                + (p.crashkernel() > 0 ? " crashkernel=" + Sizes.format(p.crashkernel()) : "")
                + (p.movablecore() > 0 ? " movablecore=" + Sizes.format(p.movablecore()) : "")
                + (p.cma().size() > 0 ? " cma=" + p.cma().cmdline() : ""));
        k.printk(6, "BIOS-provided physical RAM map:");
        for (E820Entry e : p.e820()) {
            k.printk(6, String.format("BIOS-e820: [mem 0x%016x-0x%016x] %s", e.start(), e.end(), e820Word(e)));
        }

        long[] nodeEnds = nodeBoundaries(p);
        Memblock memblock = new Memblock();
        for (E820Entry e : p.e820()) {
            if (e.type() != E820Entry.Type.RAM) {
                continue;
            }
            long start = Page.pfnUp(e.start());
            long end = Page.pfnDown(e.end() + 1);
            long cursor = start;
            for (int nid = 0; nid < nodeEnds.length && cursor < end; nid++) {
                long nodeEnd = nodeEnds[nid];
                if (cursor >= nodeEnd) {
                    continue;
                }
                long segEnd = Math.min(end, nodeEnd);
                memblock.addMemory(cursor, segEnd, nid);
                cursor = segEnd;
            }
        }

        memblock.reserve(0, Page.pfnDown(1 << 20), "real mode and BIOS (first 1MiB)");
        MachineProfile.KernelImage img = p.kernelImage();
        memblock.reserve(Page.pfnDown(img.codeStart()), Page.pfnUp(img.codeStart() + img.codeSize()), "Kernel code");
        memblock.reserve(Page.pfnDown(img.rodataStart()), Page.pfnUp(img.rodataStart() + img.rodataSize()),
                "Kernel rodata");
        memblock.reserve(Page.pfnDown(img.dataStart()), Page.pfnUp(img.dataStart() + img.dataSize()), "Kernel data");
        memblock.reserve(Page.pfnDown(img.bssStart()), Page.pfnUp(img.bssStart() + img.bssSize()), "Kernel bss");

        long[] crash = null;
        if (p.crashkernel() > 0) {
            long pages = Page.pfnUp(p.crashkernel());
            long align = (16L << 20) >>> Page.PAGE_SHIFT;
            long start = memblock.allocTopDown(pages, align, align, ZoneLayout.MAX_DMA32_PFN, -1, "crashkernel");
            if (start < 0) {
                throw new ConfigException(p.source(), 0, 0, "crashkernel=" + Sizes.format(p.crashkernel())
                        + " does not fit below 4G");
            }
            crash = new long[] {start, start + pages};
            k.printk(6, String.format("crashkernel reserved: 0x%016x - 0x%016x (%d MB)", Page.bytes(start),
                    Page.bytes(start + pages), p.crashkernel() >> 20));
        }
        long[] cmaArea = p.cma().size() > 0 ? reserveCma(k, p, memblock) : null;

        long memmapPages = 0;
        for (int nid = 0; nid < p.nrNodes(); nid++) {
            long sections = presentSections(memblock, nid);
            long pages = sections * SECTION_PAGES * STRUCT_PAGE_BYTES / Page.PAGE_SIZE;
            if (memblock.allocTopDown(pages, 512, 0, Long.MAX_VALUE, nid, "memmap") < 0) {
                throw new ConfigException(p.source(), 0, 0, "node " + nid + " is too small for its own mem_map");
            }
            memmapPages += pages;
        }

        long pcpuPages = (long) PCPU_UNIT_PAGES * p.nrCpus();
        if (memblock.allocTopDown(pcpuPages, PCPU_UNIT_PAGES, 0, Long.MAX_VALUE, -1, "percpu") < 0) {
            throw new ConfigException(p.source(), 0, 0, "no room for the percpu areas");
        }
        k.printk(6, String.format("percpu: Embedded %d pages/cpu s%d r%d d%d u%d", PCPU_UNIT_PAGES,
                PCPU_STATIC_BYTES, PCPU_RESERVED_BYTES, PCPU_DYNAMIC_BYTES, PCPU_UNIT_PAGES * Page.PAGE_SIZE));

        ZoneLayout layout = zoneLayout(p, memblock, nodeEnds);
        int[] cpuToNode = new int[p.nrCpus()];
        for (int cpu = 0; cpu < cpuToNode.length; cpu++) {
            cpuToNode[cpu] = (int) ((long) cpu * p.nrNodes() / p.nrCpus());
        }
        MemoryManager mm = MemoryManager.create(memblock, layout, p.config(), k, cpuToNode);
        mm.vmstat().setMemmapBootPages(memmapPages);
        logZones(k, mm, memblock);
        mm.memblockFreeAll(memblock);
        mm.kmemCacheInit();
        mm.vmallocInit();
        mm.setupPerCpuAreas(PCPU_UNIT_PAGES, PCPU_DYNAMIC_BYTES);
        long totalcma = 0;
        long availableBeforeCma = mm.vmstat().totalramPages();
        if (cmaArea != null) {
            mm.cmaActivateArea((int) cmaArea[0], (int) (cmaArea[1] - cmaArea[0]));
            totalcma = cmaArea[1] - cmaArea[0];
        }
        mm.initReserves();
        mm.memory().setZeroPfn((int) Page.pfnUp(img.bssStart()));

        long present = 0;
        for (Zone z : mm.zones()) {
            present += z.presentPages();
        }
        k.printk(6, String.format("Built %d zonelists, mobility grouping %s.  Total pages: %d", p.nrNodes(),
                mm.pageAlloc().mobilityGroupingDisabled() ? "off" : "on", mm.vmstat().totalramPages()));
        k.printk(6, "Policy zone: Normal");
        long reservedKb = Page.kb(present - availableBeforeCma - totalcma);
        k.printk(6, String.format("Memory: %dK/%dK available (%dK kernel code, %dK rwdata, %dK rodata, %dK init,"
                        + " %dK bss, %dK reserved, %dK cma-reserved)", Page.kb(availableBeforeCma), Page.kb(present),
                img.codeSize() >> 10, img.dataSize() >> 10, img.rodataSize() >> 10,
                Math.max(0, img.bssStart() - (img.dataStart() + img.dataSize())) >> 10, img.bssSize() >> 10,
                reservedKb, Page.kb(totalcma)));
        k.printk(6, "min_free_kbytes: " + mm.tunables().minFreeKbytes());

        mm.vmstat().countEvent(io.simproc.mm.VmEvent.DIRECT_MAP_LEVEL2_SPLITS, DirectMap.BOOT_SPLITS);
        Resource iomem = Iomem.build(p, crash);
        long[] directMap = DirectMap.compute(p);
        return new Facts(mm, iomem, directMap[0], directMap[1], directMap[2], totalcma);
    }

    /**
     * dma_contiguous_reserve() and mm/cma.c's __cma_declare_contiguous_nid() for the global area "reserved": the
     * size, base and limit aligned to a pageblock (CMA_MIN_ALIGNMENT_BYTES), the limit at most the end of memory;
     * a fixed area (cma=SIZE@BASE-LIMIT with BASE + SIZE = LIMIT) reserved exactly there unless some of it is
     * reserved already (-EBUSY); otherwise first bottom-up from 4 GiB when memory reaches 4 GiB + SIZE ("place the
     * new cma area close to the start of the node ... so that compaction moves pages out of it", and away from
     * DMA/DMA32), else top-down in [BASE, LIMIT). Logs "cma: Reserved N MiB at 0x..." or, when there is no room,
     * "cma: Failed to reserve N MiB" and boots without an area. An area that would cross a zone boundary is
     * refused here (the kernel's cma_activate_area() would not activate it). Returns [start, end) in pfns, or null.
     */
    private static long[] reserveCma(Kernel k, MachineProfile p, Memblock memblock) {
        MachineProfile.CmaArea a = p.cma();
        long align = PageAlloc.PAGEBLOCK_NR_PAGES;
        long pages = Page.pfnUp(a.size());
        long memblockEnd = memblock.endPfn();
        long limit = a.limit() == 0 || Page.pfnDown(a.limit()) > memblockEnd ? memblockEnd : Page.pfnDown(a.limit());
        limit -= limit % align;
        long base = Page.pfnUp(a.base());
        base += Math.floorMod(-base, align);
        long start = -1;
        if (base + pages > limit) {
            k.printk(3, String.format("cma: Size (0x%016x) of region at 0x%016x exceeds limit (0x%016x)",
                    Page.bytes(pages), Page.bytes(base), Page.bytes(limit)));
        } else if (a.fixed()) {
            if (memblock.isRegionMemory(base, base + pages) && !memblock.isRegionReserved(base, base + pages)) {
                memblock.reserve(base, base + pages, "cma");
                start = base;
            }
        } else {
            long fourGiB = 1L << (32 - Page.PAGE_SHIFT);
            if (memblockEnd >= fourGiB + pages) {
                start = memblock.allocBottomUp(pages, align, fourGiB, limit, -1, "cma");
            }
            if (start < 0) {
                start = memblock.allocTopDown(pages, align, base, limit, -1, "cma");
            }
        }
        if (start < 0) {
            k.printk(3, String.format("cma: Failed to reserve %d MiB", Page.bytes(pages) >> 20));
            return null;
        }
        if (ZoneLayout.MAX_DMA32_PFN > start && ZoneLayout.MAX_DMA32_PFN < start + pages) {
            throw new ConfigException(p.source(), 0, 0, "cma=" + a.cmdline() + " crosses the DMA32/Normal boundary"
                    + " at 4G: the kernel would not activate an area in two zones");
        }
        k.printk(6, String.format("cma: Reserved %d MiB at 0x%016x", Page.bytes(pages) >> 20, Page.bytes(start)));
        return new long[] {start, start + pages};
    }

    private static String e820Word(E820Entry e) {
        return switch (e.type()) {
            case RAM -> "usable";
            case RESERVED -> "reserved";
            case ACPI -> "ACPI data";
            case NVS -> "ACPI NVS";
            case UNUSABLE -> "unusable";
            case PMEM -> "persistent (type 7)";
        };
    }

    /**
     * NUMA node ranges: node i ends where the RAM seen so far reaches the first i+1 node sizes, rounded up to a
     * 128 MiB section. Returns the end pfn of each node; the last one ends after all RAM.
     */
    static long[] nodeBoundaries(MachineProfile p) {
        int nodes = p.nrNodes();
        long[] ends = new long[nodes];
        long section = 128L << 20;
        long target = 0;
        for (int i = 0; i < nodes - 1; i++) {
            target += p.nodeBytes().get(i);
            long seen = 0;
            long addr = 0;
            for (E820Entry e : p.e820()) {
                if (e.type() != E820Entry.Type.RAM) {
                    continue;
                }
                if (seen + e.size() >= target) {
                    addr = e.start() + (target - seen);
                    break;
                }
                seen += e.size();
            }
            ends[i] = Page.pfnDown((addr + section - 1) / section * section);
        }
        ends[nodes - 1] = Long.MAX_VALUE;
        return ends;
    }

    private static long presentSections(Memblock memblock, int nid) {
        java.util.Set<Long> sections = new java.util.HashSet<>();
        for (Memblock.Region r : memblock.memory()) {
            if (r.nid() != nid) {
                continue;
            }
            for (long s = r.startPfn() / SECTION_PAGES; s <= (r.endPfn() - 1) / SECTION_PAGES; s++) {
                sections.add(s);
            }
        }
        return sections.size();
    }

    /** movablecore=: the top of every node's RAM, in proportion to its size, aligned to MAX_ORDER blocks. */
    private static ZoneLayout zoneLayout(MachineProfile p, Memblock memblock, long[] nodeEnds) {
        long[] movable = new long[p.nrNodes()];
        java.util.Arrays.fill(movable, -1);
        if (p.movablecore() > 0) {
            long totalPages = 0;
            for (Memblock.Region r : memblock.memory()) {
                totalPages += r.pages();
            }
            for (int nid = 0; nid < p.nrNodes(); nid++) {
                long nodePages = 0;
                long nodeEnd = 0;
                for (Memblock.Region r : memblock.memory()) {
                    if (r.nid() == nid) {
                        nodePages += r.pages();
                        nodeEnd = Math.max(nodeEnd, r.endPfn());
                    }
                }
                long want = Page.pfnUp(p.movablecore()) * nodePages / totalPages;
                long start = (nodeEnd - want) & ~1023L;
                movable[nid] = Math.max(start, ZoneLayout.MAX_DMA32_PFN);
            }
        }
        return new ZoneLayout(p.nrNodes(), movable);
    }

    private static void logZones(Kernel k, MemoryManager mm, Memblock memblock) {
        k.printk(6, "Zone ranges:");
        for (ZoneType t : ZoneType.values()) {
            if (t == ZoneType.MOVABLE) {
                continue;
            }
            long lo = Long.MAX_VALUE;
            long hi = 0;
            for (var pgdat : mm.nodes()) {
                Zone z = pgdat.zone(t);
                if (z.spannedPages() > 0) {
                    lo = Math.min(lo, z.zoneStartPfn());
                    hi = Math.max(hi, z.zoneEndPfn());
                }
            }
            k.printk(6, hi == 0 ? String.format("  %-8s empty", t.procName())
                    : String.format("  %-8s [mem 0x%016x-0x%016x]", t.procName(), Page.bytes(lo), Page.bytes(hi) - 1));
        }
        k.printk(6, "Movable zone start for each node");
        for (var pgdat : mm.nodes()) {
            Zone z = pgdat.zone(ZoneType.MOVABLE);
            if (z.spannedPages() > 0) {
                k.printk(6, String.format("  Node %d: 0x%016x", pgdat.nodeId(), Page.bytes(z.zoneStartPfn())));
            }
        }
        k.printk(6, "Early memory node ranges");
        for (Memblock.Region r : memblock.memory()) {
            k.printk(6, String.format("  node %3d: [mem 0x%016x-0x%016x]", r.nid(), Page.bytes(r.startPfn()),
                    Page.bytes(r.endPfn()) - 1));
        }
        for (var pgdat : mm.nodes()) {
            k.printk(6, String.format("Initmem setup node %d [mem 0x%016x-0x%016x]", pgdat.nodeId(),
                    Page.bytes(pgdat.nodeStartPfn()), Page.bytes(pgdat.nodeStartPfn() + pgdat.nodeSpannedPages()) - 1));
        }
    }

    /**
     * rest_init(): pid 1 (kernel_init, which becomes init when userspace starts) and pid 2 (kthreadd), then the
     * kernel threads kthreadd starts during boot: in no process group or session (0) and ignoring every signal,
     * as kthreadd's ignore_signals() leaves them. Returns the init task.
     */
    static Task startKernelThreads(Kernel k) {
        TaskList tasks = k.tasks();
        int initPid = tasks.allocPid();
        Task init = new Task(initPid, initPid, 0, "swapper/0", Task.State.SLEEPING, Task.PF_KTHREAD, 0, 0, 0, 0, 0);
        tasks.add(init);
        k.cgroups().tasks().postFork(init, null);
        long start = Clock.secondsToJiffies(0.14);
        for (KernelThreads.Spec s : KernelThreads.specs(k.profile().nrCpus(), k.profile().nrNodes())) {
            int pid = tasks.allocPid();
            int ppid = pid == KernelThreads.KTHREADD_PID ? 0 : KernelThreads.KTHREADD_PID;
            Task t = new Task(pid, pid, ppid, s.comm(), s.state(), s.flags(), s.nice(), start, s.cpu(), 0, 0);
            t.setSession(0, 0);
            t.setSignals(-1L, 0);
            tasks.add(t);
            k.cgroups().tasks().postFork(t, null);
            if (ppid == KernelThreads.KTHREADD_PID) {
                tasks.get(ppid).addChild(pid);
            }
            start += 1;
        }
        return init;
    }

    /**
     * The activity of early boot and userspace start-up, compressed: userspace and the page cache come and go
     * (movable pages), kernel caches grow and shrink (reclaimable pages), and drivers and kernel data structures
     * keep what they allocate (unmovable pages). What stays is a buddy allocator with claimed pageblocks and
     * fragments, as on a machine that has been running, not a freshly zeroed array.
     */
    static void earlyActivity(Kernel k, SeededRandom rnd) {
        MemoryManager mm = k.mm();
        long ram = mm.vmstat().totalramPages();
        int cpus = k.profile().nrCpus();
        int movableTarget = (int) Math.min(ram / 8, EARLY_TRANSIENT_MAX_PAGES);
        long keepUnmovable = Math.max(64, ram / 250);
        double keepChance = Math.min(1.0, (double) keepUnmovable / movableTarget * 1.2);
        int[] transientPfn = new int[movableTarget + movableTarget / 8 + 16];
        byte[] transientCpu = new byte[transientPfn.length];
        int nTransient = 0;
        long kept = 0;
        for (int movable = 0; movable < movableTarget; movable++) {
            int cpu = rnd.nextInt(cpus);
            int pfn = mm.pageAlloc().allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0, mm.cpuToNode(cpu), cpu, PageOwner.KERNEL);
            if (pfn < 0) {
                break;
            }
            transientPfn[nTransient] = pfn;
            transientCpu[nTransient++] = (byte) cpu;
            if (rnd.chance(0.08) && nTransient < transientPfn.length) {
                int rcpu = rnd.nextInt(cpus);
                int rpfn = mm.pageAlloc().allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_RECLAIMABLE, 0,
                        mm.cpuToNode(rcpu), rcpu, PageOwner.KERNEL);
                if (rpfn >= 0) {
                    transientPfn[nTransient] = rpfn;
                    transientCpu[nTransient++] = (byte) rcpu;
                }
            }
            if (kept < keepUnmovable && rnd.chance(keepChance)) {
                kept += keepUnmovable(k, rnd, mm, cpus);
            }
        }
        while (kept < keepUnmovable) {
            kept += keepUnmovable(k, rnd, mm, cpus);
        }
        for (int i = nTransient - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = transientPfn[i];
            transientPfn[i] = transientPfn[j];
            transientPfn[j] = t;
            byte c = transientCpu[i];
            transientCpu[i] = transientCpu[j];
            transientCpu[j] = c;
        }
        for (int i = 0; i < nTransient; i++) {
            mm.pageAlloc().freePages(transientPfn[i], 0, transientCpu[i]);
        }
    }

    /** One long-lived kernel allocation (driver or kernel data), handed to the churn to age; returns its pages. */
    private static long keepUnmovable(Kernel k, SeededRandom rnd, MemoryManager mm, int cpus) {
        int order = rnd.chance(0.8) ? 0 : rnd.nextInt(1, 4);
        int cpu = rnd.nextInt(cpus);
        int pfn = mm.pageAlloc().allocPages(Gfp.GFP_KERNEL, order, mm.cpuToNode(cpu), cpu, PageOwner.KERNEL);
        if (pfn < 0) {
            return 1;
        }
        k.churn().adoptLongLived(pfn, order, cpu);
        return 1L << order;
    }
}
