package io.simproc.mm;

import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;

/**
 * Where a new mapping goes when the caller does not insist on an address (mm/mmap.c: get_unmapped_area() with the
 * top-down layout, mm/vma.c: unmapped_area_topdown(), mm/huge_memory.c: thp_get_unmapped_area()): the highest gap
 * below mmap_base that fits, or a usable hint.
 */
final class UnmappedArea {
    private UnmappedArea() {
    }

    /**
     * unmapped_area_topdown(): the highest gap below mmap_base that fits {@code len} (honouring the stack guard gap
     * below grows-down mappings); a free hint is used as given. Returns the address or -ENOMEM.
     */
    static long getUnmappedArea(MmStruct m, long hint, long len) {
        if (hint != 0) {
            hint = Mmap.pageAlign(hint);
            if (hint + len <= MmStruct.TASK_SIZE && isFree(m, hint, hint + len)) {
                return hint;
            }
        }
        long high = m.mmapBase;
        var it = m.vmas.descendingMap().values().iterator();
        Vma above = null;
        while (true) {
            Vma below = null;
            while (it.hasNext()) {
                Vma v = it.next();
                if (v.start < high) {
                    below = v;
                    break;
                }
                above = v;
            }
            long gapEnd = high;
            if (above != null && above.test(VmFlags.VM_GROWSDOWN)) {
                gapEnd = Math.min(gapEnd, above.start - Memory.STACK_GUARD_GAP);
            }
            long gapStart = below == null ? Page.PAGE_SIZE * 16L : below.end;
            if (gapEnd - gapStart >= len && gapEnd - len >= gapStart) {
                return gapEnd - len;
            }
            if (below == null) {
                return -Errno.ENOMEM;
            }
            high = below.start;
            above = below;
        }
    }

    /**
     * thp_get_unmapped_area_vmflags() for a private anonymous mapping without a hint whose length is a multiple of
     * 2 MiB (__get_unmapped_area does this whatever the THP mode): search for the length plus 2 MiB and align the
     * start to 2 MiB, at the top of the padded gap as a top-down layout does; without room for the padding, the
     * plain search.
     */
    static long thpGetUnmappedArea(MmStruct m, long len) {
        long size = HugeMemory.HPAGE_PMD_SIZE;
        long ret = getUnmappedArea(m, 0, len + size);
        if (ret < 0) {
            return getUnmappedArea(m, 0, len);
        }
        long offSub = -ret & (size - 1);
        return offSub == 0 ? ret + size : ret + offSub;
    }

    private static boolean isFree(MmStruct m, long start, long end) {
        Vma v = m.findVmaAbove(start);
        return v == null || v.start >= end;
    }
}
