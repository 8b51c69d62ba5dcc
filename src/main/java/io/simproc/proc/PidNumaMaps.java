package io.simproc.proc;

import io.simproc.kernel.Task;
import io.simproc.mm.MemMap;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.MmStruct;
import io.simproc.mm.PageFlags;
import io.simproc.mm.PageTable;
import io.simproc.mm.Vma;
import io.simproc.mm.VmFlags;
import io.simproc.uapi.Page;

/**
 * /proc/PID/numa_maps (fs/proc/task_mmu.c show_numa_map): per VMA its start, its memory policy (every task has the
 * default policy), what it maps (file=, heap, stack), and what gather_stats() counted over its present pages —
 * anon, dirty, mapped, mapmax, swapcache, active, writeback, pages per node — and the kernel page size. Needs the
 * ptrace-read check like maps.
 */
final class PidNumaMaps implements ProcFile.Renderer {
    private final Task task;

    PidNumaMaps(Task task) {
        this.task = task;
    }

    /** struct numa_maps. */
    private static final class NumaMaps {
        long pages;
        long anon;
        long active;
        long writeback;
        long mapcountMax;
        long dirty;
        long swapcache;
        long[] node;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        MmStruct mm = PidMaps.openMm(ctx, task);
        if (mm == null) {
            return new byte[0];
        }
        MemoryManager mem = ctx.kernel().mm();
        MemMap map = mem.memMap();
        Seq s = new Seq(128 * (mm.mapCount() + 1));
        for (Vma v : mm.vmas()) {
            s.hex(v.start(), 8).put(" default");
            if (v.file() != null) {
                s.put(" file=");
                mangle(s, v.file().path());
            } else if (v.start() <= mm.brk() && v.end() >= mm.startBrk()) {
                s.put(" heap");
            } else if (v.start() <= mm.startStack() && v.end() >= mm.startStack()) {
                s.put(" stack");
            }
            boolean huge = v.test(VmFlags.VM_HUGETLB);
            if (huge) {
                s.put(" huge");
            }
            NumaMaps md = huge ? gatherHugetlb(mm, v, mem, map) : gather(mm, v, mem, map);
            if (md.pages > 0) {
                show(s, md, huge, PidSmaps.vmaKernelPagesize(v));
            }
            s.nl();
        }
        return s.bytes();
    }

    /** gather_pte_stats() over the VMA: gather_stats() for each present, normal page. */
    private static NumaMaps gather(MmStruct mm, Vma v, MemoryManager mem, MemMap map) {
        NumaMaps md = new NumaMaps();
        md.node = new long[mem.nrNodes()];
        mm.pageTable().scan(v.start(), v.end(), (addr, pte) -> {
            if (!PageTable.isPresent(pte) || (pte & PageTable._PAGE_SPECIAL) != 0) {
                return;
            }
            int pfn = PageTable.pfnOf(pte);
            int flags = map.flags(pfn);
            if ((flags & PageFlags.PG_RESERVED) != 0) {
                return;
            }
            md.mapcountMax = Math.max(md.mapcountMax, map.mapcount(pfn));
            md.pages++;
            if ((pte & PageTable._PAGE_DIRTY) != 0 || (flags & PageFlags.PG_DIRTY) != 0) {
                md.dirty++;
            }
            if ((flags & PageFlags.PG_SWAPCACHE) != 0) {
                md.swapcache++;
            }
            if ((flags & (PageFlags.PG_ACTIVE | PageFlags.PG_UNEVICTABLE)) != 0) {
                md.active++;
            }
            if ((flags & PageFlags.PG_WRITEBACK) != 0) {
                md.writeback++;
            }
            if ((flags & PageFlags.PG_ANON) != 0) {
                md.anon++;
            }
            md.node[mem.zoneOf(pfn).node().nodeId()]++;
        });
        return md;
    }

    /**
     * gather_hugetlb_stats(): gather_stats() once per mapped folio — the huge entry's dirty bit, anonymous (a
     * private mapping's folio), its node.
     */
    private static NumaMaps gatherHugetlb(MmStruct mm, Vma v, MemoryManager mem, MemMap map) {
        NumaMaps md = new NumaMaps();
        md.node = new long[mem.nrNodes()];
        mm.pageTable().scanHugePmds(v.start(), v.end(), (haddr, pte) -> {
            int pfn = PageTable.pfnOf(pte);
            md.pages++;
            md.mapcountMax = Math.max(md.mapcountMax, map.mapcount(pfn));
            if ((pte & PageTable._PAGE_DIRTY) != 0) {
                md.dirty++;
            }
            if (!v.test(VmFlags.VM_MAYSHARE)) {
                md.anon++;
            }
            md.node[mem.zoneOf(pfn).node().nodeId()]++;
        });
        return md;
    }

    private static void show(Seq s, NumaMaps md, boolean huge, long pageSize) {
        if (md.anon > 0) {
            s.put(" anon=").put(md.anon);
        }
        if (md.dirty > 0) {
            s.put(" dirty=").put(md.dirty);
        }
        if (md.pages != md.anon && md.pages != md.dirty) {
            s.put(" mapped=").put(md.pages);
        }
        if (md.mapcountMax > 1) {
            s.put(" mapmax=").put(md.mapcountMax);
        }
        if (md.swapcache > 0) {
            s.put(" swapcache=").put(md.swapcache);
        }
        if (md.active < md.pages && !huge) {
            s.put(" active=").put(md.active);
        }
        if (md.writeback > 0) {
            s.put(" writeback=").put(md.writeback);
        }
        for (int nid = 0; nid < md.node.length; nid++) {
            if (md.node[nid] > 0) {
                s.put(" N").put(nid).put('=').put(md.node[nid]);
            }
        }
        s.put(" kernelpagesize_kB=").put(pageSize >> 10);
    }

    /** seq_path() with the escapes numa_maps asks for: newline, tab, space and '=' as octal. */
    private static void mangle(Seq s, String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\n' || c == '\t' || c == ' ' || c == '=') {
                s.put('\\').put((char) ('0' + (c >> 6))).put((char) ('0' + ((c >> 3) & 7))).put((char) ('0' + (c & 7)));
            } else {
                s.put(c);
            }
        }
    }
}
