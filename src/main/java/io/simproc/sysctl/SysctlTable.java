package io.simproc.sysctl;

import io.simproc.kernel.Kernel;
import io.simproc.mm.ZoneType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The /proc/sys entries the simulated kernel has (kernel/sysctl.c, mm/page_alloc.c, kernel/pid.c...), each with
 * the kernel's mode, type, range and side effect. A knob appears here only once the simulation acts on it.
 */
public final class SysctlTable {
    /** PID_MAX_LIMIT on 64-bit. */
    static final int PID_MAX_LIMIT = 4 * 1024 * 1024;

    private final List<Sysctl> entries;

    private SysctlTable(List<Sysctl> entries) {
        this.entries = Collections.unmodifiableList(entries);
    }

    public static SysctlTable create() {
        List<Sysctl> e = new ArrayList<>();
        e.add(new ULongSysctl("fs/file-max", 0644, k -> k.files().maxFiles(), (k, v) -> k.files().setMaxFiles(v)));
        // fs/file_table.c proc_nr_files(): nr_files, nr_free_files (always 0 since 2.6), max_files.
        e.add(new StringSysctl("fs/file-nr", k -> k.files().nrFiles() + "\t0\t" + k.files().maxFiles()));
        e.add(new StringSysctl("kernel/osrelease", k -> k.profile().release()));
        e.add(new StringSysctl("kernel/ostype", k -> "Linux"));
        // drivers/char/random.c: the input pool counts POOL_BITS (256) and shows them all once the CRNG is ready.
        e.add(new StringSysctl("kernel/random/entropy_avail", k -> "256"));
        e.add(new StringSysctl("kernel/random/poolsize", k -> "256"));
        // Kept for old tools since 5.18, handled by proc_do_rointvec (a write succeeds and changes nothing): both
        // wakeup thresholds are POOL_READY_BITS, the reseed interval CRNG_RESEED_INTERVAL / HZ.
        e.add(new RoIntSysctl("kernel/random/read_wakeup_threshold", 256));
        e.add(new RoIntSysctl("kernel/random/urandom_min_reseed_secs", 60));
        e.add(new RoIntSysctl("kernel/random/write_wakeup_threshold", 256));
        e.add(new IntSysctl("kernel/pid_max", 0644, 301, PID_MAX_LIMIT, k -> k.tasks().pidMax(),
                Kernel::setPidMax));
        e.add(new IntSysctl("kernel/threads-max", 0644, 1, Kernel.MAX_THREADS, Kernel::threadsMax,
                Kernel::setThreadsMax));
        e.add(new IntVecSysctl("vm/lowmem_reserve_ratio", 0644, SysctlTable::lowmemReserveRatio,
                (k, v) -> k.mm().watermarks().setLowmemReserveRatio(v)));
        // net/core/sysctl_net_core.c: the listen backlog cap, proc_dointvec_minmax with extra1 SYSCTL_ZERO. No
        // socket is simulated; the value is there for the readers that look it up.
        e.add(new IntSysctl("net/core/somaxconn", 0644, 0, null, k -> k.initNet().somaxconn(),
                (k, v) -> k.initNet().setSomaxconn(v)));
        e.add(new IntSysctl("vm/min_free_kbytes", 0644, 0, null, k -> k.mm().tunables().minFreeKbytes(),
                (k, v) -> k.mm().watermarks().setMinFreeKbytes(v)));
        e.add(new IntSysctl("vm/vfs_cache_pressure", 0644, 0, null, k -> k.mm().tunables().vfsCachePressure(),
                (k, v) -> k.mm().tunables().setVfsCachePressure(v)));
        e.add(new IntSysctl("vm/vfs_cache_pressure_denom", 0644, 100, null,
                k -> k.mm().tunables().vfsCachePressureDenom(),
                (k, v) -> k.mm().tunables().setVfsCachePressureDenom(v)));
        e.add(new IntSysctl("vm/watermark_scale_factor", 0644, 1, 3000,
                k -> k.mm().tunables().watermarkScaleFactor(),
                (k, v) -> k.mm().watermarks().setWatermarkScaleFactor(v)));
        addOvercommit(e);
        e.add(new IntSysctl("vm/swappiness", 0644, 0, io.simproc.mm.Vmscan.MAX_SWAPPINESS,
                k -> k.mm().tunables().swappiness(), (k, v) -> k.mm().tunables().setSwappiness(v)));
        e.add(new IntSysctl("vm/dirty_ratio", 0644, 0, 100, k -> k.mm().tunables().dirtyRatio(),
                (k, v) -> k.mm().tunables().setDirtyRatio(v)));
        e.add(new IntSysctl("vm/dirty_background_ratio", 0644, 0, 100,
                k -> k.mm().tunables().dirtyBackgroundRatio(), (k, v) -> k.mm().tunables().setDirtyBackgroundRatio(v)));
        e.add(new ULongMinSysctl("vm/dirty_bytes", 0644, 2L * io.simproc.uapi.Page.PAGE_SIZE,
                k -> k.mm().tunables().dirtyBytes(), (k, v) -> {
                    if (pagesExceedUint(v)) {
                        return -io.simproc.uapi.Errno.ERANGE;
                    }
                    k.mm().tunables().setDirtyBytes(v);
                    return 0;
                }));
        e.add(new ULongMinSysctl("vm/dirty_background_bytes", 0644, 1, k -> k.mm().tunables().dirtyBackgroundBytes(),
                (k, v) -> {
                    if (pagesExceedUint(v)) {
                        return -io.simproc.uapi.Errno.ERANGE;
                    }
                    k.mm().tunables().setDirtyBackgroundBytes(v);
                    return 0;
                }));
        e.add(new IntSysctl("vm/dirty_expire_centisecs", 0644, 0, null,
                k -> k.mm().tunables().dirtyExpireCentisecs(), (k, v) -> k.mm().tunables().setDirtyExpireCentisecs(v)));
        e.add(new IntSysctl("vm/dirty_writeback_centisecs", 0644, null, null,
                k -> k.mm().tunables().dirtyWritebackCentisecs(), SysctlTable::setDirtyWriteback));
        e.add(new DropCachesSysctl());
        addHugetlb(e);
        addOomKill(e);
        addCompaction(e);
        addNodeReclaim(e);
        NetfilterSysctls.add(e);
        NfLogSysctls.add(e);
        e.sort((a, b) -> a.path().compareTo(b.path()));
        return new SysctlTable(e);
    }

