package io.simproc.mm;

/**
 * Not a test: a class of the mm package that links a struct page by hand, bypassing {@link PageLists}, so that
 * {@code io.simproc.arch.ArchitectureTest} can show its list rule detects it. It lives in the test sources.
 */
public final class ListLinkViolation {
    private ListLinkViolation() {
    }

    /** A hand-rolled list_add of {@code pfn} before {@code next}. */
    static void link(MemMap map, int pfn, int next) {
        map.setNext(pfn, next);
    }
}
