package io.simproc.sysfs;

import io.simproc.proc.ProcContext;
import io.simproc.proc.ProcEntry;
import io.simproc.uapi.Errno;

import java.util.List;
import java.util.function.ToLongFunction;

/**
 * /sys/kernel/mm/transparent_hugepage/khugepaged (mm/khugepaged.c khugepaged_attr): the knobs and counters of
 * {@link io.simproc.mm.Khugepaged}, shown and parsed as the kernel's *_show and *_store do.
 * {@code pages_to_scan}, {@code scan_sleep_millisecs} and {@code alloc_sleep_millisecs} take kstrtouint's decimal
 * (any error EINVAL; pages_to_scan not 0; a sleep's store wakes khugepaged now); {@code max_ptes_none},
 * {@code max_ptes_swap} and {@code max_ptes_shared} kstrtoul's, at most HPAGE_PMD_NR - 1 (else EINVAL);
 * {@code defrag} 0 or 1 (single_hugepage_flag_store: kstrtoul's errno, EINVAL above 1). {@code pages_collapsed}
 * and {@code full_scans} are read-only. A refused write changes nothing.
 */
final class Khugepaged {
    private static final long UINT_MAX = 0xffffffffL;

    private Khugepaged() {
    }

    static ProcEntry dir() {
        return Sysfs.dir("khugepaged", List.of(
                uintKnob("alloc_sleep_millisecs", k -> k.allocSleepMillisecs(),
                        (k, v) -> k.setAllocSleepMillisecs(v)),
                Sysfs.attr("defrag", 0644, ctx -> Sysfs.line(khugepaged(ctx).defrag() ? "1" : "0"), (ctx, buf) -> {
                    Sysfs.Parsed v = Sysfs.kstrtoul(buf);
                    if (!v.ok()) {
                        return -v.errno();
                    }
                    if (Long.compareUnsigned(v.value(), 1) > 0) {
                        return -Errno.EINVAL;
                    }
                    khugepaged(ctx).setDefrag(v.value() == 1);
                    return 0;
                }),
                counter("full_scans", k -> k.fullScans()),
                ulongKnob("max_ptes_none", k -> k.maxPtesNone(), (k, v) -> k.setMaxPtesNone(v)),
                ulongKnob("max_ptes_shared", k -> k.maxPtesShared(), (k, v) -> k.setMaxPtesShared(v)),
                ulongKnob("max_ptes_swap", k -> k.maxPtesSwap(), (k, v) -> k.setMaxPtesSwap(v)),
                counter("pages_collapsed", k -> k.pagesCollapsed()),
                uintKnob("pages_to_scan", k -> k.pagesToScan(), (k, v) -> k.setPagesToScan(v)),
                uintKnob("scan_sleep_millisecs", k -> k.scanSleepMillisecs(),
                        (k, v) -> k.setScanSleepMillisecs(v))));
    }

    private static io.simproc.mm.Khugepaged khugepaged(ProcContext ctx) {
        return ctx.kernel().mm().khugepaged();
    }

    /** A store given the parsed value: 0 or -errno. */
    @FunctionalInterface
    private interface Setter {
        int set(io.simproc.mm.Khugepaged k, long value);
    }

    private static ProcEntry counter(String name, ToLongFunction<io.simproc.mm.Khugepaged> show) {
        return Sysfs.ro(name, ctx -> Sysfs.line(Long.toString(show.applyAsLong(khugepaged(ctx)))));
    }

    /** A knob stored with kstrtouint(buf, 10): any error is EINVAL, as these stores return it. */
    private static ProcEntry uintKnob(String name, ToLongFunction<io.simproc.mm.Khugepaged> show, Setter set) {
        return Sysfs.attr(name, 0644, ctx -> Sysfs.line(Long.toString(show.applyAsLong(khugepaged(ctx)))),
                (ctx, buf) -> {
                    Sysfs.Parsed v = Sysfs.kstrtoul(buf);
                    if (!v.ok() || Long.compareUnsigned(v.value(), UINT_MAX) > 0) {
                        return -Errno.EINVAL;
                    }
                    return set.set(khugepaged(ctx), v.value());
                });
    }

    /** A knob stored with kstrtoul(buf, 10): any error, or a value above HPAGE_PMD_NR - 1, is EINVAL. */
    private static ProcEntry ulongKnob(String name, ToLongFunction<io.simproc.mm.Khugepaged> show, Setter set) {
        return Sysfs.attr(name, 0644, ctx -> Sysfs.line(Long.toString(show.applyAsLong(khugepaged(ctx)))),
                (ctx, buf) -> {
                    Sysfs.Parsed v = Sysfs.kstrtoul(buf);
                    if (!v.ok() || Long.compareUnsigned(v.value(), io.simproc.mm.HugeMemory.HPAGE_PMD_NR - 1) > 0) {
                        return -Errno.EINVAL;
                    }
                    return set.set(khugepaged(ctx), v.value());
                });
    }
}
