package io.simproc.mm;

import io.simproc.uapi.Errno;

/**
 * KSM's scan-time advisor (mm/ksm.c, advisor_mode "scan-time"): at the end of every full scan it sets ksmd's
 * pages_to_scan from how long the scan took against advisor_target_scan_time and how much CPU ksmd used, within
 * advisor_max_cpu and the advisor's page bounds. With advisor_mode "none" pages_to_scan is the user's.
 */
public final class KsmAdvisor {
    /** KSM_ADVISOR_MIN_CPU: the scan-time advisor never lets ksmd use less than this share of a CPU, in %. */
    static final long ADVISOR_MIN_CPU = 10;
    /** EWMA_WEIGHT of the advisor's smoothing, in %. */
    static final long EWMA_WEIGHT = 30;

    private final MemoryManager mm;
    private final Ksm ksm;
    private boolean scanTimeMode;
    private long maxCpu = 70;
    private long minPagesToScan = 500;
    private long maxPagesToScan = 30000;
    private long targetScanTime = 200;
    /** The advisor's context: when the running full scan started (jiffies), the last scan time, change and CPU. */
    private long startScan;
    private long scanTimeSecs;
    private long change;
    private long cpuNanos;

    KsmAdvisor(MemoryManager mm, Ksm ksm) {
        this.mm = mm;
        this.ksm = ksm;
    }

    /** advisor_start_scan(). */
    void startScan() {
        if (scanTimeMode) {
            startScan = mm.services().jiffies();
        }
    }

    /**
     * advisor_stop_scan() → scan_time_advisor(): with the scan-time advisor, the next pages_to_scan follows from
     * how long the full scan took against advisor_target_scan_time and how much CPU ksmd used, capped by
     * advisor_max_cpu and advisor_max_pages_to_scan.
     */
    void stopScan(long ksmdCpuNanos) {
        if (!scanTimeMode) {
            return;
        }
        long scanTime = (mm.services().jiffies() - startScan) / KernelServices.HZ;
        scanTime = scanTime != 0 ? scanTime : 1;
        long cpuMs = (ksmdCpuNanos - cpuNanos) / 1_000_000;
        long cpuPercent = cpuMs * 100 / (scanTime * 1000);
        cpuPercent = cpuPercent != 0 ? cpuPercent : 1;
        long lastScanTime = scanTimeSecs != 0 ? scanTimeSecs : scanTime;
        long factor = targetScanTime * 100 / scanTime;
        factor = factor != 0 ? factor : 1;
        long ch = scanTime * 100 / lastScanTime;
        ch = ch != 0 ? ch : 1;
        ch = ((100 - EWMA_WEIGHT) * change + EWMA_WEIGHT * ch) / 100;
        long pages = ksm.pagesToScan * 100 / factor;
        pages = pages * ch / 100;
        long perPageCost = ksm.pagesToScan / cpuPercent;
        perPageCost = perPageCost != 0 ? perPageCost : 1;
        pages = Math.min(pages, perPageCost * maxCpu);
        pages = Math.max(pages, perPageCost * ADVISOR_MIN_CPU);
        pages = Math.min(pages, maxPagesToScan);
        change = ch;
        scanTimeSecs = scanTime;
        cpuNanos = ksmdCpuNanos;
        ksm.pagesToScan = pages;
    }

    /** Whether advisor_mode is "scan-time". */
    public boolean scanTimeMode() {
        return scanTimeMode;
    }

    /** advisor_mode_store(): a change of mode resets pages_to_scan (set_advisor_defaults()). */
    public void setScanTimeMode(boolean v) {
        if (v == scanTimeMode) {
            return;
        }
        scanTimeMode = v;
        if (v) {
            scanTimeSecs = 0;
            change = 0;
            cpuNanos = 0;
            startScan = 0;
            ksm.pagesToScan = minPagesToScan;
        } else {
            ksm.pagesToScan = Ksm.DEFAULT_PAGES_TO_SCAN;
        }
    }

    public long maxCpu() {
        return maxCpu;
    }

    public void setMaxCpu(long v) {
        maxCpu = v;
    }

    public long minPagesToScan() {
        return minPagesToScan;
    }

    public void setMinPagesToScan(long v) {
        minPagesToScan = v;
    }

    public long maxPagesToScan() {
        return maxPagesToScan;
    }

    public void setMaxPagesToScan(long v) {
        maxPagesToScan = v;
    }

    public long targetScanTime() {
        return targetScanTime;
    }

    /** advisor_target_scan_time_store(): at least 1 second. */
    public int setTargetScanTime(long v) {
        if (v < 1) {
            return -Errno.EINVAL;
        }
        targetScanTime = v;
        return 0;
    }
}
