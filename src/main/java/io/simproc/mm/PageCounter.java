package io.simproc.mm;

import io.simproc.uapi.Page;

/**
 * struct page_counter (mm/page_counter.c): a hierarchical count of pages with a hard limit ({@code max}), the
 * thresholds memcg layers on it ({@code high}, {@code low}, {@code min}), the highest usage seen ({@code
 * watermark}, memory.peak) and the number of charges the limit refused ({@code failcnt}). A charge is counted in
 * this counter and every ancestor's; a try-charge that would take any of them above its max is undone everywhere
 * and names the counter that refused.
 *
 * <p>emin and elow are the effective protections of the last reclaim that looked at this counter
 * (mem_cgroup_calculate_protection(), {@link MemcgProtection}).
 */
public final class PageCounter {
    /** PAGE_COUNTER_MAX: LONG_MAX / PAGE_SIZE on 64-bit, what "max" stands for. */
    public static final long PAGE_COUNTER_MAX = Long.MAX_VALUE / Page.PAGE_SIZE;

    final PageCounter parent;
    long usage;
    long max = PAGE_COUNTER_MAX;
    long high = PAGE_COUNTER_MAX;
    long low;
    long min;
    long watermark;
    long failcnt;
    long emin;
    long elow;

    PageCounter(PageCounter parent) {
        this.parent = parent;
    }

    /**
     * page_counter_try_charge(): charge {@code nr} pages here and in every ancestor, unless one of them would exceed
     * its max; that one's failcnt is counted, the charges below it are undone and it is returned. Null on success.
     */
    PageCounter tryCharge(long nr) {
        for (PageCounter c = this; c != null; c = c.parent) {
            long next = c.usage + nr;
            if (next > c.max) {
                c.failcnt++;
                for (PageCounter u = this; u != c; u = u.parent) {
                    u.usage -= nr;
                }
                return c;
            }
            c.usage = next;
            if (next > c.watermark) {
                c.watermark = next;
            }
        }
        return null;
    }

    /** page_counter_charge(): charge whatever the limits say (a forced charge: __GFP_NOFAIL, an OOM victim). */
    void charge(long nr) {
        for (PageCounter c = this; c != null; c = c.parent) {
            c.usage += nr;
            if (c.usage > c.watermark) {
                c.watermark = c.usage;
            }
        }
    }

    /** page_counter_uncharge(). */
    void uncharge(long nr) {
        for (PageCounter c = this; c != null; c = c.parent) {
            c.usage -= nr;
            if (c.usage < 0) {
                throw new IllegalStateException("page counter went negative: " + c.usage);
            }
        }
    }

    /**
     * A removed group's kernel pages passing to its parent (memcg_reparent_objcgs()): they leave this counter only,
     * the ancestors' already count them.
     */
    void reparent(long nr) {
        usage -= nr;
        if (usage < 0) {
            throw new IllegalStateException("page counter went negative: " + usage);
        }
    }

    /** page_counter_read(). */
    public long usage() {
        return usage;
    }

    public long max() {
        return max;
    }

    public long high() {
        return high;
    }

    public long low() {
        return low;
    }

    public long min() {
        return min;
    }

    /** memory.peak / max_usage_in_bytes. */
    public long watermark() {
        return watermark;
    }

    public long failcnt() {
        return failcnt;
    }

    /** page_counter_reset_watermark(): the peak starts again from the current usage. */
    void resetWatermark() {
        watermark = usage;
    }
}
