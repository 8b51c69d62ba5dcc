package io.simproc.mm;

/**
 * struct scan_control: the parameters and running totals of one reclaim invocation (direct reclaim, a kswapd
 * pass, node reclaim — which starts at a lower priority and may be denied unmapping and writing; drop_caches does
 * not use one). Priority counts down from {@link Vmscan#DEF_PRIORITY}: each pass scans {@code lru_size >> priority}
 * pages of each list.
 */
final class ScanControl {
    static final int DEACTIVATE_ANON = 1;
    static final int DEACTIVATE_FILE = 2;

    long nrToReclaim;
    int gfp;
    int order;
    int priority = Vmscan.DEF_PRIORITY;
    /** The highest zone index whose pages this reclaim may take. */
    int reclaimIdx;
    boolean mayWritepage = true;
    boolean mayUnmap = true;
    boolean maySwap = true;
    /** current_is_kswapd(): counts go to the _kswapd events, not _direct. */
    boolean kswapd;
    int mayDeactivate;
    /** Deactivate both active lists whatever their ratio (the retry of a direct reclaim that freed nothing). */
    boolean forceDeactivate;
    /** An active list was left alone because mayDeactivate did not allow it. */
    boolean skippedDeactivate;
    boolean cacheTrimMode;
    boolean fileIsTiny;
    /** target_mem_cgroup: the group a limit reclaim frees pages from; null for global reclaim (the root). */
    MemCgroup targetMemcg;
    /** Groups under their memory.low were skipped in this pass; the retry reclaims them too (memcg_low_reclaim). */
    boolean memcgLowSkipped;
    boolean memcgLowReclaim;
    long nrScanned;
    long nrReclaimed;
}
