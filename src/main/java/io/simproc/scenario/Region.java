package io.simproc.scenario;

import io.simproc.uapi.Page;

import java.util.ArrayList;
import java.util.List;

/**
 * A named piece of a process's memory that later steps touch, lock, advise or free: the chunks of a malloc step
 * (user pointer and size each) or the range of an mmap step. Offsets run over the chunks in allocation order.
 */
public final class Region {
    /** How the region was made. */
    public enum Kind { MALLOC, MMAP }

    private final Kind kind;
    private final List<long[]> extents = new ArrayList<>();

    public Region(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    void add(long addr, long len) {
        extents.add(new long[] {addr, len});
    }

    /** The chunks (start, length), oldest first. */
    public List<long[]> extents() {
        return extents;
    }

    /** Drop the first {@code n} chunks (they were freed). */
    void removeFirst(int n) {
        extents.subList(0, n).clear();
    }

    /** Total bytes. */
    public long length() {
        long n = 0;
        for (long[] e : extents) {
            n += e[1];
        }
        return n;
    }

    /** The address at byte {@code offset} of the region. */
    public long addressAt(long offset) {
        long left = offset;
        for (long[] e : extents) {
            if (left < e[1]) {
                return e[0] + left;
            }
            left -= e[1];
        }
        throw new IndexOutOfBoundsException("offset " + offset + " past the region's " + length() + " bytes");
    }

    /** The number of pages a sequential walk over the region visits (each chunk from its first page). */
    public long pages() {
        long n = 0;
        for (long[] e : extents) {
            n += ((e[0] + e[1] + Page.PAGE_SIZE - 1) >>> Page.PAGE_SHIFT) - (e[0] >>> Page.PAGE_SHIFT);
        }
        return n;
    }

    /** A copy for a forked child, whose address space holds the same addresses. */
    Region copy() {
        Region r = new Region(kind);
        for (long[] e : extents) {
            r.add(e[0], e[1]);
        }
        return r;
    }
}
