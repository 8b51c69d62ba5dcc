package io.simproc.sysfs;

import io.simproc.kernel.MemcgFiles;
import io.simproc.mm.Zcomp;
import io.simproc.mm.Zram;
import io.simproc.proc.ProcContext;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.Seq;
import io.simproc.uapi.Errno;

import java.util.List;

/**
 * The zram attributes of a zram disk (drivers/block/zram/zram_drv.c zram_disk_attrs, of a kernel built without
 * CONFIG_ZRAM_WRITEBACK and CONFIG_ZRAM_MULTI_COMP, as the guest's is: no backing_dev, writeback, bd_stat or
 * recompression knobs; max_comp_streams is gone from 6.18), shown and stored as the kernel's *_show and *_store
 * do over {@link Zram}: {@code disksize} takes a memparse() size and initialises the device (EINVAL for 0, EBUSY
 * once initialised); {@code comp_algorithm} a built-in backend (EINVAL otherwise, EBUSY once initialised);
 * {@code reset} a positive kstrtou16 number (EINVAL for 0, EBUSY while swapon holds the device); {@code mem_limit}
 * a memparse() size; {@code mem_used_max} only 0; {@code compact} and {@code idle} ("all") need an initialised
 * device (EINVAL) and change nothing the model keeps (its pool is always compact, nothing reads idle marks without
 * writeback). {@code algorithm_params} (backend tuning the model does not have) refuses writes with EIO.
 */
final class ZramAttrs {
    private static final int MM_STAT_FIELDS = 9;

    private ZramAttrs() {
    }

    private static Zram zram(ProcContext ctx) {
        return ctx.kernel().mm().zram();
    }

    /** The attributes of zram0. */
    static List<ProcEntry> attrs() {
        return List.of(
                Sysfs.wo("algorithm_params", null),
                Sysfs.attr("comp_algorithm", 0644, ctx -> Sysfs.line(Zcomp.availableShow(zram(ctx).comp())),
                        (ctx, buf) -> zram(ctx).setComp(buf.strip())),
                Sysfs.wo("compact", (ctx, buf) -> zram(ctx).initialised() ? 0 : -Errno.EINVAL),
                // debug_stat_show(): "version: %d\n0 %8llu\n", the version 1 and miss_free (a free never misses
                // its slot lock here).
                Sysfs.ro("debug_stat", ctx -> Sysfs.line(new Seq(32).put("version: 1\n0 ").dec(0, 8))),
                Sysfs.attr("disksize", 0644, ctx -> Sysfs.line(Long.toString(zram(ctx).disksize())),
                        (ctx, buf) -> zram(ctx).setDisksize(Math.max(0, MemcgFiles.memparse(buf.strip())))),
                Sysfs.wo("idle", (ctx, buf) -> zram(ctx).initialised() && Sysfs.streq(buf, "all") ? 0
                        : -Errno.EINVAL),
                Sysfs.ro("initstate", ctx -> Sysfs.line(zram(ctx).initialised() ? "1" : "0")),
                // io_stat_show(): failed_reads, failed_writes, a 0 where invalid_io was, notify_free.
                Sysfs.ro("io_stat", ctx -> {
                    long[] io = zram(ctx).ioStat();
                    return Sysfs.line(new Seq(40).dec(io[0], 8).put(' ').dec(io[1], 8).put(" 0 ").dec(io[2], 8));
                }),
                Sysfs.wo("mem_limit", (ctx, buf) -> {
                    long bytes = MemcgFiles.memparse(buf.strip());
                    if (bytes < 0) {
                        return -Errno.EINVAL;
                    }
                    zram(ctx).setMemLimit(bytes);
                    return 0;
                }),
                Sysfs.wo("mem_used_max", (ctx, buf) -> {
                    Sysfs.Parsed v = Sysfs.kstrtoul(buf);
                    if (!v.ok() || v.value() != 0) {
                        return -Errno.EINVAL;
                    }
                    zram(ctx).resetMemUsedMax();
                    return 0;
                }),
                // mm_stat_show(): "%8llu %8llu %8llu %8lu %8ld %8llu %8lu %8llu %8llu\n".
                Sysfs.ro("mm_stat", ctx -> {
                    long[] f = zram(ctx).mmStat();
                    Seq s = new Seq(96);
                    for (int i = 0; i < MM_STAT_FIELDS; i++) {
                        s.put(i == 0 ? "" : " ").dec(f[i], 8);
                    }
                    return Sysfs.line(s);
                }),
                Sysfs.wo("reset", (ctx, buf) -> {
                    Sysfs.Parsed v = Sysfs.kstrtoul(buf);
                    if (!v.ok() || v.value() > 0xffff) {
                        return v.ok() ? -Errno.ERANGE : -v.errno();
                    }
                    return v.value() == 0 ? -Errno.EINVAL : zram(ctx).reset();
                }));
    }
}
