package io.simproc.scenario;

import io.simproc.config.Sizes;
import io.simproc.config.YamlNode;
import io.simproc.kernel.Clock;
import io.simproc.kernel.Task;
import io.simproc.uapi.Page;

/**
 * {@code touch}: the process loads from ({@code access: read}) or stores to ({@code write}, the default) the pages of
 * a region — all of it or {@code size} bytes (a size or a share, {@code 40%}) — in address order
 * ({@code order: sequential}, the default) or at random pages from the scenario's seeded stream. With {@code rate}
 * the accesses are spread over simulated time (a workload that shows in {@code ctl status}), else they all happen
 * at the step's time, and pause while the process sleeps memory.high's penalty. Each first access is a page fault,
 * counted as the kernel counts it.
 */
final class TouchStep implements Step {
    private final String label;
    private final String name;
    private final long bytes;
    private final double share;
    private final double rate;
    private final boolean write;
    private final boolean random;

    private TouchStep(String label, String name, long bytes, double share, double rate, boolean write,
                      boolean random) {
        this.label = label;
        this.name = name;
        this.bytes = bytes;
        this.share = share;
        this.rate = rate;
        this.write = write;
        this.random = random;
    }

    static final class Kind implements StepKind {
        @Override
        public String key() {
            return "touch";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            value.checkKeys("process", "name", "size", "rate", "access", "order");
            String label = names.process(value.require("process"));
            String name = names.region(label, value.require("name"));
            long bytes = 0;
            double share = 1;
            YamlNode size = value.get("size");
            if (size != null) {
                if (size.scalar().trim().endsWith("%")) {
                    share = size.fraction();
                } else {
                    bytes = size.size();
                    share = 0;
                }
            }
            double rate = value.get("rate") == null ? 0 : Rates.bytesPerSecond(value.get("rate"));
            boolean write = value.get("access") == null || value.get("access").oneOf("read", "write").equals("write");
            boolean random = value.get("order") != null
                    && value.get("order").oneOf("sequential", "random").equals("random");
            return new TouchStep(label, name, bytes, share, rate, write, random);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        Task t = run.process(label);
        Region region = run.region(label, name);
        long total = share > 0 ? (long) Math.floor(region.length() * share) : bytes;
        if (!random && total > region.length()) {
            throw new StepException(describe() + ": " + Sizes.format(total) + " is more than the region's "
                    + Sizes.format(region.length()));
        }
        Walk walk = new Walk(region, total);
        if (rate == 0) {
            walk.advance(run, t, total);
            return;
        }
        run.startWorkload(new Workload() {
            private double credit;

            @Override
            public boolean tick(ScenarioRun r) {
                if (r.kernel().sched().throttledOverHigh(r.process(label))) {
                    return true;
                }
                credit += rate * ScenarioEngine.TICK_JIFFIES / Clock.HZ;
                long now = (long) Math.min(credit, walk.left());
                credit -= now;
                walk.advance(r, r.process(label), now);
                return walk.left() > 0;
            }

            @Override
            public String describe() {
                return TouchStep.this.describe() + ": " + Sizes.format(total - walk.left()) + " of "
                        + Sizes.format(total);
            }
        });
    }

    /** Where a touch has got to. */
    private final class Walk {
        private final Region region;
        private final long total;
        private long done;

        Walk(Region region, long total) {
            this.region = region;
            this.total = total;
        }

        long left() {
            return total - done;
        }

        void advance(ScenarioRun run, Task t, long n) {
            long end = done + n;
            if (random) {
                long pages = (region.length() + Page.PAGE_SIZE - 1) / Page.PAGE_SIZE;
                long count = ceilPages(end) - ceilPages(done);
                for (long i = 0; i < count; i++) {
                    access(run, t, region.addressAt(run.random().nextLong(pages) * Page.PAGE_SIZE), 1);
                }
                done = end;
                return;
            }
            long off = 0;
            for (long[] e : region.extents()) {
                long from = Math.max(done, off);
                long to = Math.min(end, off + e[1]);
                if (from < to) {
                    access(run, t, e[0] + (from - off), to - from);
                }
                off += e[1];
                if (off >= end) {
                    break;
                }
            }
            done = end;
        }

        private static long ceilPages(long b) {
            return (b + Page.PAGE_SIZE - 1) / Page.PAGE_SIZE;
        }

        private void access(ScenarioRun run, Task t, long addr, long len) {
            int r = run.kernel().syscalls().touch(t, addr, len, write);
            if (r < 0) {
                throw StepException.errno(describe(), r);
            }
        }
    }

    @Override
    public String describe() {
        String what = share > 0 ? (share == 1 ? "" : Math.round(share * 100) + "% of ") : Sizes.format(bytes) + " of ";
        return "touch (" + (write ? "write" : "read") + (random ? ", random" : "") + ") " + what + name + " in "
                + label + (rate > 0 ? " at " + Rates.format(rate) : "");
    }
}
