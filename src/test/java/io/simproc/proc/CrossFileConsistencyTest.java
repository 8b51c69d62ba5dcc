package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.sysctl.SysctlTable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.simproc.proc.ProcTestSupport.read;
import static io.simproc.proc.ProcTestSupport.shared;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The files of one machine state agree with each other the way they do on Linux, checked from the rendered text
 * as a client would read it: free pages in meminfo, zoneinfo, vmstat, buddyinfo and pagetypeinfo; managed pages
 * and MemTotal; CommitLimit; MemAvailable recomputed here with si_mem_available() from zoneinfo watermarks and
 * protection and vmstat counters; uptime, stat and loadavg against each other and the task list.
 */
class CrossFileConsistencyTest {
    private static Map<String, Long> meminfo;
    private static Map<String, Long> vmstat;
    private static List<ProcText.Zone> zones;
    private static List<ProcText.BuddyLine> buddy;
    private static ProcText.Pagetypeinfo pagetype;

    @BeforeAll
    static void renderOnce() {
        ProcFs fs = shared();
        meminfo = ProcText.meminfo(read(fs, "/meminfo"));
        vmstat = ProcText.vmstat(read(fs, "/vmstat"));
        zones = ProcText.zoneinfo(read(fs, "/zoneinfo"));
        buddy = ProcText.buddyinfo(read(fs, "/buddyinfo"));
        pagetype = ProcText.pagetypeinfo(read(fs, "/pagetypeinfo"));
    }

    private static ProcText.Zone zone(int node, String name) {
        return zones.stream().filter(z -> z.node() == node && z.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("zoneinfo has no Node " + node + " zone " + name));
    }

    private static List<ProcText.Zone> populated() {
        return zones.stream().filter(z -> z.get("present") > 0).toList();
    }

    // ---------------------------------------------------------------------------------------------------------
    // free pages

    @Test
    void memFreeEqualsNrFreePagesEverywhere() {
        long memFreePages = meminfo.get("MemFree") / 4;
        assertEquals(0, meminfo.get("MemFree") % 4, "MemFree is pages × 4");
        long zoneinfoSum = populated().stream().mapToLong(z -> z.get("nr_free_pages")).sum();
        long pagesFreeSum = zones.stream().mapToLong(z -> z.get("pages free")).sum();
        long buddySum = buddy.stream().mapToLong(ProcText.BuddyLine::pages).sum();
        assertEquals(memFreePages, zoneinfoSum, "MemFree/4 vs Σ zoneinfo nr_free_pages");
        assertEquals(memFreePages, pagesFreeSum, "MemFree/4 vs Σ zoneinfo pages free");
        assertEquals(memFreePages, vmstat.get("nr_free_pages"), "MemFree/4 vs vmstat nr_free_pages");
        assertEquals(memFreePages, buddySum, "MemFree/4 vs Σ buddyinfo count × 2^order");
    }

    @Test
    void eachBuddyinfoLineAddsUpToItsZonesFreePages() {
        assertEquals(populated().size(), buddy.size(), "one buddyinfo line per populated zone");
        for (ProcText.BuddyLine b : buddy) {
            ProcText.Zone z = zone(b.node(), b.zone());
            assertEquals(z.get("pages free"), b.pages(), "Node " + b.node() + " zone " + b.zone());
            assertEquals(z.get("nr_free_pages"), b.pages(), "Node " + b.node() + " zone " + b.zone());
        }
    }

    @Test
    void pagetypeinfoFreeCountsSummedOverTypesEqualBuddyinfo() {
        for (ProcText.BuddyLine b : buddy) {
            long[] sum = new long[11];
            int types = 0;
            for (Map.Entry<String, long[]> e : pagetype.free().entrySet()) {
                if (e.getKey().startsWith(b.node() + " " + b.zone() + " ")) {
                    types++;
                    for (int order = 0; order < 11; order++) {
                        sum[order] += e.getValue()[order];
                    }
                }
            }
            assertEquals(pagetype.types().size(), types, "a free row per migrate type for zone " + b.zone());
            assertArrayEquals(b.counts(), sum, "zone " + b.zone() + ": Σ pagetypeinfo rows vs buddyinfo");
        }
    }

