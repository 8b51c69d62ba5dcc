package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.Task;
import io.simproc.mm.NodeStatItem;
import io.simproc.uapi.Credentials;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The numbers of a process's memory files as a client parses them, and the promises of the process issue about how
 * they agree: status (ps), statm (top, psutil), smaps (pmap, smem) and smaps_rollup (psutil) describe the same
 * address space at the same instant, and proportional sizes add up over processes to the pages they share.
 */
final class PidNumbers {
    private PidNumbers() {
    }

    /** "Label: value kB" lines (status, smaps_rollup) as label → kB; other lines are left out. */
    static Map<String, Long> kbFields(String text) {
        Map<String, Long> out = new LinkedHashMap<>();
        int from = 0;
        while (from < text.length()) {
            int nl = text.indexOf('\n', from);
            int end = nl < 0 ? text.length() : nl;
            putKb(out, text, from, end);
            from = end + 1;
        }
        return out;
    }

    /** Adds the line text[from, end) to {@code out} if it is "Label: value kB". */
    private static void putKb(Map<String, Long> out, String text, int from, int end) {
        int colon = text.indexOf(':', from);
        if (colon < 0 || colon >= end || end - from < 4 || !text.startsWith(" kB", end - 3)) {
            return;
        }
        long v = 0;
        for (int i = colon + 1; i < end - 3; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                v = v * 10 + (c - '0');
            } else if (c != ' ' && c != '\t') {
                throw new AssertionError("not a kB line: " + text.substring(from, end));
            }
        }
        out.put(text.substring(from, colon), v);
    }

    /** One VMA of smaps: its maps line and its kB fields. */
    record SmapsRecord(String header, Map<String, Long> kb) {
        boolean isGate() {
            return header.endsWith("[vsyscall]");
        }
    }

    static List<SmapsRecord> smaps(String text) {
        List<SmapsRecord> out = new ArrayList<>();
        Map<String, Long> kb = null;
        int from = 0;
        while (from < text.length()) {
            int nl = text.indexOf('\n', from);
            int end = nl < 0 ? text.length() : nl;
            String line = null;
            if (Character.digit(text.charAt(from), 16) >= 0 && isMapsLine(line = text.substring(from, end))) {
                kb = new HashMap<>();
                out.add(new SmapsRecord(line, kb));
            } else if (kb != null) {
                putKb(kb, text, from, end);
            }
            from = end + 1;
        }
        return out;
    }

    /** A maps line starts with "hex-hex " (a field line starts with a label and a colon). */
    private static boolean isMapsLine(String line) {
        int dash = line.indexOf('-');
        int space = line.indexOf(' ');
        return dash > 0 && space > dash && line.indexOf(':') > space;
    }

    /** Bytes of a maps line's range. */
    static long rangeBytes(String mapsLine) {
        String range = mapsLine.substring(0, mapsLine.indexOf(' '));
        int dash = range.indexOf('-');
        return Long.parseUnsignedLong(range.substring(dash + 1), 16) - Long.parseUnsignedLong(range.substring(0, dash),
                16);
    }

    /** The rollup of one process as read now, for the global checks. */
    record Rollup(int pid, Map<String, Long> kb) {
    }

    /**
     * Every promise for one process: VmRSS = statm resident × 4 = rollup Rss = Σ smaps Rss; RssAnon + RssFile +
     * RssShmem = VmRSS; VmSize = Σ VMA sizes of maps and of smaps (the gate VMA aside) = statm size × 4; the rollup
     * is the sum of the smaps records (whole-page fields exactly, Pss within the truncation of each record); its
     * Pss split adds up to its Pss; Pss ≤ Rss; Anonymous = RssAnon; Locked ≤ VmLck. Returns the rollup.
     */
    static Rollup checkProcess(ProcFs fs, Task t, String context) {
        String dir = "/" + t.pid();
        Credentials root = Credentials.ROOT;
        Map<String, Long> status = kbFields(ProcTestSupport.read(fs, dir + "/status", root));
        String[] statm = ProcTestSupport.read(fs, dir + "/statm", root).trim().split(" ");
        Map<String, Long> rollup = kbFields(ProcTestSupport.read(fs, dir + "/smaps_rollup", root));
        List<SmapsRecord> smaps = smaps(ProcTestSupport.read(fs, dir + "/smaps", root));
        String[] maps = ProcTestSupport.read(fs, dir + "/maps", root).split("\n");
        String what = context + " pid " + t.pid();

        long vmRss = status.get("VmRSS");
        assertEquals(vmRss, Long.parseLong(statm[1]) * 4, what + ": VmRSS vs statm resident");
        assertEquals(vmRss, rollup.get("Rss"), what + ": VmRSS vs smaps_rollup Rss");
        Map<String, Long> sum = new HashMap<>();
        long vmaBytes = 0;
        int records = 0;
        for (SmapsRecord r : smaps) {
            if (r.isGate()) {
                continue;
            }
            records++;
            vmaBytes += rangeBytes(r.header());
            assertEquals(rangeBytes(r.header()) >> 10, r.kb().get("Size"), what + ": Size of " + r.header());
            r.kb().forEach((k, v) -> sum.merge(k, v, Long::sum));
            assertTrue(r.kb().get("Pss") <= r.kb().get("Rss"), what + ": Pss > Rss in " + r.header());
        }
        assertEquals(vmRss, sum.getOrDefault("Rss", 0L), what + ": VmRSS vs the sum of smaps Rss");
        assertEquals(vmRss, status.get("RssAnon") + status.get("RssFile") + status.get("RssShmem"),
                what + ": RssAnon + RssFile + RssShmem");
        long mapsBytes = 0;
        for (String line : maps) {
            if (!line.endsWith("[vsyscall]")) {
                mapsBytes += rangeBytes(line);
            }
        }
        assertEquals(maps.length - 1, records, what + ": smaps records vs maps lines");
        assertEquals(status.get("VmSize"), mapsBytes >> 10, what + ": VmSize vs the VMAs of maps");
        assertEquals(status.get("VmSize"), vmaBytes >> 10, what + ": VmSize vs the VMAs of smaps");
        assertEquals(status.get("VmSize"), Long.parseLong(statm[0]) * 4, what + ": VmSize vs statm size");
        for (String field : List.of("Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty", "Referenced",
                "Anonymous", "LazyFree", "Swap")) {
            assertEquals(sum.getOrDefault(field, 0L), rollup.get(field), what + ": rollup " + field);
        }
        long pss = rollup.get("Pss");
        long smapsPss = sum.getOrDefault("Pss", 0L);
        assertTrue(smapsPss <= pss && pss <= smapsPss + records,
                what + ": rollup Pss " + pss + " vs smaps " + smapsPss);
        long split = rollup.get("Pss_Anon") + rollup.get("Pss_File") + rollup.get("Pss_Shmem");
        assertTrue(split <= pss && pss <= split + 2, what + ": Pss split " + split + " vs Pss " + pss);
        assertTrue(pss <= rollup.get("Rss"), what + ": Pss > Rss");
        assertEquals(status.get("RssAnon"), rollup.get("Anonymous"), what + ": RssAnon vs Anonymous");
        assertTrue(rollup.get("Locked") <= status.get("VmLck"), what + ": Locked vs VmLck");
        assertEquals(rollup.get("Shared_Clean") + rollup.get("Shared_Dirty") + rollup.get("Private_Clean")
                + rollup.get("Private_Dirty"), rollup.get("Rss"), what + ": clean + dirty = Rss");
        return new Rollup(t.pid(), rollup);
    }

    /**
     * Over all processes: Σ Pss ≤ Σ Rss, and every mapped page's proportional shares add up to its size, so the
     * anonymous Pss of all processes is AnonPages and their file and shmem Pss is Mapped (less at most one
     * truncated kB per process and field).
     */
    static void checkMachine(Kernel k, List<Rollup> rollups, String context) {
        long pss = 0;
        long rss = 0;
        long anon = 0;
        long fileAndShmem = 0;
        for (Rollup r : rollups) {
            pss += r.kb().get("Pss");
            rss += r.kb().get("Rss");
            anon += r.kb().get("Pss_Anon");
            fileAndShmem += r.kb().get("Pss_File") + r.kb().get("Pss_Shmem");
        }
        long anonPages = k.read(m -> m.mm().vmstat().globalNodeState(NodeStatItem.NR_ANON_MAPPED));
        long mapped = k.read(m -> m.mm().vmstat().globalNodeState(NodeStatItem.NR_FILE_MAPPED));
        int n = rollups.size();
        assertTrue(pss <= rss, context + ": Σ Pss " + pss + " > Σ Rss " + rss);
        assertTrue(anon <= anonPages * 4 && anon >= anonPages * 4 - n - 1,
                context + ": Σ Pss_Anon " + anon + " kB vs AnonPages " + anonPages * 4 + " kB over " + n);
        assertTrue(fileAndShmem <= mapped * 4 && fileAndShmem >= mapped * 4 - 2L * n - 1,
                context + ": Σ Pss_File + Pss_Shmem " + fileAndShmem + " kB vs Mapped " + mapped * 4 + " kB");
    }
}