    /** mm/util.c: the overcommit policy and its reserves. */
    private static void addOvercommit(List<Sysctl> e) {
        e.add(new IntSysctl("vm/overcommit_memory", 0644, 0, 2, k -> k.mm().tunables().overcommitMemory(),
                (k, v) -> k.mm().overcommit().setOvercommitMemory(v)));
        e.add(new IntSysctl("vm/overcommit_ratio", 0644, null, null, k -> k.mm().tunables().overcommitRatio(),
                (k, v) -> k.mm().overcommit().setOvercommitRatio(v)));
        e.add(new ULongSysctl("vm/overcommit_kbytes", 0644, k -> k.mm().tunables().overcommitKbytes(),
                (k, v) -> k.mm().overcommit().setOvercommitKbytes(v)));
        e.add(new ULongSysctl("vm/user_reserve_kbytes", 0644, k -> k.mm().tunables().userReserveKbytes(),
                (k, v) -> k.mm().overcommit().setUserReserveKbytes(v)));
        e.add(new ULongSysctl("vm/admin_reserve_kbytes", 0644, k -> k.mm().tunables().adminReserveKbytes(),
                (k, v) -> k.mm().overcommit().setAdminReserveKbytes(v)));
    }

    /** DIV_ROUND_UP(bytes, PAGE_SIZE) > UINT_MAX: the byte thresholds are kept in pages in an unsigned int. */
    static boolean pagesExceedUint(long bytes) {
        long pages = Long.divideUnsigned(bytes, io.simproc.uapi.Page.PAGE_SIZE)
                + (Long.remainderUnsigned(bytes, io.simproc.uapi.Page.PAGE_SIZE) != 0 ? 1 : 0);
        return Long.compareUnsigned(pages, 0xffffffffL) > 0;
    }

    /** dirty_writeback_centisecs_handler(): the new period applies at once (a non-zero one wakes the flusher). */
    private static void setDirtyWriteback(Kernel k, int v) {
        int old = k.mm().tunables().dirtyWritebackCentisecs();
        k.mm().tunables().setDirtyWritebackCentisecs(v);
        if (v != old) {
            k.mm().bdi().start();
        }
    }

