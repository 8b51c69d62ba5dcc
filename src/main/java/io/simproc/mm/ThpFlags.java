package io.simproc.mm;

/**
 * transparent_hugepage_flags (mm/huge_memory.c): the runtime settings of /sys/kernel/mm/transparent_hugepage that
 * the fault path reads — {@code enabled} (always, madvise, never; the profile's {@code thp} at boot),
 * {@code defrag} (how hard a THP fault tries for its page, {@link #vmaThpGfpMask}) and {@code use_zero_page} (whether
 * a read fault maps the huge zero page). Changed only through the setters, as the machine's writer; a change of
 * {@code enabled} then does what the kernel's store does after it.
 */
public final class ThpFlags {
    /**
     * The {@code defrag} policies, in the order the file lists them: which GFP flags a THP fault allocates with
     * (vma_thp_gfp_mask), for a VMA with and without MADV_HUGEPAGE.
     */
    public enum Defrag {
        /** Direct reclaim and compaction for every fault (unadvised ones give up early: __GFP_NORETRY). */
        ALWAYS("always"),
        /** No stall: wake kswapd (and through it kcompactd) and fall back to 4 KiB pages at once. */
        DEFER("defer"),
        /** Direct reclaim and compaction for advised VMAs, a kswapd/kcompactd wake-up for the others. */
        DEFER_MADVISE("defer+madvise"),
        /** Direct reclaim and compaction for advised VMAs only; the others fall back at once (the default). */
        MADVISE("madvise"),
        /** Never stall nor wake anyone for a THP. */
        NEVER("never");

        private final String sysfsName;

        Defrag(String sysfsName) {
            this.sysfsName = sysfsName;
        }

        /** The word the defrag file shows and accepts. */
        public String sysfsName() {
            return sysfsName;
        }
    }

    private final MemoryManager mm;
    private KernelConfig.ThpMode enabled;
    private Defrag defrag = Defrag.MADVISE;
    private boolean useZeroPage = true;

    ThpFlags(MemoryManager mm, KernelConfig.ThpMode atBoot) {
        this.mm = mm;
        this.enabled = atBoot;
    }

    public KernelConfig.ThpMode enabled() {
        return enabled;
    }

    /**
     * enabled_store(): set the mode, then start_stop_khugepaged(): khugepaged is started (or woken) or stopped, and
     * set_recommended_min_free_kbytes re-run: the THP reserve while THP is enabled, the default min_free_kbytes
     * again when it is not.
     */
    public void setEnabled(KernelConfig.ThpMode mode) {
        mm.assertWriter();
        enabled = mode;
        mm.khugepaged().startStop();
        mm.watermarks().setRecommendedMinFreeKbytes();
    }

    public Defrag defrag() {
        return defrag;
    }

    /** defrag_store(). */
    public void setDefrag(Defrag d) {
        mm.assertWriter();
        defrag = d;
    }

    public boolean useZeroPage() {
        return useZeroPage;
    }

    /** use_zero_page's store (TRANSPARENT_HUGEPAGE_USE_ZERO_PAGE_FLAG). */
    public void setUseZeroPage(boolean use) {
        mm.assertWriter();
        useZeroPage = use;
    }

    /** hugepage_pmd_enabled() for anonymous memory: the PMD size inherits the global mode, so not "never". */
    public boolean hugepagePmdEnabled() {
        return enabled != KernelConfig.ThpMode.NEVER;
    }

    /**
     * vma_thp_gfp_mask(): the GFP flags of a THP fault in {@code v} under the defrag policy. GFP_TRANSHUGE_LIGHT
     * neither reclaims nor wakes kswapd; __GFP_DIRECT_RECLAIM adds direct reclaim and compaction,
     * __GFP_KSWAPD_RECLAIM a wake-up of kswapd, which wakes kcompactd when the node has free memory that is only too
     * fragmented.
     */
    public int vmaThpGfpMask(Vma v) {
        boolean madvised = v != null && v.test(VmFlags.VM_HUGEPAGE);
        return switch (defrag) {
            case ALWAYS -> Gfp.GFP_TRANSHUGE | (madvised ? 0 : Gfp.__GFP_NORETRY);
            case DEFER -> Gfp.GFP_TRANSHUGE_LIGHT | Gfp.__GFP_KSWAPD_RECLAIM;
            case DEFER_MADVISE -> Gfp.GFP_TRANSHUGE_LIGHT
                    | (madvised ? Gfp.__GFP_DIRECT_RECLAIM : Gfp.__GFP_KSWAPD_RECLAIM);
            case MADVISE -> Gfp.GFP_TRANSHUGE_LIGHT | (madvised ? Gfp.__GFP_DIRECT_RECLAIM : 0);
            case NEVER -> Gfp.GFP_TRANSHUGE_LIGHT;
        };
    }
}
