package io.simproc.record;

import io.simproc.kernel.Clock;
import io.simproc.kernel.Printk;
import io.simproc.scenario.ProcReader;
import io.simproc.scenario.ScenarioRun;
import io.simproc.scenario.SeriesExpr;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The events of a recording, found the way a user watching the machine finds them: from the /proc/vmstat counters
 * that count them, compared between two samples, and for OOM kills from the kernel log's "Killed process" lines
 * (dmesg), which say whom and when.
 * <ul>
 *   <li>{@code oom_kill}: one event per "Killed process" line printed since the last sample, at the line's time,
 *   detail {@code PID (COMM)}; if the counter rose by more than the lines found (the log ring buffer lost some), one
 *   more event at the sample with the count.</li>
 *   <li>{@code compaction}: at a sample where compact_stall (direct compaction), compact_daemon_wake (kcompactd) or
 *   compact_migrate_scanned (any compaction, a write to compact_memory included) rose; the detail gives the rises.</li>
 *   <li>{@code drop_caches}: at a sample where drop_pagecache or drop_slab rose.</li>
 * </ul>
 * Counter events are dated at the sample that saw them: they happened in the interval that ends there.
 */
final class EventDetector {
    private static final List<String> COUNTERS = List.of("oom_kill", "compact_stall", "compact_daemon_wake",
            "compact_migrate_scanned", "drop_pagecache", "drop_slab");

    private final ScenarioRun run;
    private final Map<String, SeriesExpr> counters = new LinkedHashMap<>();
    private final Map<String, Double> last = new LinkedHashMap<>();
    private final List<Recording.Event> events = new ArrayList<>();
    private long logSequence;

    EventDetector(ScenarioRun run) {
        this.run = run;
        for (String c : COUNTERS) {
            counters.put(c, SeriesExpr.parse("vmstat." + c, null));
        }
        this.logSequence = -1;
    }

    /** Compare the counters at scenario time {@code at} with the previous sample's; the first sample sets them. */
    void sample(long at, ProcReader files) {
        Map<String, Long> rise = new LinkedHashMap<>();
        boolean first = last.isEmpty();
        for (Map.Entry<String, SeriesExpr> e : counters.entrySet()) {
            double v = e.getValue().read(files).value();
            Double before = last.put(e.getKey(), v);
            rise.put(e.getKey(), before == null || Double.isNaN(v) ? 0 : (long) (v - before));
        }
        Printk log = run.kernel().log();
        long sequence = log.sequence();
        if (!first) {
            oomKills(at, rise.get("oom_kill"), log, sequence);
            long stall = rise.get("compact_stall");
            long wake = rise.get("compact_daemon_wake");
            long scanned = rise.get("compact_migrate_scanned");
            if (stall > 0 || wake > 0 || scanned > 0) {
                events.add(new Recording.Event(at, "compaction", "compact_stall +" + stall + ", compact_daemon_wake +"
                        + wake + ", compact_migrate_scanned +" + scanned));
            }
            long pagecache = rise.get("drop_pagecache");
            long slab = rise.get("drop_slab");
            if (pagecache > 0 || slab > 0) {
                events.add(new Recording.Event(at, "drop_caches", "drop_pagecache +" + pagecache + ", drop_slab +"
                        + slab));
            }
        }
        logSequence = sequence;
    }

    /** The "Killed process" lines printed since the last sample, then any kill the counter saw beyond them. */
    private void oomKills(long at, long kills, Printk log, long sequence) {
        if (kills <= 0) {
            return;
        }
        List<Printk.Record> records = log.records();
        long firstNew = sequence - records.size();
        int found = 0;
        for (int i = (int) Math.max(0, logSequence - firstNew); i < records.size(); i++) {
            Printk.Record r = records.get(i);
            int k = r.text().indexOf("Killed process ");
            if (k < 0) {
                continue;
            }
            String rest = r.text().substring(k + "Killed process ".length());
            int close = rest.indexOf(')');
            long millis = r.nanos() / 1_000_000 - run.startJiffies() * 1000 / Clock.HZ;
            events.add(new Recording.Event(Math.min(at, millis), "oom_kill", close < 0 ? rest : rest.substring(0,
                    close + 1)));
            found++;
        }
        if (kills > found) {
            events.add(new Recording.Event(at, "oom_kill", (kills - found) + " kill(s) whose log lines are gone"));
        }
    }

    List<Recording.Event> events() {
        return events;
    }
}
