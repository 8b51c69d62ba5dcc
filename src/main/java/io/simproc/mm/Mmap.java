package io.simproc.mm;

import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;

import java.util.ArrayList;
import java.util.List;

/**
 * Address-space operations of mm/mmap.c, mm/vma.c and mm/mprotect.c: creating a mapping (merged with compatible
 * neighbours, placed top-down below mmap_base by {@link UnmappedArea}), unmapping (splitting VMAs at the edges,
 * freeing the page tables of the gap), changing protection, brk, stack growth, and tearing an address space down at
 * exit. mlock is {@link Mlock}, madvise {@link Madvise}; creating and duplicating an address space is
 * {@link MmStructs}; the anon_vma chains of VMAs are {@link Rmap}'s.
 *
 * <p>Keeps the virtual-memory counters of every mm (total_vm, data_vm, exec_vm, stack_vm, locked_vm) and the
 * commit charge of VM_ACCOUNT mappings (Committed_AS) as the kernel does. Failures return a negative errno.
 */
public final class Mmap {
    /** The default RLIMIT_STACK: how far a stack may grow. */
    public static final long STACK_RLIMIT = 8L << 20;

    private final MemoryManager mm;

    Mmap(MemoryManager mm) {
        this.mm = mm;
    }

    /**
     * GFP_PGTABLE_USER (include/asm-generic/pgalloc.h): GFP_PGTABLE_KERNEL | __GFP_ACCOUNT, so user page tables
     * are charged to current's memory cgroup (__memcg_kmem_charge_page) and count in its pagetables.
     */
    static final int GFP_PGTABLE_USER = Gfp.GFP_KERNEL | Gfp.__GFP_ZERO | Gfp.__GFP_ACCOUNT;

    /** The allocator of page-table pages for an mm (GFP_PGTABLE_USER: kernel, unmovable, zeroed, accounted). */
    PageTable.TableAllocator tableAllocator(MmStruct mmStruct) {
        if (mmStruct.tableAllocator == null) {
            mmStruct.tableAllocator = newTableAllocator(mmStruct);
        }
        return mmStruct.tableAllocator;
    }

    private PageTable.TableAllocator newTableAllocator(MmStruct mmStruct) {
        return new PageTable.TableAllocator() {
            @Override
            public int alloc() {
                int pfn = mm.pageAlloc().allocPages(GFP_PGTABLE_USER, 0, mmStruct.homeNid, mmStruct.homeCpu,
                        PageOwner.PAGETABLE);
                if (pfn < 0) {
                    return pfn;
                }
                MemcgKmem kmem = mm.memcontrol().kmem();
                if (kmem.chargePage(pfn, 0, GFP_PGTABLE_USER) != 0) {
                    mm.pageAlloc().freePages(pfn, 0, mmStruct.homeCpu);
                    return -1;
                }
                kmem.modKmemPageState(pfn, NodeStatItem.NR_PAGETABLE, 1);
                return pfn;
            }

            @Override
            public void free(int pfn) {
                MemcgKmem kmem = mm.memcontrol().kmem();
                kmem.modKmemPageState(pfn, NodeStatItem.NR_PAGETABLE, -1);
                kmem.unchargePage(pfn, 0);
                mm.pageAlloc().freePages(pfn, 0, mmStruct.homeCpu);
            }
        };
    }

    // -------------------------------------------------------------------------------------------------------
    // mmap

