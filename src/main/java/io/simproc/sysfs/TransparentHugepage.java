package io.simproc.sysfs;

import io.simproc.mm.HugeMemory;
import io.simproc.mm.KernelConfig;
import io.simproc.mm.ThpFlags;
import io.simproc.proc.ProcContext;
import io.simproc.proc.ProcEntry;
import io.simproc.uapi.Errno;

import java.util.List;

/**
 * /sys/kernel/mm/transparent_hugepage (mm/huge_memory.c hugepage_attr, mm/khugepaged.c khugepaged_attr).
 * {@code enabled}, {@code defrag} and {@code use_zero_page} show and set {@link ThpFlags}, which the fault path
 * reads: root writes one of the listed words (sysfs_streq: a trailing newline is allowed) or, for use_zero_page,
 * 0 or 1; anything else is EINVAL and changes nothing. {@code shmem_enabled} shows the kernel's default —
 * shmem THPs are not simulated, a write to it fails with EIO. khugepaged's directory is {@link Khugepaged}'s.
 */
final class TransparentHugepage {
    private TransparentHugepage() {
    }

    static ProcEntry dir() {
        return Sysfs.dir("transparent_hugepage", List.of(
                Sysfs.attr("defrag", 0644, ctx -> defragShow(flags(ctx)), TransparentHugepage::defragStore),
                Sysfs.attr("enabled", 0644, ctx -> enabledShow(flags(ctx)), TransparentHugepage::enabledStore),
                Sysfs.value("hpage_pmd_size", HugeMemory.HPAGE_PMD_SIZE),
                Khugepaged.dir(),
                Sysfs.attr("shmem_enabled", 0644,
                        ctx -> Sysfs.line("always within_size advise [never] deny force"), null),
                Sysfs.attr("use_zero_page", 0644, ctx -> Sysfs.line(flags(ctx).useZeroPage() ? "1" : "0"),
                        TransparentHugepage::useZeroPageStore)));
    }

    private static ThpFlags flags(ProcContext ctx) {
        return ctx.kernel().mm().hugeMemory().flags();
    }

    /** enabled_show(): the three modes, the current one in brackets. */
    static byte[] enabledShow(ThpFlags f) {
        StringBuilder sb = new StringBuilder();
        for (KernelConfig.ThpMode m : KernelConfig.ThpMode.values()) {
            String word = m.name().toLowerCase(java.util.Locale.ROOT);
            sb.append(sb.length() == 0 ? "" : " ").append(m == f.enabled() ? "[" + word + "]" : word);
        }
        return Sysfs.line(sb.toString());
    }

    /** enabled_store(). */
    private static int enabledStore(ProcContext ctx, String buf) {
        for (KernelConfig.ThpMode m : KernelConfig.ThpMode.values()) {
            if (Sysfs.streq(buf, m.name().toLowerCase(java.util.Locale.ROOT))) {
                flags(ctx).setEnabled(m);
                return 0;
            }
        }
        return -Errno.EINVAL;
    }

    /** defrag_show(). */
    static byte[] defragShow(ThpFlags f) {
        StringBuilder sb = new StringBuilder();
        for (ThpFlags.Defrag d : ThpFlags.Defrag.values()) {
            sb.append(sb.length() == 0 ? "" : " ")
                    .append(d == f.defrag() ? "[" + d.sysfsName() + "]" : d.sysfsName());
        }
        return Sysfs.line(sb.toString());
    }

    /** defrag_store(). */
    private static int defragStore(ProcContext ctx, String buf) {
        for (ThpFlags.Defrag d : ThpFlags.Defrag.values()) {
            if (Sysfs.streq(buf, d.sysfsName())) {
                flags(ctx).setDefrag(d);
                return 0;
            }
        }
        return -Errno.EINVAL;
    }

    /** single_hugepage_flag_store(): kstrtoul base 10, at most 1. */
    private static int useZeroPageStore(ProcContext ctx, String buf) {
        Sysfs.Parsed v = Sysfs.kstrtoul(buf);
        if (!v.ok()) {
            return -v.errno();
        }
        if (Long.compareUnsigned(v.value(), 1) > 0) {
            return -Errno.EINVAL;
        }
        flags(ctx).setUseZeroPage(v.value() == 1);
        return 0;
    }
}
