package io.simproc.mm;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * memblock (mm/memblock.c): the boot-time view of physical memory before the buddy allocator exists. {@code memory}
 * holds the RAM ranges the firmware reported (page-trimmed, each with its node); {@code reserved} what early boot
 * claimed (first MiB, kernel image, the mem_map itself, crash kernel...). Early allocations are made top-down, as
 * the kernel's default. {@link MemoryManager#memblockFreeAll} later frees memory − reserved to the buddy allocator.
 *
 * <p>Ranges are in pfns, [start, end).
 */
public final class Memblock {
    /** One range; {@code name} says who reserved it (shown in the boot log). */
    public record Region(long startPfn, long endPfn, int nid, String name) {
        public long pages() {
            return endPfn - startPfn;
        }
    }

    private final List<Region> memory = new ArrayList<>();
    private final List<Region> reserved = new ArrayList<>();

    /** memblock_add_node(): RAM from the e820 map, trimmed to whole pages. */
    public void addMemory(long startPfn, long endPfn, int nid) {
        if (endPfn <= startPfn) {
            return;
        }
        memory.add(new Region(startPfn, endPfn, nid, "System RAM"));
        memory.sort(Comparator.comparingLong(Region::startPfn));
    }

    /** memblock_reserve(). Overlapping reservations are allowed, as in the kernel. */
    public void reserve(long startPfn, long endPfn, String name) {
        if (endPfn <= startPfn) {
            return;
        }
        reserved.add(new Region(startPfn, endPfn, nidOf(startPfn), name));
        reserved.sort(Comparator.comparingLong(Region::startPfn));
    }

    /**
     * memblock_alloc_range_nid() top-down: the highest free range of {@code pages} aligned to {@code alignPages}
     * inside [minPfn, maxPfn) on node nid (any node if nid &lt; 0). Returns the start pfn, or -1.
     */
    public long allocTopDown(long pages, long alignPages, long minPfn, long maxPfn, int nid, String name) {
        for (int i = memory.size() - 1; i >= 0; i--) {
            Region m = memory.get(i);
            if (nid >= 0 && m.nid() != nid) {
                continue;
            }
            long end = Math.min(m.endPfn(), maxPfn);
            long lo = Math.max(m.startPfn(), minPfn);
            while (end - lo >= pages) {
                long start = alignDown(end - pages, alignPages);
                if (start < lo) {
                    break;
                }
                Region clash = firstReservedOverlap(start, start + pages);
                if (clash == null) {
                    reserve(start, start + pages, name);
                    return start;
                }
                end = clash.startPfn();
            }
        }
        return -1;
    }

    /**
     * memblock_alloc_range_nid() bottom-up (memblock_set_bottom_up(true)): the lowest free range of {@code pages}
     * aligned to {@code alignPages} inside [minPfn, maxPfn) on node nid (any node if nid &lt; 0), inside one RAM
     * region. Returns the start pfn, or -1.
     */
    public long allocBottomUp(long pages, long alignPages, long minPfn, long maxPfn, int nid, String name) {
        for (Region m : memory) {
            if (nid >= 0 && m.nid() != nid) {
                continue;
            }
            long end = Math.min(m.endPfn(), maxPfn);
            long start = alignUp(Math.max(m.startPfn(), minPfn), alignPages);
            while (start + pages <= end) {
                Region clash = lowestReservedOverlap(start, start + pages);
                if (clash == null) {
                    reserve(start, start + pages, name);
                    return start;
                }
                start = alignUp(clash.endPfn(), alignPages);
            }
        }
        return -1;
    }

    /** memblock_is_region_reserved(): whether any page of [start, end) is reserved. */
    public boolean isRegionReserved(long start, long end) {
        return firstReservedOverlap(start, end) != null;
    }

    /** Whether every page of [start, end) is RAM of one region. */
    public boolean isRegionMemory(long start, long end) {
        for (Region m : memory) {
            if (start >= m.startPfn() && end <= m.endPfn()) {
                return true;
            }
        }
        return false;
    }

    private Region lowestReservedOverlap(long start, long end) {
        Region found = null;
        for (Region r : reserved) {
            if (r.startPfn() < end && r.endPfn() > start && (found == null || r.endPfn() < found.endPfn())) {
                found = r;
            }
        }
        return found;
    }

    private static long alignUp(long v, long align) {
        return align <= 1 ? v : v + Math.floorMod(-v, align);
    }

    private Region firstReservedOverlap(long start, long end) {
        Region found = null;
        for (Region r : reserved) {
            if (r.startPfn() < end && r.endPfn() > start && (found == null || r.endPfn() > found.endPfn())) {
                found = r;
            }
        }
        return found;
    }

    private static long alignDown(long v, long align) {
        return align <= 1 ? v : v - Math.floorMod(v, align);
    }

    public List<Region> memory() {
        return List.copyOf(memory);
    }

    public List<Region> reserved() {
        return List.copyOf(reserved);
    }

    public int nidOf(long pfn) {
        for (Region m : memory) {
            if (pfn >= m.startPfn() && pfn < m.endPfn()) {
                return m.nid();
            }
        }
        return 0;
    }

    /** Whether pfn is RAM (in memblock.memory). */
    public boolean isMemory(long pfn) {
        for (Region m : memory) {
            if (pfn >= m.startPfn() && pfn < m.endPfn()) {
                return true;
            }
        }
        return false;
    }

    /** Pages of RAM in [start, end). */
    public long presentPages(long start, long end) {
        long n = 0;
        for (Region m : memory) {
            long s = Math.max(start, m.startPfn());
            long e = Math.min(end, m.endPfn());
            if (e > s) {
                n += e - s;
            }
        }
        return n;
    }

    /** Pages reserved inside RAM, counting overlapping reservations once (memblock_reserved_size on RAM). */
    public long reservedPages() {
        long n = 0;
        long covered = Long.MIN_VALUE;
        for (Region r : reserved) {
            long s = Math.max(r.startPfn(), covered);
            if (r.endPfn() > s) {
                n += presentPages(s, r.endPfn());
                covered = r.endPfn();
            }
        }
        return n;
    }

    /** Last RAM pfn + 1. */
    public long endPfn() {
        return memory.isEmpty() ? 0 : memory.stream().mapToLong(Region::endPfn).max().orElse(0);
    }
}