    /**
     * do_mmap(): map {@code len} bytes at {@code addr} (a hint, or exact with {@code fixed}) with the given VM
     * flags, backed by {@code file} from page {@code pgoff} or anonymous when file is null; {@code name} labels
     * special areas. Returns the address or a negative errno.
     */
    public long mmap(MmStruct m, long addr, long len, long vmFlags, AddressSpace file, long pgoff, String name,
                     boolean fixed) {
        mm.assertWriter();
        if (len <= 0) {
            return -Errno.EINVAL;
        }
        len = pageAlign(len);
        if (fixed) {
            if ((addr & ~Page.PAGE_MASK) != 0 || addr + len > MmStruct.TASK_SIZE || addr + len < addr) {
                return -Errno.EINVAL;
            }
        } else {
            boolean thpAligned = file == null && addr == 0 && (vmFlags & VmFlags.VM_SHARED) == 0
                    && len % HugeMemory.HPAGE_PMD_SIZE == 0 || (vmFlags & VmFlags.VM_HUGETLB) != 0;
            addr = thpAligned ? UnmappedArea.thpGetUnmappedArea(m, len) : UnmappedArea.getUnmappedArea(m, addr, len);
            if (addr < 0) {
                return addr;
            }
        }
        long pages = len >>> Page.PAGE_SHIFT;
        boolean account = accountable(file, vmFlags);
        long replaced = fixed ? accountedPagesIn(m, addr, addr + len) : 0;
        if (account && pages > replaced && mm.overcommit().vmEnoughMemory(m, pages - replaced) < 0) {
            return -Errno.ENOMEM;
        }
        if (fixed) {
            munmap(m, addr, len);
        }
        if (account) {
            // The pages of the accounted mappings this one replaced stay charged, now to it (vms.nr_accounted).
            mm.overcommit().addCommitted(Math.min(replaced, pages));
            m.committedPages += pages;
            vmFlags |= VmFlags.VM_ACCOUNT;
        }
        if (file == null && (vmFlags & VmFlags.VM_SHARED) != 0) {
            file = mm.shmem().fileSetup("/dev/zero (deleted)", len, true, m, (vmFlags & VmFlags.VM_NORESERVE) != 0);
            if (file == null) {
                return -Errno.ENOMEM;
            }
            pgoff = 0;
        }
        if (file == null) {
            pgoff = addr >>> Page.PAGE_SHIFT;
        }
        vmFlags |= m.defFlags;
        mergeOrInsert(m, addr, addr + len, vmFlags, file, pgoff, name);
        vmStatAccount(m, vmFlags, pages);
        if ((vmFlags & VmFlags.VM_LOCKED) != 0) {
            m.lockedVm += pages;
            mm.memory().populate(m, addr, addr + len, isCowMapping(vmFlags));
        }
        return addr;
    }

    /**
     * accountable_mapping(): private writable mappings that reserve swap are charged to Committed_AS (hugetlb ones
     * reserve hugetlb folios instead).
     */
    private static boolean accountable(AddressSpace file, long flags) {
        if (file != null && file.isShmem() && (flags & VmFlags.VM_SHARED) != 0 || (flags & VmFlags.VM_HUGETLB) != 0) {
            return false;
        }
        return (flags & (VmFlags.VM_NORESERVE | VmFlags.VM_SHARED | VmFlags.VM_WRITE)) == VmFlags.VM_WRITE;
    }

    /** is_cow_mapping(): private and may be written. */
    static boolean isCowMapping(long flags) {
        return (flags & (VmFlags.VM_SHARED | VmFlags.VM_MAYWRITE)) == VmFlags.VM_MAYWRITE;
    }

    /** Pages of VM_ACCOUNT mappings inside [start, end) (what a MAP_FIXED mapping over them takes over). */
    private static long accountedPagesIn(MmStruct m, long start, long end) {
        long n = 0;
        for (Vma v : m.vmas.subMap(m.vmas.floorKey(start) == null ? start : m.vmas.floorKey(start), true, end,
                false).values()) {
            if (v.test(VmFlags.VM_ACCOUNT)) {
                long s = Math.max(start, v.start);
                long e = Math.min(end, v.end);
                if (e > s) {
                    n += (e - s) >>> Page.PAGE_SHIFT;
                }
            }
        }
        return n;
    }

    /**
     * security_vm_enough_memory_mm() then the VM_ACCOUNT charge: {@code pages} more for {@code m}, decided by the
     * overcommit policy for the address space {@code checkMm}; false (nothing charged) when refused.
     */
    boolean charge(MmStruct m, long pages, MmStruct checkMm) {
        if (mm.overcommit().vmEnoughMemory(checkMm, pages) < 0) {
            return false;
        }
        m.committedPages += pages;
        return true;
    }

    /** vm_unacct_memory() of an accounted mapping going away or shrinking. */
    private void uncharge(MmStruct m, long pages) {
        m.committedPages -= pages;
        mm.overcommit().unacct(pages);
    }

    /** vm_stat_account(). */
    static void vmStatAccount(MmStruct m, long flags, long pages) {
        m.totalVm += pages;
        if ((flags & (VmFlags.VM_EXEC | VmFlags.VM_WRITE | VmFlags.VM_STACK)) == VmFlags.VM_EXEC) {
            m.execVm += pages;
        } else if ((flags & VmFlags.VM_STACK) == VmFlags.VM_STACK) {
            m.stackVm += pages;
        } else if ((flags & (VmFlags.VM_WRITE | VmFlags.VM_SHARED | VmFlags.VM_STACK)) == VmFlags.VM_WRITE) {
            m.dataVm += pages;
        }
        if (m.totalVm > m.hiwaterVm) {
            m.hiwaterVm = m.totalVm;
        }
    }