    /**
     * pagetypeinfo_showblockcount_print() walks each zone from zone_start_pfn in pageblock steps and counts the
     * blocks whose first pfn has an online struct page (pfn_to_online_page: its 2 MiB subsection holds RAM, as
     * /proc/iomem's top-level System RAM ranges tell) and belongs to the zone.
     */
    @Test
    void pagetypeinfoBlockCountsAreThePageblocksOfTheKernelsWalk() {
        List<long[]> ram = systemRamPfns(read(shared(), "/iomem"));
        assertEquals(populated().size(), pagetype.blocks().size(), "a block count row per populated zone");
        for (ProcText.Zone z : populated()) {
            long[] counts = pagetype.blocks().get(z.node() + " " + z.name());
            long expected = kernelBlockWalk(z.get("start_pfn"), z.get("spanned"), ram);
            assertEquals(expected, Arrays.stream(counts).sum(), "zone " + z.name());
        }
    }

    /**
     * The same walk on a machine whose firmware map has an 8 MiB hole inside a present 128 MiB memory section: the
     * four pageblocks of the hole have no valid subsection, so the kernel does not count them.
     */
    @Test
    void pagetypeinfoBlockCountsSkipHolesInsidePresentSections() {
        String profile = """
                name: hole
                e820:
                  - {start: 0x0, end: 0xfff, type: reserved}
                  - {start: 0x1000, end: 0x9fbff, type: ram}
                  - {start: 0x9fc00, end: 0xfffff, type: reserved}
                  - {start: 0x100000, end: 0x3fffffff, type: ram}
                  - {start: 0x40000000, end: 0x407fffff, type: reserved}
                  - {start: 0x40800000, end: 0xbfffffff, type: ram}
                  - {start: 0x100000000, end: 0x13fffffff, type: ram}
                """;
        Kernel k = Kernel.boot(MachineProfileLoader.parse("hole.yaml", profile), ProcTestSupport.SEED);
        ProcFs fs = new ProcFs(k, ProcTree.create(SysctlTable.create()));
        List<long[]> ram = systemRamPfns(read(fs, "/iomem"));
        ProcText.Pagetypeinfo pt = ProcText.pagetypeinfo(read(fs, "/pagetypeinfo"));
        for (ProcText.Zone z : ProcText.zoneinfo(read(fs, "/zoneinfo"))) {
            if (z.get("present") == 0) {
                continue;
            }
            long expected = kernelBlockWalk(z.get("start_pfn"), z.get("spanned"), ram);
            long shown = Arrays.stream(pt.blocks().get(z.node() + " " + z.name())).sum();
            assertEquals(expected, shown, "zone " + z.name());
            if (z.name().equals("DMA32")) {
                assertEquals((0xc0000 - 4096) / 512 - 4, expected, "DMA32 without the four blocks of the hole");
            }
        }
    }

    /** The pfn ranges [start, end) of the top-level System RAM lines of /proc/iomem (memblock.memory). */
    static List<long[]> systemRamPfns(String iomem) {
        return ProcText.iomem(iomem).stream().filter(l -> l.depth() == 0 && l.name().equals("System RAM"))
                .map(l -> new long[] {(l.start() + 4095) >>> 12, (l.end() + 1) >>> 12}).toList();
    }