    /** mm/compaction.c: the compaction trigger and what compaction may do. */
    private static void addCompaction(List<Sysctl> e) {
        e.add(new CompactMemorySysctl());
        e.add(new IntSysctl("vm/extfrag_threshold", 0644, 0, 1000, k -> k.mm().tunables().extfragThreshold(),
                (k, v) -> k.mm().compaction().setExtfragThreshold(v)));
        e.add(new IntSysctl("vm/compaction_proactiveness", 0644, 0, 100,
                k -> k.mm().tunables().compactionProactiveness(),
                (k, v) -> k.mm().kcompactd().proactivenessWritten(v)));
        e.add(new IntSysctl("vm/compact_unevictable_allowed", 0644, 0, 1,
                k -> k.mm().tunables().compactUnevictableAllowed(),
                (k, v) -> k.mm().compaction().setCompactUnevictableAllowed(v)));
    }

    /**
     * mm/hugetlb_sysctl.c: the default hstate's pool size (hugetlb_sysctl_handler reads max_huge_pages; the write is
     * a resize on all nodes with memory, the default mempolicy allowing them all) and its overcommit limit.
     */
    private static void addHugetlb(List<Sysctl> e) {
        e.add(new ULongSysctl("vm/nr_hugepages", 0644, k -> k.mm().hugetlb().maxHugePages(),
                (k, v) -> k.mm().hugetlb().setMaxHugePages(v, -1)));
        e.add(new ULongSysctl("vm/nr_hugepages_mempolicy", 0644, k -> k.mm().hugetlb().maxHugePages(),
                (k, v) -> k.mm().hugetlb().setMaxHugePages(v, -1)));
        e.add(new ULongSysctl("vm/nr_overcommit_hugepages", 0644, k -> k.mm().hugetlb().nrOvercommitHugePages(),
                (k, v) -> k.mm().hugetlb().setNrOvercommitHugePages(v)));
    }

    /** mm/page_alloc.c, mm/vmscan.c: whether and how an allocation reclaims on its node before going remote. */
    private static void addNodeReclaim(List<Sysctl> e) {
        e.add(new IntSysctl("vm/zone_reclaim_mode", 0644, 0, null, k -> k.mm().tunables().nodeReclaimMode(),
                (k, v) -> k.mm().tunables().setNodeReclaimMode(v)));
        e.add(new IntSysctl("vm/min_unmapped_ratio", 0644, 0, 100, k -> k.mm().tunables().minUnmappedRatio(),
                (k, v) -> k.mm().tunables().setMinUnmappedRatio(v)));
        e.add(new IntSysctl("vm/min_slab_ratio", 0644, 0, 100, k -> k.mm().tunables().minSlabRatio(),
                (k, v) -> k.mm().tunables().setMinSlabRatio(v)));
    }

    /** mm/oom_kill.c: how the OOM killer chooses, reports and whether it panics instead. */
    private static void addOomKill(List<Sysctl> e) {
        e.add(new IntSysctl("vm/oom_kill_allocating_task", 0644, null, null,
                k -> k.mm().oomKill().oomKillAllocatingTask(), (k, v) -> k.mm().oomKill().setOomKillAllocatingTask(v)));
        e.add(new IntSysctl("vm/panic_on_oom", 0644, 0, 2, k -> k.mm().oomKill().panicOnOom(),
                (k, v) -> k.mm().oomKill().setPanicOnOom(v)));
        e.add(new IntSysctl("vm/oom_dump_tasks", 0644, null, null, k -> k.mm().oomKill().oomDumpTasks(),
                (k, v) -> k.mm().oomKill().setOomDumpTasks(v)));
    }

    private static int[] lowmemReserveRatio(Kernel k) {
        int[] v = new int[ZoneType.MAX_NR_ZONES];
        for (int i = 0; i < v.length; i++) {
            v[i] = k.mm().tunables().lowmemReserveRatio(i);
        }
        return v;
    }

    /** All entries, sorted by path. */
    public List<Sysctl> entries() {
        return entries;
    }

    public Sysctl find(String path) {
        for (Sysctl s : entries) {
            if (s.path().equals(path)) {
                return s;
            }
        }
        return null;
    }
}
