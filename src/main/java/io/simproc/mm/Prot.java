package io.simproc.mm;

/** PROT_* and MAP_* and MADV_* values of mmap(2), mprotect(2) and madvise(2) (include/uapi/asm-generic/mman*.h). */
public final class Prot {
    public static final int NONE = 0x0;
    public static final int READ = 0x1;
    public static final int WRITE = 0x2;
    public static final int EXEC = 0x4;

    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_GROWSDOWN = 0x0100;
    public static final int MAP_DENYWRITE = 0x0800;
    public static final int MAP_EXECUTABLE = 0x1000;
    public static final int MAP_LOCKED = 0x2000;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MAP_POPULATE = 0x8000;
    public static final int MAP_HUGETLB = 0x40000;
    public static final int MAP_FIXED_NOREPLACE = 0x100000;

    public static final int MADV_NORMAL = 0;
    public static final int MADV_RANDOM = 1;
    public static final int MADV_SEQUENTIAL = 2;
    public static final int MADV_WILLNEED = 3;
    public static final int MADV_DONTNEED = 4;
    public static final int MADV_FREE = 8;
    public static final int MADV_MERGEABLE = 12;
    public static final int MADV_UNMERGEABLE = 13;
    public static final int MADV_HUGEPAGE = 14;
    public static final int MADV_NOHUGEPAGE = 15;
    public static final int MADV_COLLAPSE = 25;

    private Prot() {
    }
}
