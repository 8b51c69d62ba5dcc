package io.simproc.kernel;

import io.simproc.mm.AddressSpace;
import io.simproc.mm.Memory;
import io.simproc.mm.MmStruct;
import io.simproc.mm.Mmap;
import io.simproc.mm.Prot;
import io.simproc.mm.VmFlags;
import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;

import java.util.List;

/**
 * execve() of fs/exec.c and fs/binfmt_elf.c, with the address-space layout randomization of x86_64: a fresh address
 * space gets the stack at a random distance below TASK_SIZE (132 KiB to start, arguments and environment written
 * at its top), the PIE executable at ELF_ET_DYN_BASE plus a random offset (an ET_EXEC one at its link address),
 * the program break a random distance after its bss, the dynamic loader and the vDSO pages at the top of the mmap
 * area below mmap_base, and the shared libraries top-down below them. The loader's own work is replayed: it reads
 * each object's first page, writes its relocations (making the data and RELRO pages private copies) and then
 * write-protects the RELRO part.
 */
final class Exec {
    /** ELF_ET_DYN_BASE on x86_64: two thirds of the 47-bit user space, page aligned. */
    static final long ELF_ET_DYN_BASE = 0x555555554000L;
    /** mmap_rnd_bits = 28: up to 2^28 pages of randomization for mmap_base and PIE load bias. */
    static final int MMAP_RND_BITS = 28;
    /** stack_maxrandom_size(): 22 bits of pages (16 GiB). */
    static final long STACK_RND_PAGES = 1L << 22;
    /** The first stack: 128 KiB plus a page of arguments, as setup_arg_pages() leaves it. */
    static final long INITIAL_STACK = 0x21000L;
    /** arch_randomize_brk(): up to 1 GiB after the end of bss on 64-bit. */
    static final long BRK_RND = 1L << 30;
    static final long VVAR_PAGES = 4;
    static final long VVAR_VCLOCK_PAGES = 2;
    static final long VDSO_PAGES = 2;

    private Exec() {
    }

    /** Replace the task's program: new address space, ELF loaded, libraries mapped. Returns 0 or -errno. */
    static int execve(Kernel k, Task t, ElfImage exe, ElfImage interp, List<ElfImage> libs, List<String> argv,
                      SeededRandom aslr) {
        if (interp.fixedBase() != 0 || libs.stream().anyMatch(l -> l.fixedBase() != 0)) {
            return -Errno.ENOEXEC;
        }
        Mmap mmap = k.mm().mmap();
        long rnd = aslr.nextLong(1L << MMAP_RND_BITS) << Page.PAGE_SHIFT;
        long gap = Mmap.STACK_RLIMIT + (STACK_RND_PAGES << Page.PAGE_SHIFT) + Memory.STACK_GUARD_GAP;
        long mmapBase = (MmStruct.TASK_SIZE - gap - rnd) & Page.PAGE_MASK;
        MmStruct m = k.mm().mmStructs().newMm(t.cpu(), mmapBase);
        if (m == null) {
            return -Errno.ENOMEM;
        }
        MmStruct old = t.mm();
        if (old != null) {
            k.mm().mempolicy().inherit(old, m);
        }
        k.memoryController().execMm(t, m);
        t.setMm(m);
        if (old != null) {
            k.processes().dropMm(old);
        }
        long stackTop = MmStruct.TASK_SIZE - (aslr.nextLong(STACK_RND_PAGES) << Page.PAGE_SHIFT);
        long stackFlags = VmFlags.fromProt(Prot.READ | Prot.WRITE, false) | VmFlags.VM_GROWSDOWN;
        if (mmap.mmap(m, stackTop - INITIAL_STACK, INITIAL_STACK, stackFlags, null, 0, "[stack]", true) < 0) {
            return -Errno.ENOMEM;
        }
        long argBytes = 0;
        for (String a : argv) {
            argBytes += a.length() + 1;
        }
        long envBytes = 1536;
        long argStart = stackTop - Page.PAGE_SIZE - envBytes - argBytes - (aslr.nextLong(256) << 4);
        long argEnd = argStart + argBytes;
        long startStack = (argStart - 0x1000 - aslr.nextLong(64) * 16) & ~0xfL;
        for (long a = (startStack & Page.PAGE_MASK); a < stackTop; a += Page.PAGE_SIZE) {
            k.mm().memory().access(m, a, true);
        }

        long bias = ELF_ET_DYN_BASE + (aslr.nextLong(1L << MMAP_RND_BITS) << Page.PAGE_SHIFT);
        if (exe.fixedBase() != 0) {
            bias = exe.fixedBase();
        }
        long[] code = mapObject(k, m, exe, bias, false);
        long brkBase = ElfImage.pageAlign(bias + exe.span()) + (aslr.nextLong(BRK_RND >>> Page.PAGE_SHIFT)
                << Page.PAGE_SHIFT);
        mmap.setBrkBase(m, brkBase);

        long reserve = VmFlags.fromProt(Prot.NONE, false);
        long ldBase = mmap.mmap(m, 0, interp.span(), reserve, null, 0, null, false);
        if (ldBase < 0) {
            return (int) ldBase;
        }
        mapObject(k, m, interp, ldBase, false);
        long vdsoBytes = (VVAR_PAGES + VVAR_VCLOCK_PAGES + VDSO_PAGES) << Page.PAGE_SHIFT;
        long vvar = mmap.mmap(m, 0, vdsoBytes, reserve, null, 0, null, false);
        if (vvar < 0) {
            return (int) vvar;
        }
        long vvarFlags = VmFlags.VM_READ | VmFlags.VM_MAYREAD | VmFlags.VM_PFNMAP | VmFlags.VM_IO
                | VmFlags.VM_DONTEXPAND | VmFlags.VM_DONTDUMP;
        long vdsoFlags = VmFlags.VM_READ | VmFlags.VM_EXEC | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE
                | VmFlags.VM_MAYEXEC | VmFlags.VM_DONTEXPAND;
        mmap.mmap(m, vvar, VVAR_PAGES << Page.PAGE_SHIFT, vvarFlags, null, 0, "[vvar]", true);
        long clock = vvar + (VVAR_PAGES << Page.PAGE_SHIFT);
        mmap.mmap(m, clock, VVAR_VCLOCK_PAGES << Page.PAGE_SHIFT, vvarFlags, null, 0, "[vvar_vclock]", true);
        long vdso = clock + (VVAR_VCLOCK_PAGES << Page.PAGE_SHIFT);
        mmap.mmap(m, vdso, VDSO_PAGES << Page.PAGE_SHIFT, vdsoFlags, null, 0, "[vdso]", true);
        for (ElfImage lib : libs) {
            long base = mmap.mmap(m, 0, lib.span(), reserve, null, 0, null, false);
            if (base < 0) {
                return (int) base;
            }
            mapObject(k, m, lib, base, true);
        }
        m.setLayout(code[0], code[1], code[2], code[3], startStack, argStart, argEnd, argEnd,
                argEnd + envBytes);
        t.setArgv(argv);
        t.setExe(exe.path());
        t.setComm(exe.baseName());
        t.setFlags((t.flags() & ~(Task.PF_FORKNOEXEC | Task.PF_KTHREAD | Task.PF_NOFREEZE | Task.PF_NO_SETAFFINITY))
                | Task.PF_RANDOMIZE);
        // flush_signal_handlers(): caught signals revert to SIG_DFL, ignored ones stay ignored.
        t.setSignals(t.sigIgnore(), 0);
        return 0;
    }