    /**
     * Insert a new VMA, merging it into an adjacent compatible one (same flags and backing, contiguous file
     * offset, no conflicting anon_vma) as vma_merge() does.
     */
    private Vma mergeOrInsert(MmStruct m, long start, long end, long flags, AddressSpace file, long pgoff,
                              String name) {
        Vma vma = vmaMergeOrInsert(m, start, end, flags, file, pgoff, name);
        mm.khugepaged().khugepagedEnterVma(vma, vma.flags);
        return vma;
    }

    /** mergeOrInsert() before khugepaged_enter_vma() (__mmap_new_vma, vma_merge_new_range). */
    private Vma vmaMergeOrInsert(MmStruct m, long start, long end, long flags, AddressSpace file, long pgoff,
                                 String name) {
        flags = Ksm.ksmVmaFlags(m, flags);
        Vma prev = m.findVma(start - 1);
        Vma next = m.findVma(end);
        boolean special = (flags & VmFlags.VM_SPECIAL) != 0 || name != null && name.startsWith("[v");
        if (!special && prev != null && prev.end == start && canMerge(prev, flags, file, name)
                && (file == null || prev.pgoff + ((prev.end - prev.start) >>> Page.PAGE_SHIFT) == pgoff)) {
            m.vmas.remove(prev.start);
            prev.end = end;
            if (next != null && next.start == end && canMerge(next, flags, file, name)
                    && (prev.anonVma == null || next.anonVma == null || prev.anonVma == next.anonVma)
                    && (file == null || prev.pgoff + ((end - prev.start) >>> Page.PAGE_SHIFT) == next.pgoff)) {
                m.vmas.remove(next.start);
                prev.end = next.end;
                if (prev.anonVma == null && next.anonVma != null) {
                    prev.anonVma = next.anonVma;
                    Rmap.anonVmaClone(prev, next);
                }
                unlink(next);
            }
            m.vmas.put(prev.start, prev);
            return prev;
        }
        if (!special && next != null && next.start == end && canMerge(next, flags, file, name)
                && (file == null || next.pgoff == pgoff + ((end - start) >>> Page.PAGE_SHIFT))) {
            m.vmas.remove(next.start);
            next.start = start;
            next.pgoff = pgoff;
            m.vmas.put(next.start, next);
            return next;
        }
        Vma vma = new Vma(m, start, end, flags, file, pgoff, name);
        m.vmas.put(start, vma);
        if (file != null) {
            file.iMmap.add(vma);
        }
        return vma;
    }

    private static boolean canMerge(Vma v, long flags, AddressSpace file, String name) {
        return v.flags == flags && v.file == file && java.util.Objects.equals(v.name, name)
                && (v.flags & VmFlags.VM_SPECIAL) == 0;
    }

    /** __split_vma(): cut vma at addr; returns the upper part (both parts keep backing and anon_vma). */
    Vma split(MmStruct m, Vma vma, long addr) {
        mm.hugeMemory().splitHugePmdAt(m, addr);
        Vma upper = vma.dup(m);
        upper.start = addr;
        upper.pgoff = vma.pgoff + ((addr - vma.start) >>> Page.PAGE_SHIFT);
        upper.anonVma = vma.anonVma;
        upper.hugetlbResv = vma.hugetlbResv;
        Rmap.anonVmaClone(upper, vma);
        if (upper.file != null) {
            upper.file.iMmap.add(upper);
        }
        vma.end = addr;
        m.vmas.put(upper.start, upper);
        return upper;
    }

    /** Detach a VMA from its anon_vmas and file (unlink_anon_vmas, unlink_file_vma). */
    private void unlink(Vma vma) {
        if (vma.test(VmFlags.VM_HUGETLB)) {
            mm.hugetlb().mapping().vmOpClose(vma);
        }
        mm.rmap().unlinkAnonVmas(vma);
        if (vma.file != null) {
            vma.file.iMmap.remove(vma);
            if (vma.file.isShmem() && vma.file.iMmap.isEmpty() && mm.shmem().isAnonymous(vma.file)) {
                mm.shmem().free(vma.file);
            }
            if (vma.file.isUnlinked() && vma.file.iMmap.isEmpty()) {
                mm.inodes().evictInode(vma.file);
            }
            if (vma.test(VmFlags.VM_HUGETLB) && vma.file.iMmap.isEmpty()) {
                mm.hugetlb().mapping().releaseFile(vma.file);
            }
        }
    }

