package io.simproc.mm;

/**
 * vm_flags bits of a VMA (include/linux/mm.h) with the two-letter codes /proc/PID/smaps prints in VmFlags, in
 * ascending bit order.
 */
public final class VmFlags {
    public static final long VM_READ = 0x1L;
    public static final long VM_WRITE = 0x2L;
    public static final long VM_EXEC = 0x4L;
    public static final long VM_SHARED = 0x8L;
    public static final long VM_MAYREAD = 0x10L;
    public static final long VM_MAYWRITE = 0x20L;
    public static final long VM_MAYEXEC = 0x40L;
    public static final long VM_MAYSHARE = 0x80L;
    public static final long VM_GROWSDOWN = 0x100L;
    public static final long VM_UFFD_MISSING = 0x200L;
    public static final long VM_PFNMAP = 0x400L;
    public static final long VM_UFFD_WP = 0x1000L;
    public static final long VM_LOCKED = 0x2000L;
    public static final long VM_IO = 0x4000L;
    public static final long VM_SEQ_READ = 0x8000L;
    public static final long VM_RAND_READ = 0x10000L;
    public static final long VM_DONTCOPY = 0x20000L;
    public static final long VM_DONTEXPAND = 0x40000L;
    public static final long VM_LOCKONFAULT = 0x80000L;
    public static final long VM_ACCOUNT = 0x100000L;
    public static final long VM_NORESERVE = 0x200000L;
    public static final long VM_HUGETLB = 0x400000L;
    public static final long VM_SYNC = 0x800000L;
    public static final long VM_ARCH_1 = 0x1000000L;
    public static final long VM_WIPEONFORK = 0x2000000L;
    public static final long VM_DONTDUMP = 0x4000000L;
    public static final long VM_SOFTDIRTY = 0x8000000L;
    public static final long VM_MIXEDMAP = 0x10000000L;
    public static final long VM_HUGEPAGE = 0x20000000L;
    public static final long VM_NOHUGEPAGE = 0x40000000L;
    public static final long VM_MERGEABLE = 0x80000000L;

    /** VM_STACK on x86: stacks grow down. */
    public static final long VM_STACK = VM_GROWSDOWN;
    /** VM_SPECIAL: mappings that are never merged or expanded. */
    public static final long VM_SPECIAL = VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP;

    /** Codes by bit number; null where the kernel prints nothing (bits without a mnemonic print "??"). */
    private static final String[] MNEMONICS = new String[64];

    static {
        String[] low = {"rd", "wr", "ex", "sh", "mr", "mw", "me", "ms", "gd", "um", "pf", null, "uw", "lo", "io",
            "sr", "rr", "dc", "de", "lf", "ac", "nr", "ht", "sf", "ar", "wf", "dd", "sd", "mm", "hg", "nh", "mg"};
        System.arraycopy(low, 0, MNEMONICS, 0, low.length);
    }

    private VmFlags() {
    }

    /** show_smap_vma_flags(): "rd wr mr mw me ac " — each code followed by one space. */
    public static String mnemonics(long flags) {
        StringBuilder sb = new StringBuilder(48);
        for (int bit = 0; bit < 64; bit++) {
            if ((flags & (1L << bit)) == 0) {
                continue;
            }
            if (bit == 27) {
                continue;
            }
            String code = MNEMONICS[bit];
            sb.append(code == null ? "??" : code).append(' ');
        }
        return sb.toString();
    }

    /** calc_vm_prot_bits() + the VM_MAY* bits mmap always grants: the flags of a new mapping. */
    public static long fromProt(int prot, boolean shared) {
        long f = 0;
        if ((prot & Prot.READ) != 0) {
            f |= VM_READ;
        }
        if ((prot & Prot.WRITE) != 0) {
            f |= VM_WRITE;
        }
        if ((prot & Prot.EXEC) != 0) {
            f |= VM_EXEC;
        }
        f |= VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
        if (shared) {
            f |= VM_SHARED | VM_MAYSHARE;
        }
        return f;
    }
}
