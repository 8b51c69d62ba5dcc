package io.simproc.kernel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The kernel log ring buffer (kernel/printk): records with the simulated time they were printed and their level.
 * Bounded like the real buffer: the oldest records go when it is full. Threading: appended on the simulation
 * thread, read under the machine's read lock.
 */
public final class Printk {
    /** CONFIG_LOG_BUF_SHIFT=17 on most distributions: 128 KiB of text. */
    static final int LOG_BUF_BYTES = 1 << 17;

    /** One log record. */
    public record Record(long nanos, int level, String text) {
        /** dmesg's format: {@code [    5.123456] text}. */
        public String dmesgLine() {
            long secs = nanos / 1_000_000_000L;
            long micros = (nanos / 1000) % 1_000_000;
            return String.format("[%5d.%06d] %s", secs, micros, text);
        }
    }

    private final Deque<Record> records = new ArrayDeque<>();
    private int bytes;
    private long sequence;

    void append(long nanos, int level, String text) {
        for (String line : text.split("\n", -1)) {
            Record r = new Record(nanos, level, line);
            records.addLast(r);
            bytes += line.length() + 16;
            sequence++;
        }
        while (bytes > LOG_BUF_BYTES && !records.isEmpty()) {
            bytes -= records.removeFirst().text().length() + 16;
        }
    }

    /** The records still in the buffer, oldest first. */
    public List<Record> records() {
        return new ArrayList<>(records);
    }

    /** Records ever printed (including those the ring buffer dropped). */
    public long sequence() {
        return sequence;
    }
}
