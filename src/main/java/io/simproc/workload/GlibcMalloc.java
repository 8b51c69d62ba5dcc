package io.simproc.workload;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.Task;
import io.simproc.mm.Prot;
import io.simproc.uapi.Page;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * glibc's malloc as the kernel sees it (the main arena of ptmalloc2): requests below M_MMAP_THRESHOLD (128 KiB) are
 * carved from the [heap], which grows through brk by the request plus M_TOP_PAD (128 KiB), rounded to pages — the
 * 132 KiB steps seen in maps — and freed chunks are reused (best fit, coalesced with free neighbours); when the free
 * top of the heap exceeds M_TRIM_THRESHOLD it is given back with a brk that shrinks. Requests at or above the
 * threshold get their own anonymous mmap, returned to the kernel with munmap on free.
 *
 * <p>malloc only writes the chunk header (the first page of a chunk); the program touching its memory is up to the
 * caller ({@link Kernel#syscalls()}.touch). One instance per process; not thread-aware (one arena).
 */
public final class GlibcMalloc {
    static final long SIZE_SZ = 8;
    static final long MALLOC_ALIGNMENT = 16;
    static final long MINSIZE = 32;
    static final long M_MMAP_THRESHOLD = 128 * 1024;
    static final long M_TOP_PAD = 128 * 1024;
    static final long M_TRIM_THRESHOLD = 128 * 1024;

    private final Kernel kernel;
    private final Task task;
    /** Free heap chunks: start → size, for coalescing. */
    private final TreeMap<Long, Long> freeByAddr = new TreeMap<>();
    /** The same chunks ordered by (size, start), for best fit. */
    private final TreeSet<long[]> freeBySize = new TreeSet<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0])
            : Long.compare(a[1], b[1]));
    /** In-use heap chunks: user pointer → chunk size. */
    private final Map<Long, Long> inUse = new HashMap<>();
    /** mmapped chunks: user pointer → mapping length. */
    private final Map<Long, Long> mmapped = new HashMap<>();
    private long heapStart = -1;
    private long top;
    private long brk;

    public GlibcMalloc(Kernel kernel, Task task) {
        this.kernel = kernel;
        this.task = task;
    }

    /**
     * The allocator of a child after fork(): the same heap layout, free chunks and mappings, over the child's
     * copy-on-write copy of the address space.
     */
    public GlibcMalloc forkFor(Task child) {
        GlibcMalloc c = new GlibcMalloc(kernel, child);
        c.freeByAddr.putAll(freeByAddr);
        for (long[] f : freeBySize) {
            c.freeBySize.add(f.clone());
        }
        c.inUse.putAll(inUse);
        c.mmapped.putAll(mmapped);
        c.heapStart = heapStart;
        c.top = top;
        c.brk = brk;
        return c;
    }

    /** The process this allocator serves. */
    public Task task() {
        return task;
    }

    /** Whether p is a pointer this allocator handed out and that is not freed yet. */
    public boolean allocated(long p) {
        return inUse.containsKey(p) || mmapped.containsKey(p);
    }

    /** request2size(). */
    static long request2size(long req) {
        long size = (req + SIZE_SZ + MALLOC_ALIGNMENT - 1) & ~(MALLOC_ALIGNMENT - 1);
        return Math.max(MINSIZE, size);
    }

    /** malloc(n): the user pointer, or 0 (NULL) when the kernel refuses the memory. */
    public long malloc(long n) {
        long nb = request2size(n);
        if (nb >= M_MMAP_THRESHOLD) {
            long len = pageAlign(nb + SIZE_SZ);
            long addr = kernel.syscalls().mmap(task, 0, len, Prot.READ | Prot.WRITE,
                    Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0);
            if (addr < 0) {
                return 0;
            }
            kernel.syscalls().touch(task, addr, SIZE_SZ * 2, true);
            mmapped.put(addr + 2 * SIZE_SZ, len);
            return addr + 2 * SIZE_SZ;
        }
        long chunk = takeFree(nb);
        if (chunk < 0) {
            chunk = fromTop(nb);
            if (chunk < 0) {
                return 0;
            }
        }
        kernel.syscalls().touch(task, chunk, SIZE_SZ * 2, true);
        inUse.put(chunk + 2 * SIZE_SZ, nb);
        return chunk + 2 * SIZE_SZ;
    }

    /** free(p). Freeing 0 is a no-op; an unknown pointer is a programming error of the workload. */
    public void free(long p) {
        if (p == 0) {
            return;
        }
        Long len = mmapped.remove(p);
        if (len != null) {
            kernel.syscalls().munmap(task, p - 2 * SIZE_SZ, len);
            return;
        }
        Long size = inUse.remove(p);
        if (size == null) {
            throw new IllegalStateException("free(" + Long.toHexString(p) + "): not allocated (double free?)");
        }
        long start = p - 2 * SIZE_SZ;
        long end = start + size;
        Map.Entry<Long, Long> before = freeByAddr.floorEntry(start);
        if (before != null && before.getKey() + before.getValue() == start) {
            removeFree(before.getKey(), before.getValue());
            start = before.getKey();
        }
        Long after = freeByAddr.get(end);
        if (after != null) {
            removeFree(end, after);
            end += after;
        }
        if (end == top) {
            top = start;
            trim();
        } else {
            addFree(start, end - start);
        }
    }

    /** Bytes the program has allocated and not freed. */
    public long inUseBytes() {
        long n = 0;
        for (long v : inUse.values()) {
            n += v;
        }
        for (long v : mmapped.values()) {
            n += v;
        }
        return n;
    }

    private long takeFree(long nb) {
        long[] fit = freeBySize.ceiling(new long[] {nb, Long.MIN_VALUE});
        if (fit == null) {
            return -1;
        }
        long size = fit[0];
        long start = fit[1];
        removeFree(start, size);
        if (size - nb >= MINSIZE) {
            addFree(start + nb, size - nb);
        } else {
            nb = size;
        }
        return start;
    }

    /** sysmalloc(): take from the top chunk, growing the heap with brk when it is too small. */
    private long fromTop(long nb) {
        if (heapStart < 0) {
            heapStart = task.mm().brk();
            top = heapStart;
            brk = heapStart;
        }
        if (brk - top < nb + MINSIZE) {
            long grow = pageAlign(nb + M_TOP_PAD + MINSIZE - (brk - top));
            long got = kernel.syscalls().brk(task, brk + grow);
            if (got != brk + grow) {
                return -1;
            }
            brk = got;
        }
        long chunk = top;
        top += nb;
        return chunk;
    }

    /** systrim(): give the free top back when it exceeds the trim threshold, keeping the top pad. */
    private void trim() {
        long topSize = brk - top;
        if (topSize <= M_TRIM_THRESHOLD) {
            return;
        }
        long extra = ((topSize - M_TOP_PAD - MINSIZE - 1) / Page.PAGE_SIZE) * Page.PAGE_SIZE;
        if (extra <= 0) {
            return;
        }
        long got = kernel.syscalls().brk(task, brk - extra);
        if (got == brk - extra) {
            brk = got;
        }
    }

    private void addFree(long start, long size) {
        freeByAddr.put(start, size);
        freeBySize.add(new long[] {size, start});
    }

    private void removeFree(long start, long size) {
        freeByAddr.remove(start);
        freeBySize.remove(new long[] {size, start});
    }

    private static long pageAlign(long v) {
        return (v + Page.PAGE_SIZE - 1) & Page.PAGE_MASK;
    }
}
