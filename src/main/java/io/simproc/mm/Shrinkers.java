package io.simproc.mm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * mm/shrinker.c: the registered shrinkers (shrinker_list) and shrink_slab(), which reclaim and drop_caches run to
 * ask each of them for objects.
 */
public final class Shrinkers {
    /** SHRINK_BATCH: objects asked of a shrinker per call. */
    static final int SHRINK_BATCH = 128;

    private final MemoryManager mm;
    private final List<Shrinker> shrinkers = new ArrayList<>();
    /** shrinker->nr_deferred: work a pass left over for the next. */
    private final Map<Shrinker, Long> nrDeferred = new IdentityHashMap<>();

    Shrinkers(MemoryManager mm) {
        this.mm = mm;
    }

    /** shrinker_register(): {@code shrinker} is asked for memory by reclaim and drop_caches from now on. */
    public void register(Shrinker shrinker) {
        shrinkers.add(shrinker);
    }

    /** The registered shrinkers, in registration order (the order shrink_slab walks them). */
    public List<Shrinker> list() {
        return Collections.unmodifiableList(shrinkers);
    }

    /**
     * shrink_slab(): ask every shrinker for (freeable >> priority) × 4 / seeks objects plus what earlier calls
     * deferred, in batches of SHRINK_BATCH (slabs_scanned). Returns the objects freed.
     */
    long shrinkSlab(int gfp, int nid, int priority) {
        long freed = 0;
        for (Shrinker s : shrinkers) {
            long freeable = s.countObjects(nid);
            if (freeable <= 0) {
                continue;
            }
            long delta = (freeable >> priority) * 4 / Math.max(1, s.seeks());
            long total = nrDeferred.getOrDefault(s, 0L) + delta;
            total = Math.min(total, freeable * 2);
            long scanned = 0;
            while (total >= SHRINK_BATCH || (total > 0 && total >= freeable)) {
                long batch = Math.min(SHRINK_BATCH, total);
                long ret = s.scanObjects(nid, batch);
                if (ret == Shrinker.SHRINK_STOP) {
                    break;
                }
                freed += ret;
                total -= batch;
                scanned += batch;
            }
            mm.vmstat().events[VmEvent.SLABS_SCANNED.ordinal()] += scanned;
            nrDeferred.put(s, Math.max(0, total));
        }
        return freed;
    }
}
