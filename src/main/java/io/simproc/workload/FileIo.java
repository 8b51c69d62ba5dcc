package io.simproc.workload;

import io.simproc.kernel.Clock;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.SeededRandom;
import io.simproc.kernel.Task;
import io.simproc.mm.AddressSpace;

/**
 * The steady file I/O of a running process ({@link ProcessSpec.Io}): every {@link #PERIOD_JIFFIES} it reads and
 * writes its share of the rate through read(2)/write(2), so the page cache, readahead, dirty pages and writeback
 * see a server's traffic (a database's data files, logs appended to, an application scanning its store). A
 * writer throttled by balance_dirty_pages() writes what it could and carries the rest. It stops when its process
 * exits. Random offsets come from the process's own seeded stream.
 */
final class FileIo {
    static final long PERIOD_JIFFIES = Clock.HZ / 10;
    /** The block size of random I/O (a database page). */
    static final long BLOCK = 8192;

    private final Kernel kernel;
    private final Task task;
    private final ProcessSpec.Io io;
    private final SeededRandom rnd;
    private long readCursor;
    private long writeCursor;
    private long readDebt;
    private long writeDebt;

    FileIo(Kernel kernel, Task task, ProcessSpec.Io io, SeededRandom rnd) {
        this.kernel = kernel;
        this.task = task;
        this.io = io;
        this.rnd = rnd;
    }

    void start() {
        if (kernel.vfs().lookup(io.path()) == null) {
            kernel.syscalls().create(task, io.path(), io.sizeBytes());
        }
        kernel.schedule(PERIOD_JIFFIES, this::tick);
    }

    private void tick() {
        if (task.state() == Task.State.ZOMBIE || task.state() == Task.State.DEAD || task.mm() == null) {
            return;
        }
        readDebt += io.readBytes() * PERIOD_JIFFIES / Clock.HZ;
        writeDebt += io.writeBytes() * PERIOD_JIFFIES / Clock.HZ;
        read();
        write();
        kernel.schedule(PERIOD_JIFFIES, this::tick);
    }

    private void read() {
        AddressSpace f = kernel.vfs().lookup(io.path());
        if (f == null || f.sizeBytes() == 0) {
            readDebt = 0;
            return;
        }
        if (io.pattern() == ProcessSpec.Pattern.RANDOM) {
            long blocks = Math.max(1, f.sizeBytes() / BLOCK);
            while (readDebt >= BLOCK) {
                if (kernel.syscalls().read(task, io.path(), rnd.nextLong(blocks) * BLOCK, BLOCK) < 0) {
                    readDebt = 0;
                    return;
                }
                readDebt -= BLOCK;
            }
            return;
        }
        while (readDebt > 0) {
            if (readCursor >= f.sizeBytes()) {
                readCursor = 0;
            }
            long n = Math.min(readDebt, f.sizeBytes() - readCursor);
            long got = kernel.syscalls().read(task, io.path(), readCursor, n);
            if (got <= 0) {
                readDebt = 0;
                return;
            }
            readCursor += got;
            readDebt -= got;
        }
    }

    private void write() {
        while (writeDebt > 0) {
            long offset;
            long n;
            switch (io.pattern()) {
                case APPEND -> {
                    AddressSpace f = kernel.vfs().lookup(io.path());
                    offset = f == null ? 0 : f.sizeBytes();
                    n = writeDebt;
                }
                case RANDOM -> {
                    offset = rnd.nextLong(Math.max(1, io.sizeBytes() / BLOCK)) * BLOCK;
                    n = Math.min(writeDebt, BLOCK);
                }
                default -> {
                    if (writeCursor >= io.sizeBytes()) {
                        writeCursor = 0;
                    }
                    offset = writeCursor;
                    n = Math.min(writeDebt, io.sizeBytes() - writeCursor);
                }
            }
            long done = kernel.syscalls().write(task, io.path(), offset, n);
            if (done <= 0) {
                return;
            }
            writeCursor = offset + done;
            writeDebt -= done;
            if (done < n) {
                return;
            }
        }
    }
}
