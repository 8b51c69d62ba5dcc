package io.simproc.mm;

/**
 * Page mobility types (include/linux/mmzone.h, enum migratetype), in kernel index order, with the names
 * /proc/pagetypeinfo prints. CMA exists only on kernels built with CONFIG_CMA; renderers ask
 * {@link KernelConfig#migrateTypes()} which of these the simulated kernel shows.
 */
public enum MigrateType {
    UNMOVABLE("Unmovable"),
    MOVABLE("Movable"),
    RECLAIMABLE("Reclaimable"),
    HIGHATOMIC("HighAtomic"),
    CMA("CMA"),
    ISOLATE("Isolate");

    /** MIGRATE_PCPTYPES: the types that have per-cpu lists and fallbacks. */
    public static final int MIGRATE_PCPTYPES = 3;
    public static final int MIGRATE_TYPES = values().length;
    private static final MigrateType[] VALUES = values();

    private final String procName;

    MigrateType(String procName) {
        this.procName = procName;
    }

    public String procName() {
        return procName;
    }

    public static MigrateType of(int index) {
        return VALUES[index];
    }

    /** migratetype_is_mergeable(): isolated, highatomic and CMA blocks never merge across pageblocks with others. */
    static boolean isMergeable(int mt) {
        return mt < HIGHATOMIC.ordinal();
    }
}
