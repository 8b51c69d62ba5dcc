package io.simproc.mm;

/**
 * Where each zone of each node begins (free_area_init's zone limits): DMA below 16 MiB, DMA32 below 4 GiB,
 * Normal above, and optionally the top of a node given to ZONE_MOVABLE (movablecore=).
 *
 * @param nrNodes          number of NUMA nodes
 * @param movableStartPfns per node, the first pfn of ZONE_MOVABLE, or -1 for none
 */
public record ZoneLayout(int nrNodes, long[] movableStartPfns) {
    /** MAX_DMA_PFN: 16 MiB. */
    public static final long MAX_DMA_PFN = (16L << 20) >>> io.simproc.uapi.Page.PAGE_SHIFT;
    /** MAX_DMA32_PFN: 4 GiB. */
    public static final long MAX_DMA32_PFN = (4L << 30) >>> io.simproc.uapi.Page.PAGE_SHIFT;

    public ZoneLayout {
        if (movableStartPfns.length != nrNodes) {
            throw new IllegalArgumentException("one movable start per node");
        }
        movableStartPfns = movableStartPfns.clone();
    }

    public static ZoneLayout withoutMovable(int nrNodes) {
        long[] none = new long[nrNodes];
        java.util.Arrays.fill(none, -1);
        return new ZoneLayout(nrNodes, none);
    }

    /** The pfn range a zone type can cover on a node, before intersecting with the node's span. */
    long[] limits(ZoneType type, int nid, long nodeEnd) {
        long movable = movableStartPfns[nid];
        return switch (type) {
            case DMA -> new long[] {0, MAX_DMA_PFN};
            case DMA32 -> new long[] {MAX_DMA_PFN, MAX_DMA32_PFN};
            case NORMAL -> new long[] {MAX_DMA32_PFN, movable >= 0 ? movable : Long.MAX_VALUE};
            case MOVABLE -> movable >= 0 ? new long[] {movable, nodeEnd} : new long[] {0, 0};
            case DEVICE -> new long[] {0, 0};
        };
    }
}
