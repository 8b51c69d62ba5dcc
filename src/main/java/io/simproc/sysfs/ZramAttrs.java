package io.simproc.sysfs;

import io.simproc.proc.ProcEntry;
import io.simproc.proc.Seq;

import java.util.List;

/**
 * The zram attributes of a zram disk (drivers/block/zram/zram_drv.c zram_disk_attrs, of a kernel built without
 * CONFIG_ZRAM_WRITEBACK and CONFIG_ZRAM_MULTI_COMP, as the guest's is: no backing_dev, writeback, bd_stat or
 * recompression knobs) as zram_init() leaves the device: not initialised (initstate 0, disksize 0), its statistics
 * all 0 (mm_stat_show() reads the pool only once it is), its compressor the default of CONFIG_ZRAM_DEF_COMP
 * (lzo-rle) among the built-in backends. The simulation has no compressed RAM disk behind them (swap on zram is
 * not modelled): every knob — disksize, comp_algorithm, algorithm_params, reset, compact, idle, mem_limit,
 * mem_used_max — is one of something not simulated, and a write to it fails with EIO, changing nothing.
 */
final class ZramAttrs {
    /** zcomp_available_show(): the built-in backends (CONFIG_ZRAM_BACKEND_LZO, _LZ4), the selected one bracketed. */
    private static final String COMP_ALGORITHMS = "[lzo-rle] lzo lz4 ";
    private static final int MM_STAT_FIELDS = 9;

    private ZramAttrs() {
    }

    /** The attributes of an unconfigured device. */
    static List<ProcEntry> unconfigured() {
        return List.of(
                Sysfs.wo("algorithm_params", null),
                Sysfs.attr("comp_algorithm", 0644, ctx -> Sysfs.line(COMP_ALGORITHMS), null),
                Sysfs.wo("compact", null),
                // debug_stat_show(): "version: %d\n0 %8llu\n", the version 1 and miss_free.
                Sysfs.ro("debug_stat", ctx -> Sysfs.line(new Seq(32).put("version: 1\n0 ").dec(0, 8))),
                Sysfs.attr("disksize", 0644, ctx -> Sysfs.line("0"), null),
                Sysfs.wo("idle", null),
                Sysfs.value("initstate", 0),
                // io_stat_show(): failed_reads, failed_writes, a 0 where invalid_io was, notify_free.
                Sysfs.ro("io_stat", ctx -> Sysfs.line(new Seq(32).dec(0, 8).put(' ').dec(0, 8).put(" 0 ")
                        .dec(0, 8))),
                Sysfs.wo("mem_limit", null),
                Sysfs.wo("mem_used_max", null),
                Sysfs.ro("mm_stat", ctx -> {
                    Seq s = new Seq(96);
                    for (int i = 0; i < MM_STAT_FIELDS; i++) {
                        s.put(i == 0 ? "" : " ").dec(0, 8);
                    }
                    return Sysfs.line(s);
                }),
                Sysfs.wo("reset", null));
    }
}
