package io.simproc.sysfs;

import io.simproc.mm.Hugetlb;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.NodeStatItem;
import io.simproc.mm.PgData;
import io.simproc.mm.Zone;
import io.simproc.mm.ZoneStatItem;
import io.simproc.proc.ProcContext;
import io.simproc.proc.ProcFile;
import io.simproc.proc.Seq;
import io.simproc.uapi.Page;

/**
 * /sys/devices/system/node/nodeN/meminfo (drivers/base/node.c node_read_meminfo) for the simulated 6.18
 * configuration: {@code "Node N Label:%8lu kB"} lines with the label padded to 16, from the node's own counters —
 * its zones' managed and free pages (si_meminfo_node), its node counters and its zones' NR_MLOCK — so that every
 * field summed over the nodes is the field of /proc/meminfo that has the same name.
 */
final class NodeMeminfo implements ProcFile.Renderer {
    private final int nid;

    NodeMeminfo(int nid) {
        this.nid = nid;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        MemoryManager mm = ctx.kernel().mm();
        PgData pgdat = mm.node(nid);
        long totalram = 0;
        long freeram = 0;
        long mlock = 0;
        for (Zone z : pgdat.zones()) {
            totalram += z.managedPages();
            freeram += z.state(ZoneStatItem.NR_FREE_PAGES);
            mlock += z.state(ZoneStatItem.NR_MLOCK);
        }
        long activeAnon = pgdat.state(NodeStatItem.NR_ACTIVE_ANON);
        long inactiveAnon = pgdat.state(NodeStatItem.NR_INACTIVE_ANON);
        long activeFile = pgdat.state(NodeStatItem.NR_ACTIVE_FILE);
        long inactiveFile = pgdat.state(NodeStatItem.NR_INACTIVE_FILE);
        long sreclaimable = shown(pgdat, NodeStatItem.NR_SLAB_RECLAIMABLE_B);
        long sunreclaimable = shown(pgdat, NodeStatItem.NR_SLAB_UNRECLAIMABLE_B);

        Seq s = new Seq(1536);
        kb(s, "MemTotal:", totalram);
        kb(s, "MemFree:", freeram);
        kb(s, "MemUsed:", totalram - freeram);
        kb(s, "SwapCached:", pgdat.state(NodeStatItem.NR_SWAPCACHE));
        kb(s, "Active:", activeAnon + activeFile);
        kb(s, "Inactive:", inactiveAnon + inactiveFile);
        kb(s, "Active(anon):", activeAnon);
        kb(s, "Inactive(anon):", inactiveAnon);
        kb(s, "Active(file):", activeFile);
        kb(s, "Inactive(file):", inactiveFile);
        kb(s, "Unevictable:", pgdat.state(NodeStatItem.NR_UNEVICTABLE));
        kb(s, "Mlocked:", mlock);
        kb(s, "Dirty:", pgdat.state(NodeStatItem.NR_FILE_DIRTY));
        kb(s, "Writeback:", pgdat.state(NodeStatItem.NR_WRITEBACK));
        kb(s, "FilePages:", pgdat.state(NodeStatItem.NR_FILE_PAGES));
        kb(s, "Mapped:", pgdat.state(NodeStatItem.NR_FILE_MAPPED));
        kb(s, "AnonPages:", pgdat.state(NodeStatItem.NR_ANON_MAPPED));
        kb(s, "Shmem:", pgdat.state(NodeStatItem.NR_SHMEM));
        line(s, "KernelStack:", pgdat.state(NodeStatItem.NR_KERNEL_STACK_KB));
        kb(s, "PageTables:", pgdat.state(NodeStatItem.NR_PAGETABLE));
        kb(s, "SecPageTables:", pgdat.state(NodeStatItem.NR_SECONDARY_PAGETABLE));
        kb(s, "NFS_Unstable:", 0);
        kb(s, "Bounce:", 0);
        kb(s, "WritebackTmp:", 0);
        kb(s, "KReclaimable:", sreclaimable + pgdat.state(NodeStatItem.NR_KERNEL_MISC_RECLAIMABLE));
        kb(s, "Slab:", sreclaimable + sunreclaimable);
        kb(s, "SReclaimable:", sreclaimable);
        kb(s, "SUnreclaim:", sunreclaimable);
        kb(s, "AnonHugePages:", pgdat.state(NodeStatItem.NR_ANON_THPS));
        kb(s, "ShmemHugePages:", pgdat.state(NodeStatItem.NR_SHMEM_THPS));
        kb(s, "ShmemPmdMapped:", pgdat.state(NodeStatItem.NR_SHMEM_PMDMAPPED));
        kb(s, "FileHugePages:", pgdat.state(NodeStatItem.NR_FILE_THPS));
        kb(s, "FilePmdMapped:", pgdat.state(NodeStatItem.NR_FILE_PMDMAPPED));
        hugetlbReportNodeMeminfo(s, mm.hugetlb());
        return s.bytes();
    }

    /**
     * hugetlb_report_node_meminfo(): the node's share of the default-size hugetlb pool ({@code "%5u"}, no unit).
     */
    private void hugetlbReportNodeMeminfo(Seq s, Hugetlb h) {
        count(s, "HugePages_Total:", h.nrHugePagesNode(nid));
        count(s, "HugePages_Free:", h.freeHugePagesNode(nid));
        count(s, "HugePages_Surp:", h.surplusHugePagesNode(nid));
    }

    /** node_page_state_pages() of a counter in its shown unit (slab bytes in pages). */
    private static long shown(PgData pgdat, NodeStatItem item) {
        return item.shown(pgdat.state(item));
    }

    private void kb(Seq s, String label, long pages) {
        line(s, label, Page.kb(pages));
    }

    private void line(Seq s, String label, long kb) {
        s.put("Node ").put(nid).put(' ').left(label, 16).dec(kb, 8).put(" kB\n");
    }

    private void count(Seq s, String label, long n) {
        s.put("Node ").put(nid).put(' ').left(label, 17).dec(n, 5).nl();
    }
}
