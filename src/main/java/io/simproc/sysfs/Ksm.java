package io.simproc.sysfs;

import io.simproc.proc.ProcEntry;

import java.util.ArrayList;
import java.util.List;

/**
 * /sys/kernel/mm/ksm (mm/ksm.c ksm_attrs) with the kernel's defaults. Kernel samepage merging is not simulated:
 * ksmd does not run ({@code run} 0), every counter is 0, and a write to a knob fails with EIO.
 */
final class Ksm {
    private Ksm() {
    }

    static ProcEntry dir() {
        List<ProcEntry> e = new ArrayList<>();
        knob(e, "advisor_max_cpu", "70");
        knob(e, "advisor_max_pages_to_scan", "30000");
        knob(e, "advisor_min_pages_to_scan", "500");
        knob(e, "advisor_mode", "[none] scan-time");
        knob(e, "advisor_target_scan_time", "200");
        counter(e, "full_scans");
        counter(e, "general_profit");
        counter(e, "ksm_zero_pages");
        knob(e, "max_page_sharing", "256");
        knob(e, "merge_across_nodes", "1");
        counter(e, "pages_scanned");
        counter(e, "pages_shared");
        counter(e, "pages_sharing");
        counter(e, "pages_skipped");
        knob(e, "pages_to_scan", "100");
        counter(e, "pages_unshared");
        counter(e, "pages_volatile");
        knob(e, "run", "0");
        knob(e, "sleep_millisecs", "20");
        knob(e, "smart_scan", "1");
        counter(e, "stable_node_chains");
        knob(e, "stable_node_chains_prune_millisecs", "2000");
        counter(e, "stable_node_dups");
        knob(e, "use_zero_pages", "0");
        return Sysfs.dir("ksm", e);
    }

    private static void knob(List<ProcEntry> e, String name, String value) {
        byte[] bytes = Sysfs.line(value);
        e.add(Sysfs.attr(name, 0644, ctx -> bytes, null));
    }

    private static void counter(List<ProcEntry> e, String name) {
        e.add(Sysfs.value(name, 0));
    }
}
