package io.simproc.proc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Judges reads of /proc files taken while the machine runs, by what the numbers of one read must mean — never by the
 * shape of the text, which a read cut between two renderings keeps. Each check relates figures that one rendering
 * takes at one instant, so a read stitched from two renderings (the first part of one, the rest of another) breaks
 * it as soon as the figures it relates changed in between (ReadOracleTest proves each check on such reads):
 * <ul>
 *   <li>meminfo: every field present once, in the order of the first read; MemTotal as in the first read;
 *       Active = Active(anon) + Active(file), Inactive = Inactive(anon) + Inactive(file), Slab = SReclaimable +
 *       SUnreclaim (fs/proc/meminfo.c: meminfo_proc_show() sums them from the same counters);</li>
 *   <li>zoneinfo: the zones of the first read, each with its spanned, present and managed pages; in each populated
 *       zone "pages free" = nr_free_pages (both zone_page_state(NR_FREE_PAGES)) and nr_free_pages_blocks ≤
 *       nr_free_pages; per node, each LRU size of the node's stats (nr_inactive_anon...) = the sum of its zones'
 *       nr_zone_* (mm/vmscan.c: update_lru_size() moves both);</li>
 *   <li>vmstat: every field present once, in the order of the first read; the global nr_zone_* LRU sizes = the node
 *       ones; event counters (pgpgin onwards, numa_*, workingset refault/activate/restore/nodereclaim, nr_dirtied,
 *       nr_written...) never lower than in this reader's previous read;</li>
 *   <li>stat: the "cpu" line's columns = the sum of the cpuN lines (each line is rounded down to USER_HZ ticks on
 *       its own, so the total may exceed the sum by less than one tick per CPU); softirq's total = the sum of its
 *       columns; intr's total ≥ the sum of the listed lines; btime as in the first read; every counter (CPU
 *       times, intr, ctxt, processes, softirq) never lower than in this reader's previous read.</li>
 * </ul>
 * zoneinfo carries no free-area figures, so "a zone's free pages = the sum of its buddyinfo row" needs two files
 * read at one simulated instant: {@link #assertZoneFreeMatchesBuddyinfo} is for tests that can hold the machine
 * still (paused, or the test is its only writer).
 *
 * <p>One oracle per machine, shared by the readers (thread-safe); each reader thread takes its own
 * {@link #reader()}, which remembers its previous counters. The oracle counts successful reads per file so that a
 * test can fail when some file was never read.
 */
public final class ReadOracle {
    /** The files judged by meaning (file names as in the tree, without a leading slash). */
    public static final Set<String> JUDGED = Set.of("meminfo", "zoneinfo", "vmstat", "stat");
    private static final List<String> LRU = List.of("inactive_anon", "active_anon", "inactive_file", "active_file",
            "unevictable");
    private static final List<String> MONOTONE_NODE_STATS = List.of("numa_", "workingset_refault_",
            "workingset_activate_", "workingset_restore_", "workingset_nodereclaim", "nr_dirtied", "nr_written",
            "nr_throttled_written", "nr_vmscan_write", "nr_vmscan_immediate_reclaim", "pgpromote_", "pgdemote_");

    private final Map<String, Long> firstMeminfo;
    private final Map<String, Long> firstVmstat;
    private final List<ProcText.Zone> firstZones;
    private final Map<String, long[]> firstStat;
    private final Map<String, LongAdder> reads = new ConcurrentHashMap<>();

    /** An oracle for one machine, from a whole read of each judged file taken before the readers start. */
    public ReadOracle(String meminfo, String zoneinfo, String vmstat, String stat) {
        this.firstMeminfo = ProcText.meminfo(meminfo);
        this.firstZones = ProcText.zoneinfo(zoneinfo);
        this.firstVmstat = ProcText.vmstat(vmstat);
        this.firstStat = ProcText.stat(stat);
    }

    /** The file name without a leading slash, as {@link #JUDGED} names it. */
    public static String name(String path) {
        return path.startsWith("/") ? path.substring(1) : path;
    }

    public static boolean judges(String path) {
        return JUDGED.contains(name(path));
    }

    /** A reader's view: checks its reads, remembering its previous counters. Not shared between threads. */
    public Reader reader() {
        return new Reader();
    }

    /** Count a successful read of a file this oracle does not judge (the test checked it some other way). */
    public void countRead(String path) {
        reads.computeIfAbsent(name(path), k -> new LongAdder()).increment();
    }

    /** Successful reads per file so far. */
    public Map<String, Long> reads() {
        Map<String, Long> out = new TreeMap<>();
        reads.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Fails unless each of {@code paths} was read successfully at least once. */
    public void assertEachRead(Collection<String> paths) {
        List<String> never = new ArrayList<>();
        for (String p : paths) {
            LongAdder n = reads.get(name(p));
            if (n == null || n.sum() == 0) {
                never.add(name(p));
            }
        }
        if (!never.isEmpty()) {
            fail("never read successfully: " + never + " (reads: " + reads() + ")");
        }
    }

    /**
     * A text's line structure, every run of digits masked: the only check for files whose figures are not related
     * within a read (a read from two renderings of a file that has the same lines either way cannot be told).
     */
    public static String shape(String text) {
        return text.replaceAll("\\d+", "#").replaceAll(" +", " ");
    }

    /** One reader's checks. */
    public final class Reader {
        private final Map<String, Map<String, Long>> previous = new HashMap<>();

        /** Judge one read of {@code path} (a judged file); fails with the reason and the text. */
        public void check(String path, String text) {
            String file = name(path);
            try {
                switch (file) {
                    case "meminfo" -> checkMeminfo(text);
                    case "zoneinfo" -> checkZoneinfo(text);
                    case "vmstat" -> monotone(file, checkVmstat(text));
                    case "stat" -> monotone(file, checkStat(text));
                    default -> throw new IllegalArgumentException(file + " is not judged by ReadOracle");
                }
            } catch (AssertionError e) {
                throw new AssertionError(file + ": " + e.getMessage() + "\n--- the read:\n" + text, e);
            }
            countRead(file);
        }

        private void monotone(String file, Map<String, Long> counters) {
            Map<String, Long> before = previous.put(file, counters);
            if (before != null) {
                assertNeverBackwards(before, counters);
            }
        }
    }

    void checkMeminfo(String text) {
        Map<String, Long> m = ProcText.meminfo(text);
        sameKeys("fields", firstMeminfo.keySet(), m.keySet());
        equal("MemTotal (constant)", firstMeminfo.get("MemTotal"), m.get("MemTotal"));
        sum(m, "Active", "Active(anon)", "Active(file)");
        sum(m, "Inactive", "Inactive(anon)", "Inactive(file)");
        sum(m, "Slab", "SReclaimable", "SUnreclaim");
    }

    void checkZoneinfo(String text) {
        List<ProcText.Zone> zones = ProcText.zoneinfo(text);
        List<String> names = zones.stream().map(ReadOracle::zoneName).toList();
        sameKeys("zones", firstZones.stream().map(ReadOracle::zoneName).toList(), names);
        Map<Integer, Map<String, Long>> nodeStats = new LinkedHashMap<>();
        Map<Integer, Map<String, Long>> zoneLru = new LinkedHashMap<>();
        for (int i = 0; i < zones.size(); i++) {
            ProcText.Zone z = zones.get(i);
            for (String k : List.of("spanned", "present", "managed")) {
                equal(zoneName(z) + " " + k + " (constant)", firstZones.get(i).get(k), z.get(k));
            }
            if (!z.nodeStats().isEmpty() && nodeStats.put(z.node(), z.nodeStats()) != null) {
                fail("node " + z.node() + " has per-node stats twice");
            }
            if (z.get("present") == 0) {
                continue;
            }
            equal(zoneName(z) + " pages free = nr_free_pages", z.get("pages free"), z.get("nr_free_pages"));
            if (z.get("nr_free_pages_blocks") > z.get("nr_free_pages")) {
                fail(zoneName(z) + ": nr_free_pages_blocks " + z.get("nr_free_pages_blocks") + " > nr_free_pages "
                        + z.get("nr_free_pages"));
            }
            Map<String, Long> sums = zoneLru.computeIfAbsent(z.node(), n -> new LinkedHashMap<>());
            for (String lru : LRU) {
                sums.merge(lru, z.get("nr_zone_" + lru), Long::sum);
            }
        }
        for (Map.Entry<Integer, Map<String, Long>> e : zoneLru.entrySet()) {
            Map<String, Long> node = nodeStats.get(e.getKey());
            if (node == null) {
                fail("node " + e.getKey() + " has populated zones but no per-node stats");
            }
            for (String lru : LRU) {
                equal("node " + e.getKey() + " nr_" + lru + " = the sum of its zones' nr_zone_" + lru,
                        node.get("nr_" + lru), e.getValue().get(lru));
            }
        }
    }

    /** The vmstat checks within the read; returns its monotone counters. */
    Map<String, Long> checkVmstat(String text) {
        Map<String, Long> v = ProcText.vmstat(text);
        sameKeys("fields", firstVmstat.keySet(), v.keySet());
        for (String lru : LRU) {
            equal("nr_zone_" + lru + " = nr_" + lru, v.get("nr_" + lru), v.get("nr_zone_" + lru));
        }
        Map<String, Long> counters = new LinkedHashMap<>();
        boolean events = false;
        for (Map.Entry<String, Long> e : v.entrySet()) {
            String k = e.getKey();
            events |= k.equals("pgpgin");
            if (events ? !k.startsWith("nr_") : MONOTONE_NODE_STATS.stream().anyMatch(k::startsWith)) {
                counters.put(k, e.getValue());
            }
        }
        return counters;
    }

    /** The /proc/stat checks within the read; returns its counters, one entry per column. */
    Map<String, Long> checkStat(String text) {
        Map<String, long[]> s = ProcText.stat(text);
        sameKeys("lines", firstStat.keySet(), s.keySet());
        equal("btime (constant)", firstStat.get("btime")[0], s.get("btime")[0]);
        long[] total = s.get("cpu");
        long[] sum = new long[total.length];
        int cpus = 0;
        for (Map.Entry<String, long[]> e : s.entrySet()) {
            if (e.getKey().matches("cpu\\d+")) {
                cpus++;
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += e.getValue()[i];
                }
            }
        }
        for (int i = 0; i < total.length; i++) {
            if (total[i] < sum[i] || total[i] - sum[i] >= cpus) {
                fail("cpu column " + (i + 1) + " is " + total[i] + " but the " + cpus + " cpuN lines add up to "
                        + sum[i]);
            }
        }
        long[] softirq = s.get("softirq");
        equal("softirq total = the sum of its columns", softirq[0], sumFrom(softirq, 1));
        long[] intr = s.get("intr");
        if (intr[0] < sumFrom(intr, 1)) {
            fail("intr total " + intr[0] + " < the sum of its lines " + sumFrom(intr, 1));
        }
        Map<String, Long> counters = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : s.entrySet()) {
            String k = e.getKey();
            if (k.equals("btime") || k.startsWith("procs_")) {
                continue;
            }
            for (int i = 0; i < e.getValue().length; i++) {
                counters.put(k + "[" + i + "]", e.getValue()[i]);
            }
        }
        return counters;
    }

    /** Counters of a later read by the same reader are never lower. */
    static void assertNeverBackwards(Map<String, Long> before, Map<String, Long> after) {
        for (Map.Entry<String, Long> e : before.entrySet()) {
            Long now = after.get(e.getKey());
            if (now != null && now < e.getValue()) {
                fail(e.getKey() + " went backwards: " + e.getValue() + " in this reader's previous read, " + now
                        + " now");
            }
        }
    }

    /**
     * zoneinfo and buddyinfo read at one simulated instant: each populated zone's nr_free_pages is the pages of its
     * buddyinfo row (Σ blocks × 2^order). Both count the buddy allocator's free lists (mm/vmstat.c:
     * frag_show_print() and zoneinfo_show_print()); pages on per-cpu lists are in neither.
     */
    public static void assertZoneFreeMatchesBuddyinfo(String zoneinfo, String buddyinfo) {
        Map<String, Long> rows = new LinkedHashMap<>();
        for (ProcText.BuddyLine b : ProcText.buddyinfo(buddyinfo)) {
            rows.put("Node " + b.node() + " zone " + b.zone(), b.pages());
        }
        for (ProcText.Zone z : ProcText.zoneinfo(zoneinfo)) {
            if (z.get("present") == 0) {
                continue;
            }
            Long row = rows.get(zoneName(z));
            if (row == null) {
                fail(zoneName(z) + " has no buddyinfo row:\n" + buddyinfo);
            }
            if (row != z.get("nr_free_pages")) {
                fail(zoneName(z) + ": nr_free_pages " + z.get("nr_free_pages") + " but its buddyinfo row holds "
                        + row + " pages\n--- zoneinfo:\n" + zoneinfo + "\n--- buddyinfo:\n" + buddyinfo);
            }
        }
    }

    private static String zoneName(ProcText.Zone z) {
        return "Node " + z.node() + " zone " + z.name();
    }

    private static long sumFrom(long[] v, int from) {
        long n = 0;
        for (int i = from; i < v.length; i++) {
            n += v[i];
        }
        return n;
    }

    private static void sum(Map<String, Long> m, String total, String a, String b) {
        equal(total + " = " + a + " + " + b + " (" + m.get(a) + " + " + m.get(b) + ")", m.get(total),
                m.get(a) + m.get(b));
    }

    private static void equal(String what, long expected, long actual) {
        if (expected != actual) {
            fail(what + ": expected " + expected + ", got " + actual);
        }
    }

    private static void sameKeys(String what, Collection<String> expected, Collection<String> actual) {
        if (!new ArrayList<>(expected).equals(new ArrayList<>(actual))) {
            fail(what + " differ from the first read: " + actual + " instead of " + expected);
        }
    }
}
