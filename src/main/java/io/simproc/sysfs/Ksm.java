package io.simproc.sysfs;

import io.simproc.proc.ProcContext;
import io.simproc.proc.ProcEntry;
import io.simproc.uapi.Errno;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * /sys/kernel/mm/ksm (mm/ksm.c ksm_attrs): the knobs and counters of {@link io.simproc.mm.Ksm}, shown and parsed as
 * the kernel's *_show and *_store do. {@code run} takes 0, 1 or 2 (2 unmerges every KSM page); the unsigned knobs
 * take kstrtouint's decimal (anything else EINVAL); {@code merge_across_nodes} and {@code max_page_sharing} are EBUSY
 * while KSM pages exist, max_page_sharing at least 2; {@code use_zero_pages} and {@code smart_scan} take kstrtobool's
 * words; {@code pages_to_scan} is EINVAL while the scan-time advisor sets it; {@code advisor_mode} is
 * {@code none} or {@code scan-time}. A refused write changes nothing.
 */
final class Ksm {
    private static final long UINT_MAX = 0xffffffffL;

    private Ksm() {
    }

    static ProcEntry dir() {
        List<ProcEntry> e = new ArrayList<>();
        e.add(ulongKnob("advisor_max_cpu", k -> k.advisor().maxCpu(), (k, v) -> {
            k.advisor().setMaxCpu(v);
            return 0;
        }));
        e.add(ulongKnob("advisor_max_pages_to_scan", k -> k.advisor().maxPagesToScan(), (k, v) -> {
            k.advisor().setMaxPagesToScan(v);
            return 0;
        }));
        e.add(ulongKnob("advisor_min_pages_to_scan", k -> k.advisor().minPagesToScan(), (k, v) -> {
            k.advisor().setMinPagesToScan(v);
            return 0;
        }));
        e.add(Sysfs.attr("advisor_mode", 0644,
                ctx -> Sysfs.line(ksm(ctx).advisor().scanTimeMode() ? "none [scan-time]" : "[none] scan-time"),
                (ctx, buf) -> {
                    if (Sysfs.streq(buf, "scan-time")) {
                        ksm(ctx).advisor().setScanTimeMode(true);
                    } else if (Sysfs.streq(buf, "none")) {
                        ksm(ctx).advisor().setScanTimeMode(false);
                    } else {
                        return -Errno.EINVAL;
                    }
                    return 0;
                }));
        e.add(ulongKnob("advisor_target_scan_time", k -> k.advisor().targetScanTime(),
                (k, v) -> k.advisor().setTargetScanTime(v)));
        e.add(counter("full_scans", k -> k.fullScans()));
        e.add(counter("general_profit", k -> k.generalProfit()));
        e.add(counter("ksm_zero_pages", k -> k.ksmZeroPages()));
        e.add(Sysfs.attr("max_page_sharing", 0644, ctx -> Sysfs.line(Integer.toString(ksm(ctx).maxPageSharing())),
                (ctx, buf) -> {
                    long[] v = new long[1];
                    int err = kstrtoint(buf, v);
                    return err != 0 ? err : ksm(ctx).setMaxPageSharing(v[0]);
                }));
        e.add(Sysfs.attr("merge_across_nodes", 0644, ctx -> Sysfs.line(ksm(ctx).mergeAcrossNodes() ? "1" : "0"),
                (ctx, buf) -> {
                    Sysfs.Parsed v = Sysfs.kstrtoul(buf);
                    if (!v.ok()) {
                        return -v.errno();
                    }
                    if (Long.compareUnsigned(v.value(), 1) > 0) {
                        return -Errno.EINVAL;
                    }
                    return ksm(ctx).setMergeAcrossNodes(v.value() == 1);
                }));
        e.add(counter("pages_scanned", k -> k.pagesScanned()));
        e.add(counter("pages_shared", k -> k.pagesShared()));
        e.add(counter("pages_sharing", k -> k.pagesSharing()));
        e.add(counter("pages_skipped", k -> k.pagesSkipped()));
        e.add(uintKnob("pages_to_scan", k -> k.pagesToScan(), (k, v) -> k.setPagesToScan(v)));
        e.add(counter("pages_unshared", k -> k.pagesUnshared()));
        e.add(counter("pages_volatile", k -> k.pagesVolatile()));
        e.add(uintKnob("run", k -> k.run(), (k, v) -> k.setRun(v)));
        e.add(uintKnob("sleep_millisecs", k -> k.sleepMillisecs(), (k, v) -> {
            k.setSleepMillisecs(v);
            return 0;
        }));
        e.add(boolKnob("smart_scan", k -> k.smartScan(), (k, v) -> k.setSmartScan(v)));
        e.add(counter("stable_node_chains", k -> k.stableNodeChains()));
        e.add(uintKnob("stable_node_chains_prune_millisecs", k -> k.stableNodeChainsPruneMillisecs(), (k, v) -> {
            k.setStableNodeChainsPruneMillisecs(v);
            return 0;
        }));
        e.add(counter("stable_node_dups", k -> k.stableNodeDups()));
        e.add(boolKnob("use_zero_pages", k -> k.useZeroPages(), (k, v) -> k.setUseZeroPages(v)));
        return Sysfs.dir("ksm", e);
    }