    /** The number of pageblocks pagetypeinfo_showblockcount_print() visits in a zone of a single-node machine. */
    static long kernelBlockWalk(long startPfn, long spanned, List<long[]> ramPfns) {
        long n = 0;
        for (long pfn = startPfn; pfn < startPfn + spanned; pfn += 512) {
            long subsection = pfn & ~511L;
            for (long[] r : ramPfns) {
                if (r[0] < subsection + 512 && subsection < r[1]) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    // ---------------------------------------------------------------------------------------------------------
    // totals and derived meminfo values

    @Test
    void memTotalIsManagedPagesTimesFour() {
        long managed = zones.stream().mapToLong(z -> z.get("managed")).sum();
        assertEquals(managed * 4, meminfo.get("MemTotal"));
    }

    /**
     * vm_commit_limit() in pages: (totalram × overcommit_ratio / 100) + swap, shown × 4. The default machine's 2 GiB
     * swap partition is active (less its header page).
     */
    @Test
    void commitLimitIsHalfOfRamComputedInPages() {
        assertEquals((2L << 20) - 4, meminfo.get("SwapTotal"), "the default machine's swap partition is on");
        assertTrue(meminfo.get("SwapFree") <= meminfo.get("SwapTotal"));
        long overcommitRatio = 50;
        long totalram = meminfo.get("MemTotal") / 4;
        assertEquals((totalram * overcommitRatio / 100 + meminfo.get("SwapTotal") / 4) * 4,
                meminfo.get("CommitLimit"));
    }

    /**
     * si_mem_available(), with totalreserve_pages computed here from zoneinfo: Σ over all zones of
     * min(managed, high watermark + largest protection entry) (the high watermark without boost, as
     * calculate_totalreserve_pages saw it).
     */
    @Test
    void memAvailableFollowsSiMemAvailable() {
        long wmarkLow = zones.stream().mapToLong(z -> z.get("low")).sum();
        long totalreserve = 0;
        for (ProcText.Zone z : zones) {
            totalreserve += Math.min(z.get("managed"), z.get("high") - z.get("boost") + z.maxProtection());
        }
        long available = vmstat.get("nr_free_pages") - totalreserve;
        long pagecache = vmstat.get("nr_active_file") + vmstat.get("nr_inactive_file");
        available += pagecache - Math.min(pagecache / 2, wmarkLow);
        long reclaimable = vmstat.get("nr_slab_reclaimable") + vmstat.get("nr_kernel_misc_reclaimable");
        available += reclaimable - Math.min(reclaimable / 2, wmarkLow);
        available = Math.max(0, available);
        assertEquals(available * 4, meminfo.get("MemAvailable"));
        assertTrue(totalreserve > 0 && available < vmstat.get("nr_free_pages"), "reserves are subtracted");
    }

    /** meminfo fields that are vmstat counters shown in kB. */
    @Test
    void meminfoCountersAreTheVmstatCountersInKb() {
        Map<String, String> same = Map.ofEntries(Map.entry("Active(anon)", "nr_active_anon"),
                Map.entry("Inactive(anon)", "nr_inactive_anon"), Map.entry("Active(file)", "nr_active_file"),
                Map.entry("Inactive(file)", "nr_inactive_file"), Map.entry("Unevictable", "nr_unevictable"),
                Map.entry("Mlocked", "nr_mlock"), Map.entry("Dirty", "nr_dirty"),
                Map.entry("Writeback", "nr_writeback"), Map.entry("AnonPages", "nr_anon_pages"),
                Map.entry("Mapped", "nr_mapped"), Map.entry("Shmem", "nr_shmem"),
                Map.entry("SReclaimable", "nr_slab_reclaimable"), Map.entry("SUnreclaim", "nr_slab_unreclaimable"),
                Map.entry("PageTables", "nr_page_table_pages"), Map.entry("SwapCached", "nr_swapcached"),
                Map.entry("SecPageTables", "nr_sec_page_table_pages"));
        for (Map.Entry<String, String> e : same.entrySet()) {
            assertEquals(vmstat.get(e.getValue()) * 4, meminfo.get(e.getKey()), e.getKey() + " vs " + e.getValue());
        }
        assertEquals(vmstat.get("nr_kernel_stack"), meminfo.get("KernelStack"), "both already in kB");
        assertEquals(meminfo.get("SReclaimable") + meminfo.get("SUnreclaim"), meminfo.get("Slab"));
    }

    /** vmstat's zone and node counters are the sums of zoneinfo's per-zone and per-node lines. */
    @Test
    void vmstatCountersAreSumsOfZoneinfoCounters() {
        for (String key : populated().get(0).fields().keySet()) {
            if (!key.startsWith("nr_") && !key.startsWith("numa_")) {
                continue;
            }
            long sum = populated().stream().mapToLong(z -> z.get(key)).sum();
            assertEquals(sum, vmstat.get(key), key);
        }
        Map<String, Long> nodeStats = populated().get(0).nodeStats();
        assertTrue(nodeStats.size() > 40, "per-node stats under the first populated zone");
        for (Map.Entry<String, Long> e : nodeStats.entrySet()) {
            assertEquals(e.getValue(), vmstat.get(e.getKey()), e.getKey());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // time and tasks

    @Test
    void uptimeIsNonNegativeAndIdleAtMostUptimeTimesCpus() {
        String[] f = read(shared(), "/uptime").trim().split(" ");
        double uptime = Double.parseDouble(f[0]);
        double idle = Double.parseDouble(f[1]);
        long cpus = ProcText.stat(read(shared(), "/stat")).keySet().stream().filter(k -> k.matches("cpu\\d+")).count();
        assertEquals(4, cpus);
        assertTrue(uptime >= 0, "uptime " + uptime);
        assertTrue(idle >= 0 && idle <= uptime * cpus, "idle " + idle + " > uptime " + uptime + " × " + cpus);
    }

    @Test
    void loadavgCountsTheTasksAndAgreesWithStat() {
        ProcFs fs = shared();
        String[] f = read(fs, "/loadavg").trim().split(" ");
        String[] tasks = f[3].split("/");
        Map<String, long[]> stat = ProcText.stat(read(fs, "/stat"));
        int nrTasks = fs.kernel().read(k -> k.tasks().size());
        assertEquals(nrTasks, Integer.parseInt(tasks[1]), "loadavg total = number of tasks");
        assertEquals(stat.get("procs_running")[0], Long.parseLong(tasks[0]), "both print nr_running()");
        assertTrue(Long.parseLong(tasks[0]) <= nrTasks);
        assertEquals((long) fs.kernel().read(k -> k.tasks().lastPid()), Long.parseLong(f[4]), "last pid");
    }

    /** The "cpu" line sums the per-CPU times before converting to ticks, so it may exceed Σ ticks by < cpus. */
    @Test
    void statTotalsAgreeWithTheirParts() {
        Map<String, long[]> stat = ProcText.stat(read(shared(), "/stat"));
        long[] all = stat.get("cpu");
        for (int col = 0; col < 10; col++) {
            long sum = 0;
            for (int cpu = 0; cpu < 4; cpu++) {
                sum += stat.get("cpu" + cpu)[col];
            }
            assertTrue(all[col] >= sum && all[col] - sum < 4, "cpu column " + col + ": " + all[col] + " vs " + sum);
        }
        long[] softirq = stat.get("softirq");
        long softirqSum = 0;
        for (int i = 1; i < softirq.length; i++) {
            softirqSum += softirq[i];
        }
        assertEquals(softirq[0], softirqSum, "softirq total");
        long[] intr = stat.get("intr");
        long intrSum = 0;
        for (int i = 1; i < intr.length; i++) {
            intrSum += intr[i];
        }
        assertTrue(intr[0] >= intrSum, "intr total includes the numbered interrupts");
        long uptimeTicks = Math.round(Double.parseDouble(read(shared(), "/uptime").split(" ")[0]) * 100);
        assertTrue(all[3] <= uptimeTicks * 4, "idle ticks within uptime × cpus");
    }
}
