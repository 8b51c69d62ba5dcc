package io.simproc.mm;

import java.util.BitSet;

/**
 * mm/sparse.c's view of the physical address space: which 128 MiB memory sections have RAM, and so struct pages
 * (present_section_nr()), and which 2 MiB subsections inside them are valid (subsection_map_init()). A hole of whole
 * subsections inside a present section has no valid struct pages: pfn_to_online_page() returns NULL there, and
 * walkers such as /proc/pagetypeinfo's skip it.
 */
public final class Sparse {
    /** SECTION_SIZE_BITS − PAGE_SHIFT: memory sections of 128 MiB. */
    public static final int PFN_SECTION_SHIFT = 15;
    /** SUBSECTION_SHIFT − PAGE_SHIFT: 2 MiB subsections, the granularity of pfn validity inside a section. */
    public static final int PFN_SUBSECTION_SHIFT = 9;

    private final BitSet presentSections = new BitSet();
    private final BitSet validSubsections = new BitSet();

    /** memory_present() and subsection_map_init() for every RAM region of memblock. */
    Sparse(Memblock memblock) {
        for (Memblock.Region r : memblock.memory()) {
            presentSections.set((int) (r.startPfn() >>> PFN_SECTION_SHIFT),
                    (int) ((r.endPfn() - 1) >>> PFN_SECTION_SHIFT) + 1);
            validSubsections.set((int) (r.startPfn() >>> PFN_SUBSECTION_SHIFT),
                    (int) ((r.endPfn() - 1) >>> PFN_SUBSECTION_SHIFT) + 1);
        }
    }

    /** present_section_nr(): whether the 128 MiB section holding pfn has any RAM (has struct pages). */
    public boolean isSectionPresent(long pfn) {
        return presentSections.get((int) (pfn >>> PFN_SECTION_SHIFT));
    }

    /** pfn_section_valid(): whether the 2 MiB subsection holding pfn has any RAM. */
    public boolean isSubsectionValid(long pfn) {
        return validSubsections.get((int) (pfn >>> PFN_SUBSECTION_SHIFT));
    }
}