    // -------------------------------------------------------------------------------------------------------
    // munmap, mprotect, brk, stack

    /** do_vmi_munmap(): unmap [addr, addr + len); VMAs straddling the edges are split. */
    public int munmap(MmStruct m, long addr, long len) {
        mm.assertWriter();
        if ((addr & ~Page.PAGE_MASK) != 0 || len <= 0) {
            return -Errno.EINVAL;
        }
        long end = addr + pageAlign(len);
        Vma first = m.findVma(addr);
        Vma last = m.findVma(end - 1);
        if (first != null && !HugetlbMapping.maySplit(first, addr)
                || last != null && !HugetlbMapping.maySplit(last, end)) {
            return -Errno.EINVAL;
        }
        List<Vma> victims = splitRange(m, addr, end);
        if (victims.isEmpty()) {
            return 0;
        }
        for (Vma v : victims) {
            long pages = (v.end - v.start) >>> Page.PAGE_SHIFT;
            mm.memory().zapRange(m, v, v.start, v.end);
            m.vmas.remove(v.start);
            vmStatAccount(m, v.flags, -pages);
            if ((v.flags & VmFlags.VM_ACCOUNT) != 0) {
                uncharge(m, pages);
            }
            if ((v.flags & VmFlags.VM_LOCKED) != 0) {
                m.lockedVm -= pages;
            }
            unlink(v);
        }
        freePgtables(m, addr, end);
        return 0;
    }

    /** The VMAs inside [start, end) after splitting those that cross its edges. */
    List<Vma> splitRange(MmStruct m, long start, long end) {
        List<Vma> out = new ArrayList<>();
        Vma first = m.findVmaAbove(start);
        if (first == null || first.start >= end) {
            return out;
        }
        if (first.start < start) {
            split(m, first, start);
        }
        Vma last = m.findVma(end - 1);
        if (last != null && last.end > end) {
            split(m, last, end);
        }
        for (Vma v : m.vmas.subMap(start, true, end, false).values()) {
            out.add(v);
        }
        return out;
    }

    /** free_pgtables() for the gap [start, end) between the neighbouring mappings. */
    private void freePgtables(MmStruct m, long start, long end) {
        Vma prev = m.findVma(start - 1);
        if (prev == null) {
            var e = m.vmas.lowerEntry(start);
            prev = e == null ? null : e.getValue();
        }
        Vma next = m.findVmaAbove(end);
        long floor = prev == null ? 0 : prev.end;
        long ceiling = next == null ? MmStruct.TASK_SIZE : next.start;
        m.pgtable.freeEmptyTables(floor, ceiling, tableAllocator(m));
    }

    /** mprotect(): change the protection of [addr, addr + len), which must be fully mapped. */
    public int mprotect(MmStruct m, long addr, long len, int prot) {
        mm.assertWriter();
        if ((addr & ~Page.PAGE_MASK) != 0) {
            return -Errno.EINVAL;
        }
        long end = addr + pageAlign(len);
        for (long a = addr; a < end; ) {
            Vma v = m.findVma(a);
            if (v == null) {
                return -Errno.ENOMEM;
            }
            a = v.end;
        }
        long newBits = VmFlags.fromProt(prot, false) & (VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_EXEC);
        for (Vma v : splitRange(m, addr, end)) {
            long old = v.flags;
            long flags = (old & ~(VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_EXEC)) | newBits;
            long pages = (v.end - v.start) >>> Page.PAGE_SHIFT;
            boolean wasAccountable = (old & VmFlags.VM_ACCOUNT) != 0;
            if (!wasAccountable && accountable(v.file, flags) && (flags & VmFlags.VM_WRITE) != 0) {
                if (!charge(m, pages, m)) {
                    return -Errno.ENOMEM;
                }
                flags |= VmFlags.VM_ACCOUNT;
            }
            vmStatAccount(m, old, -pages);
            vmStatAccount(m, flags, pages);
            v.flags = flags;
            if ((flags & VmFlags.VM_WRITE) == 0) {
                m.pgtable.walk(v.start, v.end, (a, pte, table, i) -> table.entry[i] = pte & ~PageTable._PAGE_RW);
            }
        }
        return 0;
    }

