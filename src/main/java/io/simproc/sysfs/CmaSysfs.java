package io.simproc.sysfs;

import io.simproc.kernel.Kernel;
import io.simproc.mm.Cma;
import io.simproc.proc.ProcContext;
import io.simproc.proc.ProcEntry;

import java.util.List;
import java.util.function.ToLongFunction;

/**
 * /sys/kernel/mm/cma (mm/cma_sysfs.c, CONFIG_CMA_SYSFS): a directory per CMA area, named after it, with the
 * read-only cma_attrs[] of 6.18 — alloc_pages_success, alloc_pages_fail and release_pages_success (pages, summed
 * over calls) and total_pages and available_pages (cma->count, cma->available_count). Present only on a machine
 * with a CMA area (a kernel built with CONFIG_CMA).
 */
final class CmaSysfs {
    private CmaSysfs() {
    }

    /** The {@code cma} directory of /sys/kernel/mm, or nothing without a CMA area. */
    static List<ProcEntry> dirs(Kernel kernel) {
        Cma area = kernel.mm().cma();
        if (area == null) {
            return List.of();
        }
        return List.of(Sysfs.dir("cma", List.of(Sysfs.dir(area.name(), List.of(
                counter("alloc_pages_fail", Cma::nrPagesFailed),
                counter("alloc_pages_success", Cma::nrPagesSucceeded),
                counter("available_pages", Cma::availableCount),
                counter("release_pages_success", Cma::nrPagesReleased),
                counter("total_pages", Cma::count))))));
    }

    private static ProcEntry counter(String name, ToLongFunction<Cma> show) {
        return Sysfs.ro(name, ctx -> Sysfs.line(Long.toString(show.applyAsLong(cma(ctx)))));
    }

    private static Cma cma(ProcContext ctx) {
        return ctx.kernel().mm().cma();
    }
}
