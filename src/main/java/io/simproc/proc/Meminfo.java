package io.simproc.proc;

import io.simproc.kernel.Boot;
import io.simproc.kernel.Kernel;
import io.simproc.mm.Hugetlb;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.NodeStatItem;
import io.simproc.mm.ShowMem;
import io.simproc.mm.ZoneStatItem;
import io.simproc.uapi.Page;

/**
 * /proc/meminfo (fs/proc/meminfo.c, meminfo_proc_show) for the simulated 6.18 configuration: every field in
 * kernel order, {@code "%-16s%8lu kB"} lines with the kernel's exceptions. Values come from the counters the
 * memory manager keeps; fields of subsystems the machine does not have are 0.
 */
public final class Meminfo implements ProcFile.Renderer {
    /** VMALLOC_TOTAL >> 10 with 4-level paging: 32 TiB − 1 KiB. */
    static final long VMALLOC_TOTAL_KB = 34359738367L;

    @Override
    public byte[] render(ProcContext ctx) {
        Kernel k = ctx.kernel();
        MemoryManager mm = k.mm();
        Boot.Facts facts = k.facts();
        long freePages = mm.vmstat().globalZoneState(ZoneStatItem.NR_FREE_PAGES);
        long swapCached = mm.vmstat().globalNodeState(NodeStatItem.NR_SWAPCACHE);
        long buffers = mm.inodes().nrBlockdevPages();
        long cached = Math.max(0, mm.vmstat().globalNodeState(NodeStatItem.NR_FILE_PAGES) - swapCached - buffers);
        long activeAnon = mm.vmstat().globalNodeState(NodeStatItem.NR_ACTIVE_ANON);
        long inactiveAnon = mm.vmstat().globalNodeState(NodeStatItem.NR_INACTIVE_ANON);
        long activeFile = mm.vmstat().globalNodeState(NodeStatItem.NR_ACTIVE_FILE);
        long inactiveFile = mm.vmstat().globalNodeState(NodeStatItem.NR_INACTIVE_FILE);
        long sreclaimable = NodeStatItem.NR_SLAB_RECLAIMABLE_B.shown(
                mm.vmstat().globalNodeState(NodeStatItem.NR_SLAB_RECLAIMABLE_B));
        long sunreclaim = NodeStatItem.NR_SLAB_UNRECLAIMABLE_B.shown(
                mm.vmstat().globalNodeState(NodeStatItem.NR_SLAB_UNRECLAIMABLE_B));
        long swapTotal = mm.swap().totalSwapPages();

        Seq s = new Seq(2048);
        kb(s, "MemTotal:", mm.vmstat().totalramPages());
        kb(s, "MemFree:", freePages);
        kb(s, "MemAvailable:", ShowMem.siMemAvailable(mm));
        kb(s, "Buffers:", buffers);
        kb(s, "Cached:", cached);
        kb(s, "SwapCached:", swapCached);
        kb(s, "Active:", activeAnon + activeFile);
        kb(s, "Inactive:", inactiveAnon + inactiveFile);
        kb(s, "Active(anon):", activeAnon);
        kb(s, "Inactive(anon):", inactiveAnon);
        kb(s, "Active(file):", activeFile);
        kb(s, "Inactive(file):", inactiveFile);
        kb(s, "Unevictable:", mm.vmstat().globalNodeState(NodeStatItem.NR_UNEVICTABLE));
        kb(s, "Mlocked:", mm.vmstat().globalZoneState(ZoneStatItem.NR_MLOCK));
        kb(s, "SwapTotal:", swapTotal);
        kb(s, "SwapFree:", mm.swap().nrSwapPagesFree());
        kb(s, "Zswap:", 0);
        kb(s, "Zswapped:", 0);
        kb(s, "Dirty:", mm.vmstat().globalNodeState(NodeStatItem.NR_FILE_DIRTY));
        kb(s, "Writeback:", mm.vmstat().globalNodeState(NodeStatItem.NR_WRITEBACK));
        kb(s, "AnonPages:", mm.vmstat().globalNodeState(NodeStatItem.NR_ANON_MAPPED));
        kb(s, "Mapped:", mm.vmstat().globalNodeState(NodeStatItem.NR_FILE_MAPPED));
        kb(s, "Shmem:", mm.vmstat().globalNodeState(NodeStatItem.NR_SHMEM));
        kb(s, "KReclaimable:", sreclaimable + mm.vmstat().globalNodeState(NodeStatItem.NR_KERNEL_MISC_RECLAIMABLE));
        kb(s, "Slab:", sreclaimable + sunreclaim);
        kb(s, "SReclaimable:", sreclaimable);
        kb(s, "SUnreclaim:", sunreclaim);
        line(s, "KernelStack:", mm.vmstat().globalNodeState(NodeStatItem.NR_KERNEL_STACK_KB));
        kb(s, "PageTables:", mm.vmstat().globalNodeState(NodeStatItem.NR_PAGETABLE));
        kb(s, "SecPageTables:", mm.vmstat().globalNodeState(NodeStatItem.NR_SECONDARY_PAGETABLE));
        kb(s, "NFS_Unstable:", 0);
        kb(s, "Bounce:", 0);
        kb(s, "WritebackTmp:", 0);
        kb(s, "CommitLimit:", ShowMem.vmCommitLimit(mm));
        kb(s, "Committed_AS:", Math.max(0, mm.overcommit().committedAsPages()));
        line(s, "VmallocTotal:", VMALLOC_TOTAL_KB);
        kb(s, "VmallocUsed:", mm.vmalloc().nrVmallocPages());
        line(s, "VmallocChunk:", 0);
        kb(s, "Percpu:", mm.percpu().nrPages());
        kb(s, "AnonHugePages:", mm.vmstat().globalNodeState(NodeStatItem.NR_ANON_THPS));
        kb(s, "ShmemHugePages:", mm.vmstat().globalNodeState(NodeStatItem.NR_SHMEM_THPS));
        kb(s, "ShmemPmdMapped:", mm.vmstat().globalNodeState(NodeStatItem.NR_SHMEM_PMDMAPPED));
        kb(s, "FileHugePages:", mm.vmstat().globalNodeState(NodeStatItem.NR_FILE_THPS));
        kb(s, "FilePmdMapped:", mm.vmstat().globalNodeState(NodeStatItem.NR_FILE_PMDMAPPED));
        if (mm.config().cma()) {
            kb(s, "CmaTotal:", facts.totalcmaPages());
            kb(s, "CmaFree:", mm.vmstat().globalZoneState(ZoneStatItem.NR_FREE_CMA_PAGES));
        }
        kb(s, "Balloon:", mm.vmstat().globalNodeState(NodeStatItem.NR_BALLOON_PAGES));
        hugetlbReportMeminfo(s, mm.hugetlb());
        line(s, "DirectMap4k:", facts.directMap4k());
        line(s, "DirectMap2M:", facts.directMap2M());
        line(s, "DirectMap1G:", facts.directMap1G());
        return s.bytes();
    }

    /** hugetlb_report_meminfo(): the default hstate's counts, then the whole pool in kB. */
    private static void hugetlbReportMeminfo(Seq s, Hugetlb h) {
        count(s, "HugePages_Total:", h.nrHugePages());
        count(s, "HugePages_Free:", h.freeHugePages());
        count(s, "HugePages_Rsvd:", h.resvHugePages());
        count(s, "HugePages_Surp:", h.surplusHugePages());
        line(s, "Hugepagesize:", Hugetlb.HUGE_PAGE_SIZE_KB);
        line(s, "Hugetlb:", h.nrHugePages() * Hugetlb.HUGE_PAGE_SIZE_KB);
    }

    /** show_val_kb(): a page count shown in kB. */
    private static void kb(Seq s, String label, long pages) {
        line(s, label, Page.kb(pages));
    }

    /** A value already in kB: {@code "%-16s%8lu kB\n"}. */
    private static void line(Seq s, String label, long kb) {
        s.left(label, 16).dec(kb, 8).put(" kB\n");
    }

    /** The HugePages_ counts: 19-character label, width 5, no unit. */
    private static void count(Seq s, String label, long n) {
        s.left(label, 19).dec(n, 5).nl();
    }
}