    /**
     * brk(): move the program break. The heap VMA ("[heap]") grows or shrinks page-wise from start_brk; returns
     * the new break (the old one when refused, as the syscall does).
     */
    public long brk(MmStruct m, long newBrk) {
        mm.assertWriter();
        if (newBrk < m.startBrk) {
            return m.brk;
        }
        long oldEnd = pageAlign(m.brk);
        long newEnd = pageAlign(newBrk);
        if (newEnd == oldEnd) {
            m.brk = newBrk;
            return newBrk;
        }
        if (newEnd < oldEnd) {
            munmap(m, newEnd, oldEnd - newEnd);
            m.brk = newBrk;
            return newBrk;
        }
        Vma next = m.findVmaAbove(oldEnd);
        if (next != null && next.start < newEnd + Page.PAGE_SIZE) {
            return m.brk;
        }
        long flags = VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE
                | VmFlags.VM_MAYEXEC | VmFlags.VM_ACCOUNT | m.defFlags;
        flags = Ksm.ksmVmaFlags(m, flags);
        long pages = (newEnd - oldEnd) >>> Page.PAGE_SHIFT;
        if (!charge(m, pages, m)) {
            return m.brk;
        }
        Vma heap = m.findVma(oldEnd - 1);
        if (heap != null && heap.end == oldEnd && "[heap]".equals(heap.name) && heap.flags == flags) {
            m.vmas.remove(heap.start);
            heap.end = newEnd;
            m.vmas.put(heap.start, heap);
        } else {
            heap = new Vma(m, oldEnd, newEnd, flags, null, oldEnd >>> Page.PAGE_SHIFT, "[heap]");
            m.vmas.put(heap.start, heap);
        }
        mm.khugepaged().khugepagedEnterVma(heap, flags);
        vmStatAccount(m, flags, pages);
        if ((flags & VmFlags.VM_LOCKED) != 0) {
            m.lockedVm += pages;
            mm.memory().populate(m, oldEnd, newEnd, true);
        }
        m.brk = newBrk;
        return newBrk;
    }

    /** Set where the heap starts (exec places it after bss). */
    public void setBrkBase(MmStruct m, long startBrk) {
        mm.assertWriter();
        m.startBrk = startBrk;
        m.brk = startBrk;
    }

    /** expand_downwards(): grow a stack VMA down to addr, within RLIMIT_STACK and the guard gap. */
    boolean expandDownwards(MmStruct m, Vma stack, long addr) {
        if (addr >= stack.start) {
            return true;
        }
        if (stack.end - addr > STACK_RLIMIT) {
            return false;
        }
        Vma below = m.vmas.lowerEntry(stack.start) == null ? null : m.vmas.lowerEntry(stack.start).getValue();
        if (below != null && below.end + Memory.STACK_GUARD_GAP > addr) {
            return false;
        }
        long pages = (stack.start - addr) >>> Page.PAGE_SHIFT;
        if ((stack.flags & VmFlags.VM_ACCOUNT) != 0 && !charge(m, pages, m)) {
            return false;
        }
        m.vmas.remove(stack.start);
        stack.start = addr;
        stack.pgoff = addr >>> Page.PAGE_SHIFT;
        m.vmas.put(stack.start, stack);
        vmStatAccount(m, stack.flags, pages);
        if ((stack.flags & VmFlags.VM_LOCKED) != 0) {
            m.lockedVm += pages;
        }
        return true;
    }

    // -------------------------------------------------------------------------------------------------------
    // exit

    /** exit_mmap(): unmap everything, uncharge, free every page table. */
    public void exitMmap(MmStruct m) {
        mm.assertWriter();
        mm.ksm().ksmExit(m);
        mm.khugepaged().khugepagedExit(m);
        for (Vma v : new ArrayList<>(m.vmas.values())) {
            mm.memory().zapRange(m, v, v.start, v.end);
            if (v.test(VmFlags.VM_ACCOUNT)) {
                uncharge(m, (v.end - v.start) >>> Page.PAGE_SHIFT);
            }
            unlink(v);
        }
        m.vmas.clear();
        m.totalVm = 0;
        m.dataVm = 0;
        m.execVm = 0;
        m.stackVm = 0;
        m.lockedVm = 0;
        m.pgtable.freeAll(tableAllocator(m));
        mm.hugeMemory().mmPutHugeZeroFolio(m);
        mm.mmStructs().drop(m);
    }

    static long pageAlign(long v) {
        return (v + Page.PAGE_SIZE - 1) & Page.PAGE_MASK;
    }
}
