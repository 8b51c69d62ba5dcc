package io.simproc.mm;

/** enum zone_type for x86_64 (include/linux/mmzone.h), in index order, with the names procfs prints. */
public enum ZoneType {
    DMA("DMA"),
    DMA32("DMA32"),
    NORMAL("Normal"),
    MOVABLE("Movable"),
    DEVICE("Device");

    /** MAX_NR_ZONES: every compiled zone, populated or not. */
    public static final int MAX_NR_ZONES = values().length;
    private static final ZoneType[] VALUES = values();

    private final String procName;

    ZoneType(String procName) {
        this.procName = procName;
    }

    public String procName() {
        return procName;
    }

    /** Lower-case name used in vmstat event names (pgalloc_dma32, allocstall_normal...). */
    public String eventSuffix() {
        return procName.toLowerCase(java.util.Locale.ROOT);
    }

    public static ZoneType of(int index) {
        return VALUES[index];
    }

    /** is_highmem_idx() is never true on 64-bit; the Movable zone shares highmem's watermark rule. */
    boolean isMovable() {
        return this == MOVABLE;
    }
}
