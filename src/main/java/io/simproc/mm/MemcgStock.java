package io.simproc.mm;

import java.util.List;

/**
 * The per-CPU charge stock (mm/memcontrol.c: struct memcg_stock_pcp, consume_stock(), refill_stock(), drain_stock(),
 * drain_all_stock()). try_charge_memcg() charges the page counters MEMCG_CHARGE_BATCH pages at a time and leaves
 * what the charge did not need here, on the charging CPU; the next small charges of the same group on that CPU take
 * their pages from the stock without touching a counter. Stocked pages count in the group's memory (and, on v1,
 * memsw) counter — memory.current includes them, as page_counter_read() does — but in no statistic of memory.stat.
 *
 * <p>Each CPU caches up to NR_MEMCG_STOCK groups, at most MEMCG_CHARGE_BATCH pages each (a refill past that drains
 * the slot). A group that finds no slot free evicts one: the kernel picks it with get_random_u32_below(); the
 * simulation, which must be deterministic, evicts round robin per CPU. drain_all_stock() drains every CPU whose
 * stock holds pages of the group or a descendant; the kernel drains the other CPUs from a work item shortly after,
 * the simulation at once. A slot only ever holds an online group other than the root: a removed group is drained
 * when it goes offline ({@link Memcontrol#cssOffline}), and pages returned for an offline group are uncharged
 * directly.
 */
final class MemcgStock {
    /** NR_MEMCG_STOCK: groups cached per CPU. */
    static final int NR_MEMCG_STOCK = 7;
    /** MEMCG_CHARGE_BATCH: the pages a small charge takes from the counters at once, and a slot's most. */
    static final int MEMCG_CHARGE_BATCH = 64;

    private final MemcgCharge charging;
    private final int nrCpus;
    /** stock->cached[]: per CPU, NR_MEMCG_STOCK slots (cpu * NR_MEMCG_STOCK + i); null where empty. */
    private final MemCgroup[] cached;
    /** stock->nr_pages[]: the pre-charged pages of each slot. */
    private final int[] nrPages;
    /** Per CPU, the slot the next eviction drains. */
    private final int[] evictNext;

    MemcgStock(MemcgCharge charging, int nrCpus) {
        this.charging = charging;
        this.nrCpus = nrCpus;
        this.cached = new MemCgroup[nrCpus * NR_MEMCG_STOCK];
        this.nrPages = new int[nrCpus * NR_MEMCG_STOCK];
        this.evictNext = new int[nrCpus];
    }

    /** consume_stock(): take {@code nr} pre-charged pages of {@code memcg} from {@code cpu}'s stock, if it has them. */
    boolean consume(MemCgroup memcg, int nr, int cpu) {
        if (nr > MEMCG_CHARGE_BATCH) {
            return false;
        }
        int base = cpu * NR_MEMCG_STOCK;
        for (int i = base; i < base + NR_MEMCG_STOCK; i++) {
            if (cached[i] == memcg) {
                int stocked = nrPages[i];
                if (stocked < nr) {
                    return false;
                }
                nrPages[i] = stocked - nr;
                return true;
            }
        }
        return false;
    }

    /**
     * refill_stock(): {@code nr} pages charged to {@code memcg} become pre-charged on {@code cpu}; more than a batch,
     * or pages of a group gone offline, are uncharged instead (memcg_uncharge()).
     */
    void refill(MemCgroup memcg, int nr, int cpu) {
        if (nr > MEMCG_CHARGE_BATCH || !memcg.online) {
            charging.cancelCharge(memcg, nr);
            return;
        }
        int base = cpu * NR_MEMCG_STOCK;
        int empty = -1;
        for (int i = base; i < base + NR_MEMCG_STOCK; i++) {
            MemCgroup c = cached[i];
            if (c == null) {
                if (empty < 0) {
                    empty = i;
                }
            } else if (c == memcg) {
                nrPages[i] += nr;
                if (nrPages[i] > MEMCG_CHARGE_BATCH) {
                    drain(i);
                }
                return;
            }
        }
        if (empty < 0) {
            empty = base + evictNext[cpu];
            evictNext[cpu] = (evictNext[cpu] + 1) % NR_MEMCG_STOCK;
            drain(empty);
        }
        cached[empty] = memcg;
        nrPages[empty] = nr;
    }

    /** drain_stock(): the slot's pages go back to its group's counters and the slot forgets the group. */
    private void drain(int slot) {
        MemCgroup old = cached[slot];
        int n = nrPages[slot];
        nrPages[slot] = 0;
        cached[slot] = null;
        if (n > 0) {
            charging.cancelCharge(old, n);
        }
    }

    /**
     * drain_all_stock(): every CPU whose stock holds pages of {@code root} or of a group below it — or, here, holds
     * such a group at all — is drained whole (drain_stock_fully()).
     */
    void drainAll(MemCgroup root) {
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            int base = cpu * NR_MEMCG_STOCK;
            boolean needed = false;
            for (int i = base; i < base + NR_MEMCG_STOCK && !needed; i++) {
                needed = cached[i] != null && cached[i].isDescendant(root);
            }
            if (needed) {
                for (int i = base; i < base + NR_MEMCG_STOCK; i++) {
                    drain(i);
                }
            }
        }
    }

    /** The pages pre-charged to {@code memcg} itself on every CPU. */
    long stocked(MemCgroup memcg) {
        long n = 0;
        for (int i = 0; i < cached.length; i++) {
            if (cached[i] == memcg) {
                n += nrPages[i];
            }
        }
        return n;
    }

    /**
     * The stock's invariants: a slot holds an online group other than the root, or nothing and no pages; at most
     * MEMCG_CHARGE_BATCH pages and never fewer than none; a group in at most one slot of a CPU.
     */
    void check(List<String> errors) {
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            int base = cpu * NR_MEMCG_STOCK;
            for (int i = base; i < base + NR_MEMCG_STOCK; i++) {
                MemCgroup c = cached[i];
                String slot = "memcg stock of cpu " + cpu + " slot " + (i - base);
                if (c == null) {
                    if (nrPages[i] != 0) {
                        errors.add(slot + " holds " + nrPages[i] + " pages of no group");
                    }
                    continue;
                }
                if (!c.online || c.freed || c.isRoot()) {
                    errors.add(slot + " holds " + c + (c.isRoot() ? ", the root" : ", which is offline"));
                }
                if (nrPages[i] < 0 || nrPages[i] > MEMCG_CHARGE_BATCH) {
                    errors.add(slot + " holds " + nrPages[i] + " pages of " + c);
                }
                for (int j = i + 1; j < base + NR_MEMCG_STOCK; j++) {
                    if (cached[j] == c) {
                        errors.add("memcg stock of cpu " + cpu + " holds " + c + " twice");
                    }
                }
            }
        }
    }
}