    /**
     * Map one ELF object at base as binfmt_elf (the executable and the interpreter) or ld.so (libraries, byLdSo)
     * do, each mapping from its file offset, then replay the loader's touches. A hole between two segments stays
     * unmapped after binfmt_elf's elf_map() (it maps the total size and unmaps the excess) but stays mapped
     * PROT_NONE from the file after ld.so's _dl_map_segments() (it maps the whole span from the first segment's
     * offset and mprotect()s the holes). Returns {start_code, end_code, start_data, end_data}.
     */
    private static long[] mapObject(Kernel k, MmStruct m, ElfImage img, long base, boolean byLdSo) {
        Mmap mmap = k.mm().mmap();
        Memory memory = k.mm().memory();
        AddressSpace file = k.vfs().file(img.path(), img.fileSize());
        long startCode = Long.MAX_VALUE;
        long endCode = 0;
        long startData = 0;
        long endData = 0;
        ElfImage.Mapping first = img.mappings().get(0);
        long end = base + first.offset();
        for (ElfImage.Mapping map : img.mappings()) {
            long addr = base + map.offset();
            if (addr > end) {
                if (byLdSo) {
                    long holeOffset = first.fileOffset() + (end - base - first.offset());
                    mmap.mmap(m, end, addr - end, VmFlags.fromProt(Prot.NONE, false), file,
                            holeOffset >>> Page.PAGE_SHIFT, null, true);
                } else {
                    mmap.munmap(m, end, addr - end);
                }
            }
            long size = ElfImage.pageAlign(map.size());
            int prot = map.relro() ? Prot.READ | Prot.WRITE : map.protBits();
            mmap.mmap(m, addr, size, VmFlags.fromProt(prot, false), file, map.fileOffset() >>> Page.PAGE_SHIFT,
                    null, true);
            memory.access(m, addr, false);
            if (map.relro() || (prot & Prot.WRITE) != 0) {
                for (long a = addr; a < addr + size; a += Page.PAGE_SIZE) {
                    memory.access(m, a, true);
                }
            }
            if (map.relro()) {
                mmap.mprotect(m, addr, size, Prot.READ);
            }
            if ((prot & Prot.EXEC) != 0) {
                startCode = Math.min(startCode, addr);
                endCode = Math.max(endCode, addr + map.size());
            }
            if ((prot & Prot.WRITE) != 0 || map.relro()) {
                startData = startData == 0 ? addr : Math.min(startData, addr);
                endData = Math.max(endData, addr + map.size());
            }
            end = addr + size;
        }
        if (img.bssBytes() > 0) {
            long bss = ElfImage.pageAlign(img.bssBytes());
            mmap.mmap(m, end, bss, VmFlags.fromProt(Prot.READ | Prot.WRITE, false), null, 0, null, true);
        }
        return new long[] {startCode == Long.MAX_VALUE ? base : startCode, endCode, startData, endData};
    }
}
