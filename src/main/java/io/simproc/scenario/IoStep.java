package io.simproc.scenario;

import io.simproc.config.Sizes;
import io.simproc.config.YamlNode;
import io.simproc.kernel.Clock;
import io.simproc.kernel.Processes;
import io.simproc.kernel.Task;
import io.simproc.kernel.Vfs;
import io.simproc.mm.AddressSpace;

/**
 * {@code read}, {@code write} and {@code read_blockdev}: a process streams {@code size} bytes through the page cache
 * with read(2) or write(2) on a file, or init reads the disk itself (dd if=/dev/vda, Buffers). A file to read that
 * does not exist is created with {@code size} bytes on disk first; a {@code size} beyond the end of a file reads it
 * again from its start; a write appends from offset 0 and grows the file. With {@code rate} the calls are spread over
 * simulated time as a workload, else everything is asked at the step's time; a write the kernel cuts short
 * (balance_dirty_pages throttling the writer above vm.dirty_ratio) goes on as a workload until it is all written,
 * as a blocked writer does. ENOMEM (or ENOENT) from the syscall is a failed step.
 */
final class IoStep implements Step {
    enum Op { READ, WRITE, READ_BLOCKDEV }

    private final Op op;
    private final String label;
    private final String path;
    private final long bytes;
    private final double rate;

    private IoStep(Op op, String label, String path, long bytes, double rate) {
        this.op = op;
        this.label = label;
        this.path = path;
        this.bytes = bytes;
        this.rate = rate;
    }

    static final class Kind implements StepKind {
        private final Op op;

        Kind(Op op) {
            this.op = op;
        }

        @Override
        public String key() {
            return switch (op) {
                case READ -> "read";
                case WRITE -> "write";
                case READ_BLOCKDEV -> "read_blockdev";
            };
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            String label = null;
            String path;
            if (op == Op.READ_BLOCKDEV) {
                value.checkKeys("device", "size", "rate");
                YamlNode device = value.get("device");
                if (device != null && !device.scalar().equals(Vfs.DISK_PATH)) {
                    throw device.error("read_blockdev: the machine's only disk is " + Vfs.DISK_PATH);
                }
                path = Vfs.DISK_PATH;
            } else {
                value.checkKeys("process", "path", "size", "rate");
                label = names.process(value.require("process"));
                path = value.require("path").scalar();
                if (!path.startsWith("/")) {
                    throw value.get("path").error(key() + ": path must be absolute");
                }
            }
            long bytes = value.require("size").size();
            double rate = value.get("rate") == null ? 0 : Rates.bytesPerSecond(value.get("rate"));
            return new IoStep(op, label, path, bytes, rate);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        if (op == Op.READ && run.kernel().vfs().lookup(path) == null) {
            int r = run.kernel().syscalls().create(task(run), path, bytes);
            if (r < 0) {
                throw StepException.errno(describe(), r);
            }
        }
        Stream stream = new Stream();
        if (rate == 0) {
            stream.advance(run, bytes);
            if (stream.left() == 0) {
                return;
            }
        }
        run.startWorkload(new Workload() {
            private double credit;

            @Override
            public boolean tick(ScenarioRun r) {
                if (rate == 0) {
                    stream.advance(r, stream.left());
                    return stream.left() > 0;
                }
                if (r.kernel().sched().throttledOverHigh(task(r))) {
                    return true;
                }
                double perTick = rate * ScenarioEngine.TICK_JIFFIES / Clock.HZ;
                credit += perTick;
                long before = stream.left();
                stream.advance(r, (long) Math.min(credit, before));
                credit = Math.min(credit - (before - stream.left()), perTick);
                return stream.left() > 0;
            }

            @Override
            public String describe() {
                return IoStep.this.describe() + ": " + Sizes.format(bytes - stream.left()) + " of "
                        + Sizes.format(bytes);
            }
        });
    }

    private Task task(ScenarioRun run) {
        if (label != null) {
            return run.process(label);
        }
        Task init = run.kernel().tasks().get(Processes.INIT_PID);
        if (init == null) {
            throw new StepException(describe() + ": init is not running");
        }
        return init;
    }

    /** How far the step has got: each call asks for the next bytes and counts what the kernel did. */
    private final class Stream {
        private long done;

        long left() {
            return bytes - done;
        }

        void advance(ScenarioRun run, long n) {
            if (n <= 0) {
                return;
            }
            Task t = task(run);
            long r = switch (op) {
                case WRITE -> run.kernel().syscalls().write(t, path, done, n);
                case READ -> read(run, t, n);
                case READ_BLOCKDEV -> run.kernel().syscalls().readBlockDevice(t, done, n);
            };
            if (r < 0) {
                throw StepException.errno(describe(), r);
            }
            if (op == Op.READ_BLOCKDEV && r < n) {
                throw new StepException(describe() + ": the disk ends at " + Sizes.format(done + r));
            }
            done += r;
        }

        private long read(ScenarioRun run, Task t, long n) {
            AddressSpace f = run.kernel().vfs().lookup(path);
            long size = f == null ? 0 : f.sizeBytes();
            if (size == 0) {
                throw new StepException(describe() + ": the file is empty or gone");
            }
            long got = 0;
            while (got < n) {
                long off = (done + got) % size;
                long r = run.kernel().syscalls().read(t, path, off, Math.min(n - got, size - off));
                if (r <= 0) {
                    return got > 0 ? got : r;
                }
                got += r;
            }
            return got;
        }
    }

    @Override
    public String describe() {
        String what = switch (op) {
            case READ -> "read " + Sizes.format(bytes) + " of " + path + " in " + label;
            case WRITE -> "write " + Sizes.format(bytes) + " to " + path + " in " + label;
            case READ_BLOCKDEV -> "read_blockdev " + Sizes.format(bytes) + " of " + path;
        };
        return what + (rate > 0 ? " at " + Rates.format(rate) : "");
    }
}
