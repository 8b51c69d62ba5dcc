package io.simproc.mm;

import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;

/**
 * mlock() and munlock() of mm/mlock.c: VM_LOCKED set or cleared on the VMAs of a range (split at its edges), the
 * pages faulted in and moved to or from the unevictable list ({@link Folios#mlock}), locked_vm kept.
 */
public final class Mlock {
    private final MemoryManager mm;

    Mlock(MemoryManager mm) {
        this.mm = mm;
    }

    /** mlock() / munlock() of [addr, addr + len): VM_LOCKED set or cleared, pages faulted in and (un)locked. */
    public int mlock(MmStruct m, long addr, long len, boolean lock) {
        mm.assertWriter();
        long start = addr & Page.PAGE_MASK;
        long end = Mmap.pageAlign(addr + len);
        for (long a = start; a < end; ) {
            Vma v = m.findVma(a);
            if (v == null) {
                return -Errno.ENOMEM;
            }
            a = v.end;
        }
        for (Vma v : mm.mmap().splitRange(m, start, end)) {
            boolean locked = v.test(VmFlags.VM_LOCKED);
            if (locked == lock) {
                continue;
            }
            long pages = (v.end - v.start) >>> Page.PAGE_SHIFT;
            if (v.test(VmFlags.VM_HUGETLB)) {
                // mlock_fixup() neither sets VM_LOCKED on a hugetlb VMA nor counts it; __mm_populate() faults it in.
                if (lock && mm.memory().populate(m, v.start, v.end, v.test(VmFlags.VM_WRITE)) >= Memory.OOM) {
                    return -Errno.ENOMEM;
                }
                continue;
            }
            if (lock) {
                v.flags |= VmFlags.VM_LOCKED;
                m.lockedVm += pages;
                m.pgtable.walk(v.start, v.end, (a, pte, table, i) -> {
                    if (Memory.present(pte) && (pte & PageTable._PAGE_SPECIAL) == 0) {
                        mm.folios().mlock((int) Memory.ptePfn(pte));
                    }
                });
                int r = mm.memory().populate(m, v.start, v.end, Mmap.isCowMapping(v.flags));
                if (r >= Memory.OOM) {
                    return -Errno.ENOMEM;
                }
            } else {
                v.flags &= ~(VmFlags.VM_LOCKED | VmFlags.VM_LOCKONFAULT);
                m.lockedVm -= pages;
                m.pgtable.walk(v.start, v.end, (a, pte, table, i) -> {
                    if (Memory.present(pte) && (pte & PageTable._PAGE_SPECIAL) == 0) {
                        mm.folios().munlock((int) Memory.ptePfn(pte));
                    }
                });
            }
        }
        return 0;
    }
}
