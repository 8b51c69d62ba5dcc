package io.simproc.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * The CONFIG_ options of the simulated kernel that change what procfs shows (the sample kernel: NUMA=y, THP=y,
 * ZSWAP=y, no CMA). Immutable; chosen by the machine profile.
 *
 * @param cma CONFIG_CMA: a CMA migrate type, CmaTotal/CmaFree in meminfo, cma_* events in vmstat
 * @param thp transparent_hugepage mode at boot; anything but NEVER raises min_free_kbytes as khugepaged does
 */
public record KernelConfig(boolean cma, ThpMode thp) {

    /** /sys/kernel/mm/transparent_hugepage/enabled. */
    public enum ThpMode { ALWAYS, MADVISE, NEVER }

    public static final KernelConfig DEFAULT = new KernelConfig(false, ThpMode.MADVISE);

    /** The migrate types this kernel has, in index order (pagetypeinfo columns and rows). */
    public List<MigrateType> migrateTypes() {
        List<MigrateType> types = new ArrayList<>();
        for (MigrateType mt : MigrateType.values()) {
            if (mt != MigrateType.CMA || cma) {
                types.add(mt);
            }
        }
        return types;
    }
}
