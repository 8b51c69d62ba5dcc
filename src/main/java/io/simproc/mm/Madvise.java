package io.simproc.mm;

import io.simproc.uapi.Errno;

import java.util.ArrayList;
import java.util.List;

/**
 * madvise() of mm/madvise.c: MADV_DONTNEED drops the pages of a range; MADV_HUGEPAGE and MADV_NOHUGEPAGE
 * (hugepage_madvise()) set the VMAs' transparent huge page flags (registering the address space with khugepaged),
 * MADV_COLLAPSE collapses a range into THPs now, MADV_MERGEABLE and MADV_UNMERGEABLE
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
        return updateFlags(m, addr, len, (v, start, end) -> mm.ksm().ksmMadvise(v, start, end, merge));
    }

    /** The new flags of a VMA advised over its part [start, end) (its flags when unchanged). */
    @FunctionalInterface
    private interface FlagChange {
        long flags(Vma v, long start, long end);
    }

    /**
     * madvise_walk_vmas() + madvise_update_vma(): each VMA of [addr, addr + len) gets the flags {@code change} gives
     * it, split at the range's edges when they change. -ENOMEM when part of the range is unmapped (the mapped
     * parts are still advised).
     */
    private int updateFlags(MmStruct m, long addr, long len, FlagChange change) {
        long end = Mmap.pageAlign(addr + len);
        long covered = 0;
        Vma first = m.findVmaAbove(addr);
        List<Vma> vmas = first == null ? List.of()
                : new ArrayList<>(m.vmas.subMap(first.start, true, end, false).values());
        for (Vma v : vmas) {
            covered += Math.min(end, v.end) - Math.max(addr, v.start);
            long flags = change.flags(v, Math.max(addr, v.start), Math.min(end, v.end));
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
        return updateFlags(m, addr, len, (v, start, end) -> {
            if ((v.flags & VmFlags.VM_SPECIAL) != 0) {
                return v.flags;
            }
            if (!huge) {
                return (v.flags & ~VmFlags.VM_HUGEPAGE) | VmFlags.VM_NOHUGEPAGE;
            }
            long flags = (v.flags & ~VmFlags.VM_NOHUGEPAGE) | VmFlags.VM_HUGEPAGE;
            mm.khugepaged().khugepagedEnterVma(v, flags);
            return flags;
        });
    }

    /**
     * madvise_collapse() over [addr, addr + len) (MADV_COLLAPSE): the aligned 2 MiB ranges inside it are collapsed
     * into THPs now ({@link KhugepagedCollapse#madviseCollapse}).
     */
    public int madviseCollapse(MmStruct m, long addr, long len) {
        mm.assertWriter();
        return mm.khugepaged().collapse().madviseCollapse(m, addr, Mmap.pageAlign(addr + len));
    }
}