    private static io.simproc.mm.Ksm ksm(ProcContext ctx) {
        return ctx.kernel().mm().ksm();
    }

    /** A store given the parsed value: 0 or -errno. */
    @FunctionalInterface
    private interface Setter {
        int set(io.simproc.mm.Ksm ksm, long value);
    }

    private static ProcEntry counter(String name, ToLongFunction<io.simproc.mm.Ksm> show) {
        return Sysfs.ro(name, ctx -> Sysfs.line(Long.toString(show.applyAsLong(ksm(ctx)))));
    }

    /** A knob stored with kstrtouint(buf, 10): any error is EINVAL, as these stores return it. */
    private static ProcEntry uintKnob(String name, ToLongFunction<io.simproc.mm.Ksm> show, Setter set) {
        return Sysfs.attr(name, 0644, ctx -> Sysfs.line(Long.toString(show.applyAsLong(ksm(ctx)))), (ctx, buf) -> {
            Sysfs.Parsed v = Sysfs.kstrtoul(buf);
            if (!v.ok() || Long.compareUnsigned(v.value(), UINT_MAX) > 0) {
                return -Errno.EINVAL;
            }
            return set.set(ksm(ctx), v.value());
        });
    }

    /** A knob stored with kstrtoul(buf, 10): any error is EINVAL. */
    private static ProcEntry ulongKnob(String name, ToLongFunction<io.simproc.mm.Ksm> show, Setter set) {
        return Sysfs.attr(name, 0644, ctx -> Sysfs.line(Long.toUnsignedString(show.applyAsLong(ksm(ctx)))),
                (ctx, buf) -> {
                    Sysfs.Parsed v = Sysfs.kstrtoul(buf);
                    return v.ok() ? set.set(ksm(ctx), v.value()) : -Errno.EINVAL;
                });
    }

    /** A boolean knob stored with kstrtobool(): EINVAL for a word it does not know. */
    private static ProcEntry boolKnob(String name, java.util.function.Predicate<io.simproc.mm.Ksm> show,
                                      java.util.function.BiConsumer<io.simproc.mm.Ksm, Boolean> set) {
        return Sysfs.attr(name, 0644, ctx -> Sysfs.line(show.test(ksm(ctx)) ? "1" : "0"), (ctx, buf) -> {
            Boolean v = kstrtobool(buf);
            if (v == null) {
                return -Errno.EINVAL;
            }
            set.accept(ksm(ctx), v);
            return 0;
        });
    }

    /**
     * kstrtobool() of lib/kstrtox.c: the first character decides — y, Y, t, T, 1, e, E true; n, N, f, F, 0, d, D
     * false; "on" and "of(f)" by their second; null for anything else.
     */
    static Boolean kstrtobool(String s) {
        if (s.isEmpty()) {
            return null;
        }
        switch (s.charAt(0)) {
            case 'y', 'Y', 't', 'T', '1', 'e', 'E':
                return true;
            case 'n', 'N', 'f', 'F', '0', 'd', 'D':
                return false;
            case 'o', 'O':
                char c = s.length() > 1 ? s.charAt(1) : 0;
                if (c == 'n' || c == 'N') {
                    return true;
                }
                if (c == 'f' || c == 'F') {
                    return false;
                }
                return null;
            default:
                return null;
        }
    }

    /** kstrtoint(buf, 10): an optional sign, decimal digits, at most a newline; 0 or -EINVAL / -ERANGE. */
    static int kstrtoint(String s, long[] out) {
        boolean neg = s.startsWith("-");
        Sysfs.Parsed v = Sysfs.kstrtoul(neg ? s.substring(1) : s);
        if (!v.ok()) {
            return -v.errno();
        }
        if (neg && s.startsWith("-+")) {
            return -Errno.EINVAL;
        }
        long limit = neg ? 1L << 31 : Integer.MAX_VALUE;
        if (Long.compareUnsigned(v.value(), limit) > 0) {
            return -Errno.ERANGE;
        }
        out[0] = neg ? -v.value() : v.value();
        return 0;
    }
}
