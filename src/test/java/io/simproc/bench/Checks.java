package io.simproc.bench;

/**
 * What a benchmark checks of each result, so that a failing allocation, mapping or fault throws instead of being
 * timed as a fast success. The checks are a compare and a branch each, negligible next to what they check.
 */
final class Checks {
    private Checks() {
    }

    /** A pfn from alloc_pages(); -1 is a failed allocation. */
    static int page(int pfn) {
        if (pfn < 0) {
            throw new IllegalStateException("the page allocation failed");
        }
        return pfn;
    }

    /** An object from kmalloc(); 0 is NULL. */
    static long object(long addr, int size) {
        if (addr == 0) {
            throw new IllegalStateException("kmalloc(" + size + ") returned NULL");
        }
        return addr;
    }

    /** An address from mmap(2); negative is -errno. */
    static long mapped(long addr) {
        if (addr < 0) {
            throw new IllegalStateException("mmap failed with errno " + -addr);
        }
        return addr;
    }

    /** A system call's result: 0, else -errno (a fault that could not be served, a failed munmap...). */
    static int ok(int result, String call) {
        if (result != 0) {
            throw new IllegalStateException(call + " failed with " + result);
        }
        return result;
    }
}
