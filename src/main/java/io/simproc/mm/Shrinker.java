package io.simproc.mm;

/**
 * A shrinker (include/linux/shrinker.h): a cache outside the LRU lists that reclaim and drop_caches=2 can ask to
 * give memory back. Reclaim (shrink_slab) scales how many objects it asks for by the pages it scanned on the LRU
 * lists and by {@link #seeks()}; drop_caches asks every shrinker until it frees almost nothing.
 */
public interface Shrinker {
    /** DEFAULT_SEEKS: recreating an object costs about two disk seeks. */
    int DEFAULT_SEEKS = 2;

    /** SHRINK_STOP: returned by {@link #scanObjects} when the cache cannot make progress now. */
    long SHRINK_STOP = -1;

    /** The name the kernel gives it (the cache or filesystem it shrinks). */
    String name();

    /** count_objects(): how many objects on node {@code nid} could be freed, already scaled by vfs_cache_pressure where the cache applies it. */
    long countObjects(int nid);

    /** scan_objects(): try to free up to {@code nrToScan} objects on node {@code nid}; the number freed, or SHRINK_STOP. */
    long scanObjects(int nid, long nrToScan);

    /** The shrinker's seeks: the higher, the less reclaim asks of it. */
    default int seeks() {
        return DEFAULT_SEEKS;
    }
}
