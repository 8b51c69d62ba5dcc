package io.simproc.proc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.simproc.proc.ProcTestSupport.lines;
import static io.simproc.proc.ProcTestSupport.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Parsers for rendered proc files, written the way a client (procps, node_exporter) reads them: from the text, by
 * splitting on whitespace and labels, never from simulator internals. Each parser fails the test on a line it
 * cannot read and on a key it sees twice.
 */
public final class ProcText {
    private static final Pattern IOMEM_LINE = Pattern.compile("^((?:  )*)([0-9a-f]{8,})-([0-9a-f]{8,}) : (.+)$");

    private ProcText() {
    }

    /** /proc/meminfo: label (without the colon) → number (kB, or a count for HugePages_*). */
    public static Map<String, Long> meminfo(String text) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : lines("meminfo", text)) {
            int colon = line.indexOf(':');
            String[] rest = line.substring(colon + 1).trim().split(" +");
            put(out, "meminfo", line.substring(0, colon), number("meminfo", line, rest[0]));
        }
        return out;
    }

    /** /proc/vmstat: name → value, in file order. */
    public static Map<String, Long> vmstat(String text) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : lines("vmstat", text)) {
            String[] f = line.split(" ");
            if (f.length != 2) {
                fail("vmstat: cannot read " + quote(line));
            }
            put(out, "vmstat", f[0], number("vmstat", line, f[1]));
        }
        return out;
    }

    /**
     * One zone of /proc/zoneinfo.
     *
     * @param fields     "pages free", "min", "managed", the zone stats ("nr_free_pages"...), "start_pfn"...
     * @param nodeStats  the per-node stats when this is the node's first populated zone, else empty
     * @param pagesets   per CPU: "cpu", "count", "high", "batch", "high_min", "high_max", "vm stats threshold"
     */
    public record Zone(int node, String name, Map<String, Long> fields, long[] protection,
                       Map<String, Long> nodeStats, List<Map<String, Long>> pagesets) {
        public long get(String key) {
            Long v = fields.get(key);
            if (v == null) {
                fail("zoneinfo: Node " + node + " zone " + name + " has no '" + key + "'");
            }
            return v;
        }

        public long maxProtection() {
            return Arrays.stream(protection).max().orElse(0);
        }
    }

    public static List<Zone> zoneinfo(String text) {
        List<Zone> zones = new ArrayList<>();
        Map<String, Long> fields = null;
        Map<String, Long> nodeStats = null;
        List<Map<String, Long>> pagesets = null;
        Map<String, Long> pageset = null;
        boolean inNodeStats = false;
        boolean inPagesets = false;
        for (String line : lines("zoneinfo", text)) {
            String t = line.trim();
            if (line.startsWith("Node ")) {
                String[] f = line.split("[ ,]+");
                fields = new LinkedHashMap<>();
                nodeStats = new LinkedHashMap<>();
                pagesets = new ArrayList<>();
                zones.add(new Zone(Integer.parseInt(f[1]), f[3], fields, new long[0], nodeStats, pagesets));
                inNodeStats = false;
                inPagesets = false;
            } else if (fields == null) {
                fail("zoneinfo: line before the first zone: " + quote(line));
            } else if (t.equals("per-node stats")) {
                inNodeStats = true;
            } else if (t.equals("pagesets")) {
                inPagesets = true;
            } else if (t.startsWith("protection: (") && t.endsWith(")")) {
                long[] p = Arrays.stream(t.substring(13, t.length() - 1).split(", "))
                        .mapToLong(s -> number("zoneinfo", line, s)).toArray();
                Zone z = zones.remove(zones.size() - 1);
                zones.add(new Zone(z.node(), z.name(), z.fields(), p, z.nodeStats(), z.pagesets()));
            } else if (inPagesets && t.startsWith("cpu: ")) {
                pageset = new LinkedHashMap<>();
                pageset.put("cpu", number("zoneinfo", line, t.substring(5)));
                pagesets.add(pageset);
            } else {
                int sp = t.lastIndexOf(' ');
                if (sp < 0) {
                    fail("zoneinfo: cannot read " + quote(line));
                }
                String key = t.substring(0, sp).trim();
                key = key.endsWith(":") ? key.substring(0, key.length() - 1) : key;
                long v = number("zoneinfo", line, t.substring(sp + 1));
                if (key.equals("pages free")) {
                    inNodeStats = false;
                }
                if (inNodeStats) {
                    put(nodeStats, "zoneinfo per-node stats", key, v);
                } else if (inPagesets && pageset != null
                        && (line.startsWith("              ") || key.equals("vm stats threshold"))) {
                    put(pageset, "zoneinfo pageset", key, v);
                } else {
                    put(fields, "zoneinfo zone " + zones.get(zones.size() - 1).name(), key, v);
                }
            }
        }
        return zones;
    }

    /** One line of /proc/buddyinfo: free blocks per order. */
    public record BuddyLine(int node, String zone, long[] counts) {
        public long pages() {
            long n = 0;
            for (int order = 0; order < counts.length; order++) {
                n += counts[order] << order;
            }
            return n;
        }
    }

    public static List<BuddyLine> buddyinfo(String text) {
        List<BuddyLine> out = new ArrayList<>();
        for (String line : lines("buddyinfo", text)) {
            String[] f = line.trim().split(" +");
            if (f.length != 4 + 11 || !f[0].equals("Node") || !f[2].equals("zone")) {
                fail("buddyinfo: cannot read " + quote(line));
            }
            out.add(new BuddyLine(Integer.parseInt(f[1].replace(",", "")), f[3], numbers(line, f, 4)));
        }
        return out;
    }

    /**
     * /proc/pagetypeinfo.
     *
     * @param free   "node zone type" → free blocks per order
     * @param types  the migrate type names of the block count table, in order
     * @param blocks "node zone" → pageblocks per migrate type (in {@code types} order)
     */
    public record Pagetypeinfo(Map<String, long[]> free, List<String> types, Map<String, long[]> blocks) {
    }

    public static Pagetypeinfo pagetypeinfo(String text) {
        Map<String, long[]> free = new LinkedHashMap<>();
        List<String> types = new ArrayList<>();
        Map<String, long[]> blocks = new LinkedHashMap<>();
        for (String line : lines("pagetypeinfo", text)) {
            String[] f = line.trim().split(" +");
            if (line.startsWith("Number of blocks type ")) {
                types.clear();
                types.addAll(Arrays.asList(f).subList(4, f.length));
            } else if (line.startsWith("Node ") && line.contains(", type ")) {
                String key = f[1].replace(",", "") + " " + f[3].replace(",", "") + " " + f[5];
                put(free, "pagetypeinfo free", key, numbers(line, f, 6));
            } else if (line.startsWith("Node ")) {
                put(blocks, "pagetypeinfo blocks", f[1].replace(",", "") + " " + f[3], numbers(line, f, 4));
            }
        }
        return new Pagetypeinfo(free, types, blocks);
    }

    /** One line of /proc/iomem. */
    public record IomemLine(int depth, long start, long end, String name) {
    }

    public static List<IomemLine> iomem(String text) {
        List<IomemLine> out = new ArrayList<>();
        for (String line : lines("iomem", text)) {
            Matcher m = IOMEM_LINE.matcher(line);
            if (!m.matches()) {
                fail("iomem: cannot read " + quote(line));
            }
            out.add(new IomemLine(m.group(1).length() / 2, Long.parseUnsignedLong(m.group(2), 16),
                    Long.parseUnsignedLong(m.group(3), 16), m.group(4)));
        }
        return out;
    }

    /** The values of a "key v1 v2 ..." line of /proc/stat. */
    public static Map<String, long[]> stat(String text) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (String line : lines("stat", text)) {
            String[] f = line.split(" +");
            put(out, "stat", f[0], numbers(line, f, 1));
        }
        return out;
    }

    private static long[] numbers(String line, String[] f, int from) {
        long[] out = new long[f.length - from];
        for (int i = from; i < f.length; i++) {
            out[i - from] = number("", line, f[i].startsWith(">") ? f[i].substring(1) : f[i]);
        }
        return out;
    }

    private static long number(String what, String line, String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return fail(what + ": '" + s + "' is not a number in " + quote(line));
        }
    }

    private static <V> void put(Map<String, V> map, String what, String key, V value) {
        if (map.put(key, value) != null) {
            fail(what + ": '" + key + "' appears twice");
        }
    }

    /** Asserts the map has exactly these keys in this order. */
    static void assertKeys(String what, List<String> expected, Map<String, ?> actual) {
        assertEquals(expected, new ArrayList<>(actual.keySet()), what + ": keys differ");
    }
}
