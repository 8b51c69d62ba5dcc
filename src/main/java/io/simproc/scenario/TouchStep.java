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
 * counted as the kernel counts it. With {@code data: NAME} the stores write known data: page i of the region then
 * holds page i of NAME (the same in every process that writes NAME; {@code zero} is zero-filled), which is what KSM
 * finds identical.
 */
final class TouchStep implements Step {
    private final String label;
    private final String name;
    private final long bytes;
    private final double share;
    private final double rate;
    private final boolean write;
    private final boolean random;
    private final String data;

    private TouchStep(String label, String name, long bytes, double share, double rate, boolean write,
                      boolean random, String data) {
        this.label = label;
        this.name = name;
        this.bytes = bytes;
        this.share = share;
        this.rate = rate;
        this.write = write;
        this.random = random;
        this.data = data;
    }

    static final class Kind implements StepKind {
        @Override
        public String key() {
            return "touch";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            value.checkKeys("process", "name", "size", "rate", "access", "order", "data");
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
            String data = null;
            if (value.get("data") != null) {
                if (!write) {
                    throw value.get("data").error("data: is what stores write; it needs access: write");
                }
                data = value.get("data").scalar().trim();
                if (data.isEmpty()) {
                    throw value.get("data").error("data: name the data, e.g. guest-image or zero");
                }
            }
            return new TouchStep(label, name, bytes, share, rate, write, random, data);
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
                    long page = run.random().nextLong(pages);
                    access(run, t, region.addressAt(page * Page.PAGE_SIZE), 1, page);
                }
                done = end;
                return;
            }
            long off = 0;
            for (long[] e : region.extents()) {
                long from = Math.max(done, off);
                long to = Math.min(end, off + e[1]);
                if (from < to) {
                    access(run, t, e[0] + (from - off), to - from, from / Page.PAGE_SIZE);
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

        private void access(ScenarioRun run, Task t, long addr, long len, long firstPage) {
            int r = run.kernel().syscalls().touch(t, addr, len, write, data, firstPage);
            if (r < 0) {
                throw StepException.errno(describe(), r);
            }
        }
    }

    @Override
    public String describe() {
        String what = share > 0 ? (share == 1 ? "" : Math.round(share * 100) + "% of ") : Sizes.format(bytes) + " of ";
        return "touch (" + (write ? "write" : "read") + (random ? ", random" : "") + (data != null ? " " + data : "")
                + ") " + what + name + " in " + label + (rate > 0 ? " at " + Rates.format(rate) : "");
    }
}
