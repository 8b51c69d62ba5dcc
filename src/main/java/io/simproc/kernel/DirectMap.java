package io.simproc.kernel;

/**
 * The kernel's direct mapping of physical memory (arch/x86/mm/init.c init_memory_mapping, split_mem_range):
 * each mapped range uses 4 KiB pages up to the first 2 MiB boundary, 2 MiB pages up to the first 1 GiB boundary,
 * 1 GiB pages in the middle, and the same in reverse at the end. The first MiB is always mapped with 4 KiB pages.
 * Then mark_rodata_ro() splits the 2 MiB pages that hold the kernel's text and rodata ({@link #BOOT_SPLITS}),
 * which is what the DirectMap4k/2M/1G lines of /proc/meminfo report.
 */
final class DirectMap {
    static final long K4 = 4L << 10;
    static final long M2 = 2L << 20;
    static final long G1 = 1L << 30;
    /** 2 MiB direct-map pages split to 4 KiB at boot (direct_map_level2_splits). */
    static final int BOOT_SPLITS = 3;

    private DirectMap() {
    }

    /** kB mapped with {4K, 2M, 1G} pages. */
    static long[] compute(MachineProfile p) {
        long[] bytes = new long[3];
        long isaEnd = 1L << 20;
        bytes[0] += isaEnd;
        java.util.List<long[]> ranges = new java.util.ArrayList<>();
        for (E820Entry e : p.e820()) {
            if (e.type() != E820Entry.Type.RAM) {
                continue;
            }
            long s = Math.max(isaEnd, (e.start() + K4 - 1) & -K4);
            long end = (e.end() + 1) & -K4;
            if (end <= s) {
                continue;
            }
            if (!ranges.isEmpty() && ranges.get(ranges.size() - 1)[1] == s) {
                ranges.get(ranges.size() - 1)[1] = end;
            } else {
                ranges.add(new long[] {s, end});
            }
        }
        for (long[] r : ranges) {
            split(r[0], r[1], bytes);
        }
        long split = Math.min(BOOT_SPLITS * M2, bytes[1]);
        bytes[1] -= split;
        bytes[0] += split;
        return new long[] {bytes[0] >> 10, bytes[1] >> 10, bytes[2] >> 10};
    }

    private static void split(long start, long end, long[] bytes) {
        long headEnd = Math.min(roundUp(start, M2), end);
        bytes[0] += headEnd - start;
        long s = headEnd;
        if (s >= end) {
            return;
        }
        long gStart = Math.min(roundUp(s, G1), end & -M2);
        bytes[1] += Math.max(0, gStart - s);
        s = Math.max(s, gStart);
        long gEnd = end & -G1;
        if (gEnd > s) {
            bytes[2] += gEnd - s;
            s = gEnd;
        }
        long mEnd = end & -M2;
        if (mEnd > s) {
            bytes[1] += mEnd - s;
            s = mEnd;
        }
        bytes[0] += end - s;
    }

    private static long roundUp(long v, long a) {
        return (v + a - 1) & -a;
    }
}
