package io.simproc.uapi;

/**
 * Page geometry of the simulated x86_64 machine (include/asm-generic/page.h, arch/x86/include/asm/page_types.h).
 * Everything in simproc counts pages; these are the only conversions to bytes and KiB.
 */
public final class Page {
    public static final int PAGE_SHIFT = 12;
    public static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    public static final long PAGE_MASK = ~((long) PAGE_SIZE - 1);

    private Page() {
    }

    /** K(x) of fs/proc/meminfo.c: pages to KiB. */
    public static long kb(long pages) {
        return pages << (PAGE_SHIFT - 10);
    }

    public static long bytes(long pages) {
        return pages << PAGE_SHIFT;
    }

    /** Bytes to whole pages, rounding down (PFN_DOWN). */
    public static long pfnDown(long bytes) {
        return bytes >>> PAGE_SHIFT;
    }

    /** Bytes to whole pages, rounding up (PFN_UP). */
    public static long pfnUp(long bytes) {
        return (bytes + PAGE_SIZE - 1) >>> PAGE_SHIFT;
    }
}
