package io.simproc.it;

import java.util.LinkedHashMap;
import java.util.Map;

/** Parses proc files the way clients do, for comparing a tool's numbers with the files'. */
public final class ProcText {
    private ProcText() {
    }

    /** meminfo: label (without colon) → value (kB, or a count for HugePages_*). */
    public static Map<String, Long> meminfo(String text) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            String[] rest = line.substring(colon + 1).trim().split("\\s+");
            m.put(line.substring(0, colon), Long.parseLong(rest[0]));
        }
        return m;
    }

    /** "name value" files (vmstat). */
    public static Map<String, Long> pairs(String text) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            m.put(f[0], Long.parseLong(f[1]));
        }
        return m;
    }

    /** buddyinfo: "node/zone" → counts per order. */
    public static Map<String, long[]> buddyinfo(String text) {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("[,\\s]+");
            long[] counts = new long[f.length - 4];
            for (int i = 4; i < f.length; i++) {
                counts[i - 4] = Long.parseLong(f[i]);
            }
            m.put(f[1] + "/" + f[3], counts);
        }
        return m;
    }
}
