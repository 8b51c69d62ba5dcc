package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.kernel.Clock;
import io.simproc.mm.Gfp;
import io.simproc.mm.PageAlloc;
import io.simproc.mm.slab.KmemCache;
import io.simproc.mm.slab.Slab;
import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code kmalloc}: kernel churn of a kmalloc cache. Kernel code allocates {@code count} objects with GFP_KERNEL —
 * kmem_cache_alloc() from the named kmalloc cache ({@code cache: kmalloc-256}), or kmalloc({@code size}) — on CPUs
 * drawn from the scenario's stream, then frees them again in random order, except a share {@code keep} of them
 * that it holds for good (a leak, a long-lived table). Each survivor pins its slab: an unmovable page (a whole
 * block for a large kmalloc) that compaction cannot move, wherever the allocator placed it. With {@code rate}
 * (objects per second) the churn runs over time as a workload, a batch per tick; without, all at once.
 * A kmalloc that fails is ENOMEM, an error of the step.
 */
final class KmallocStep implements Step {
    private static final Pattern KMALLOC_CACHE = Pattern.compile("(kmalloc|kmalloc-rcl|kmalloc-cg|dma-kmalloc)-\\d+k?");

    private final String cache;
    private final int size;
    private final long count;
    private final double rate;
    private final double keep;

    private KmallocStep(String cache, int size, long count, double rate, double keep) {
        this.cache = cache;
        this.size = size;
        this.count = count;
        this.rate = rate;
        this.keep = keep;
    }

    static final class Kind implements StepKind {
        /** Objects one step may allocate, to keep a typo from running for minutes. */
        static final long MAX_COUNT = 1 << 24;

        @Override
        public String key() {
            return "kmalloc";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            value.checkKeys("cache", "size", "count", "rate", "keep");
            YamlNode c = value.get("cache");
            YamlNode s = value.get("size");
            if ((c == null) == (s == null)) {
                throw value.error("kmalloc: give either cache (a kmalloc cache, e.g. kmalloc-256) or size");
            }
            String cache = null;
            int size = 0;
            if (c != null) {
                cache = c.string();
                if (!KMALLOC_CACHE.matcher(cache).matches()) {
                    throw c.error("kmalloc: '" + cache + "' is not a kmalloc cache (kmalloc-8 .. kmalloc-8k,"
                            + " kmalloc-rcl-N, kmalloc-cg-N, dma-kmalloc-N); the named caches belong to their"
                            + " subsystems");
                }
            } else {
                long bytes = s.size();
                long max = (long) Page.PAGE_SIZE << PageAlloc.MAX_PAGE_ORDER;
                if (bytes == 0 || bytes > max) {
                    throw s.error("kmalloc: size must be between 1 and 4M (an order-" + PageAlloc.MAX_PAGE_ORDER
                            + " block)");
                }
                size = (int) bytes;
            }
            long count = value.get("count") == null ? 1 : value.get("count").integer(1, MAX_COUNT);
            double rate = 0;
            if (value.get("rate") != null) {
                rate = Rates.bytesPerSecond(value.get("rate"));
            }
            double keep = value.get("keep") == null ? 0 : value.get("keep").fraction();
            return new KmallocStep(cache, size, count, rate, keep);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        Slab slab = run.kernel().mm().slab();
        KmemCache c = null;
        if (cache != null) {
            c = slab.cache(cache);
            if (c == null) {
                throw new StepException(describe() + ": this kernel has no cache " + cache + " (see /proc/slabinfo)");
            }
        }
        Churn churn = new Churn(c);
        if (rate == 0) {
            churn.batch(run, count);
            return;
        }
        run.startWorkload(new Workload() {
            private double credit;

            @Override
            public boolean tick(ScenarioRun r) {
                credit += rate * ScenarioEngine.TICK_JIFFIES / Clock.HZ;
                long n = Math.min((long) credit, count - churn.done);
                credit -= n;
                churn.batch(r, n);
                return churn.done < count;
            }

            @Override
            public String describe() {
                return KmallocStep.this.describe() + ": " + churn.done + " of " + count;
            }
        });
    }

    /** The objects allocated so far; each batch frees its share again, in random order. */
    private final class Churn {
        private final KmemCache c;
        private long done;

        Churn(KmemCache c) {
            this.c = c;
        }

        void batch(ScenarioRun run, long n) {
            Slab slab = run.kernel().mm().slab();
            int cpus = run.kernel().profile().nrCpus();
            List<long[]> toFree = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                int cpu = run.random().nextInt(cpus);
                long addr = c != null ? slab.kmemCacheAlloc(c, Gfp.GFP_KERNEL, cpu)
                        : slab.kmalloc(size, Gfp.GFP_KERNEL, cpu);
                if (addr == 0) {
                    freeAll(slab, run, toFree);
                    throw StepException.errno(describe() + ": failed after " + (done + i) + " objects", -Errno.ENOMEM);
                }
                if (!run.random().chance(keep)) {
                    toFree.add(new long[] {addr, cpu});
                }
            }
            done += n;
            freeAll(slab, run, toFree);
        }

        private void freeAll(Slab slab, ScenarioRun run, List<long[]> objects) {
            for (int i = objects.size() - 1; i > 0; i--) {
                int j = run.random().nextInt(i + 1);
                long[] t = objects.get(i);
                objects.set(i, objects.get(j));
                objects.set(j, t);
            }
            for (long[] o : objects) {
                slab.kfree(o[0], (int) o[1]);
            }
        }
    }

    @Override
    public String describe() {
        String what = cache != null ? cache : "kmalloc(" + size + ")";
        return "kmalloc " + count + " × " + what + (keep > 0 ? ", keeping " + Math.round(keep * 1000) / 10.0 + "%"
                : "") + (rate > 0 ? " at " + Math.round(rate) + "/s" : "");
    }
}
