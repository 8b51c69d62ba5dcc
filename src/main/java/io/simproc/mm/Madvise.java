package io.simproc.mm;

import io.simproc.uapi.Errno;

import java.util.ArrayList;
import java.util.List;

/**
 * madvise() of mm/madvise.c: MADV_DONTNEED drops the pages of a range; MADV_HUGEPAGE and MADV_NOHUGEPAGE
 * (hugepage_madvise()) set the VMAs' transparent huge page flags, MADV_MERGEABLE and MADV_UNMERGEABLE
 * (ksm_madvise()) their KSM flag, splitting them at the range's edges.
 */
public final class Madvise {
    private final MemoryManager mm;

    Madvise(MemoryManager mm) {
        this.mm = mm;
    }

    /** madvise(MADV_DONTNEED): drop the pages of [addr, addr + len); anonymous memory reads back as zeros. */
    public int madviseDontneed(MmStruct m, long addr, long len) {
        mm.assertWriter();
        long end = Mmap.pageAlign(addr + len);
        for (long a = addr; a < end; ) {
            Vma v = m.findVmaAbove(a);
            if (v == null || v.start >= end) {
                break;
            }
            if (v.test(VmFlags.VM_LOCKED) || v.test(VmFlags.VM_PFNMAP)) {
                return -Errno.EINVAL;
            }
            mm.memory().zapRange(m, v, Math.max(a, v.start), Math.min(end, v.end));
            a = v.end;
        }
        return 0;
    }

    /**
     * ksm_madvise() over [addr, addr + len): MADV_MERGEABLE ({@code merge}) marks the compatible VMAs VM_MERGEABLE and
     * registers the address space with ksmd; MADV_UNMERGEABLE unmerges the range's KSM pages and clears the flag. A
     * VMA whose flags change is split at the range's edges. -ENOMEM when part of the range is unmapped.
     */
    public int madviseMergeable(MmStruct m, long addr, long len, boolean merge) {
        mm.assertWriter();
        long end = Mmap.pageAlign(addr + len);
        long covered = 0;
        Vma first = m.findVmaAbove(addr);
        List<Vma> vmas = first == null ? List.of()
                : new ArrayList<>(m.vmas.subMap(first.start, true, end, false).values());
        for (Vma v : vmas) {
            covered += Math.min(end, v.end) - Math.max(addr, v.start);
            long flags = mm.ksm().ksmMadvise(v, Math.max(addr, v.start), Math.min(end, v.end), merge);
            if (flags == v.flags) {
                continue;
            }
            if (v.start < addr) {
                v = mm.mmap().split(m, v, addr);
            }
            if (v.end > end) {
                mm.mmap().split(m, v, end);
            }
            v.flags = flags;
        }
        return covered == end - addr ? 0 : -Errno.ENOMEM;
    }

    /**
     * hugepage_madvise() over [addr, addr + len): MADV_HUGEPAGE ({@code huge}) sets VM_HUGEPAGE and clears
     * VM_NOHUGEPAGE, MADV_NOHUGEPAGE the reverse; a VMA whose flags change is split at the range's edges. Special
     * mappings keep their flags. Returns -ENOMEM when part of the range is unmapped (the mapped parts are still
     * advised).
     */
    public int madviseHugepage(MmStruct m, long addr, long len, boolean huge) {
        mm.assertWriter();
        long end = Mmap.pageAlign(addr + len);
        long covered = 0;
        Vma first = m.findVmaAbove(addr);
        List<Vma> vmas = first == null ? List.of()
                : new ArrayList<>(m.vmas.subMap(first.start, true, end, false).values());
        for (Vma v : vmas) {
            covered += Math.min(end, v.end) - Math.max(addr, v.start);
            long flags = huge ? (v.flags & ~VmFlags.VM_NOHUGEPAGE) | VmFlags.VM_HUGEPAGE
                    : (v.flags & ~VmFlags.VM_HUGEPAGE) | VmFlags.VM_NOHUGEPAGE;
            if ((v.flags & VmFlags.VM_SPECIAL) != 0 || flags == v.flags) {
                continue;
            }
            if (v.start < addr) {
                v = mm.mmap().split(m, v, addr);
            }
            if (v.end > end) {
                mm.mmap().split(m, v, end);
            }
            v.flags = flags;
        }
        return covered == end - addr ? 0 : -Errno.ENOMEM;
    }
}
