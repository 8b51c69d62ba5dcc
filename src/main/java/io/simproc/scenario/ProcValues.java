package io.simproc.scenario;

import io.simproc.proc.ProcDir;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.ProcException;
import io.simproc.proc.ProcFile;
import io.simproc.proc.ProcFs;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Values read from the rendered proc files, as root reads them, for expectations: so an expectation tests what a
 * user of the mount sees. Files in the {@code Key:  value [kB]} shape (meminfo, status, smaps_rollup), the
 * {@code key value} shape (vmstat), single values (/proc/sys), statm and stat fields by name, and smaps summed over
 * the mappings of one pathname. Sizes the kernel prints in kB or pages come back in bytes.
 */
final class ProcValues {
    /** A number read or computed, and whether it is a size in bytes (for messages). */
    record Value(double v, boolean bytes) {
    }

    /** An expectation that cannot be evaluated (no such file, field or process). */
    static final class EvalException extends RuntimeException {
        private final boolean arithmetic;

        EvalException(String message) {
            this(message, false);
        }

        /** {@code arithmetic}: the values were read but cannot be combined (a division by zero). */
        EvalException(String message, boolean arithmetic) {
            super(message);
            this.arithmetic = arithmetic;
        }

        boolean arithmetic() {
            return arithmetic;
        }
    }

    static final String[] STATM = {"size", "resident", "shared", "text", "lib", "data", "dt"};
    /** proc(5) field numbers of /proc/PID/stat, and whether the value is in pages. */
    static final Map<String, Integer> STAT = Map.of("minflt", 10, "cminflt", 11, "majflt", 12, "cmajflt", 13,
            "utime", 14, "stime", 15, "num_threads", 20, "vsize", 23, "rss", 24);

    static final List<String> ZONES = List.of("DMA", "DMA32", "Normal", "Movable");
    /** The numeric columns of a /proc/slabinfo line, in order. */
    static final List<String> SLABINFO = List.of("active_objs", "num_objs", "objsize", "objperslab", "pagesperslab",
            "limit", "batchcount", "sharedfactor", "active_slabs", "num_slabs", "sharedavail");

    private final ScenarioRun run;
    private final Map<String, String> cache = new HashMap<>();

    ProcValues(ScenarioRun run) {
        this.run = run;
    }

    /** The text of /proc{path}. */
    String text(String path) {
        String cached = cache.get(path);
        if (cached != null) {
            return cached;
        }
        ProcFs fs = run.procFs();
        ProcEntry e = fs.lookup(path, Credentials.ROOT);
        if (!(e instanceof ProcFile f)) {
            throw new EvalException("/proc" + path + ": No such file");
        }
        try {
            String s = new String(fs.render(f, Credentials.ROOT), StandardCharsets.UTF_8);
            cache.put(path, s);
            return s;
        } catch (ProcException ex) {
            throw new EvalException("/proc" + path + ": " + Errno.describe(ex.errno()));
        }
    }

    /** {@code Key:   123 kB} or {@code Key:\t123}: the first number after the key. */
    Value keyed(String path, String key) {
        for (String line : text(path).split("\n")) {
            if (line.startsWith(key + ":")) {
                return number(path, key, line.substring(key.length() + 1).trim());
            }
        }
        throw new EvalException("/proc" + path + " has no field '" + key + "'");
    }

    /** vmstat's {@code key value}. */
    Value spaced(String path, String key) {
        for (String line : text(path).split("\n")) {
            int sp = line.indexOf(' ');
            if (sp > 0 && line.substring(0, sp).equals(key)) {
                return number(path, key, line.substring(sp + 1).trim());
            }
        }
        throw new EvalException("/proc" + path + " has no field '" + key + "'");
    }

    /** The fields of /proc/loadavg, in order (the running and total tasks are one word, split at the slash). */
    static final List<String> LOADAVG = List.of("avg1", "avg5", "avg15", "running", "threads", "last_pid");
    /** The values of a /proc/pressure line, in order. */
    static final List<String> PRESSURE = List.of("avg10", "avg60", "avg300", "total");

    /** A field of /proc/loadavg by its name in {@link #LOADAVG}. */
    Value loadavg(String field) {
        String[] words = text("/loadavg").trim().split("[ /]");
        return new Value(Double.parseDouble(words[LOADAVG.indexOf(field)]), false);
    }

    /** A value of /proc/pressure/{@code res}, on its "some" or "full" line: avg10, avg60, avg300 (%) or total (µs). */
    Value pressure(String res, String line, String field) {
        String path = "/pressure/" + res;
        for (String l : text(path).split("\n")) {
            if (l.startsWith(line + " ")) {
                String[] words = l.split(" ");
                String kv = words[1 + PRESSURE.indexOf(field)];
                return new Value(Double.parseDouble(kv.substring(kv.indexOf('=') + 1)), false);
            }
        }
        throw new EvalException("/proc" + path + " has no line '" + line + "'");
    }

    /**
     * A value of the cgroup at {@code cgroup} (a scenario's cgroup path, {@link CgroupSteps}): {@code dotted} is a
     * file holding one value ({@code memory.current}; "max" reads as infinity), a file and a key of its
     * {@code key value} lines ({@code memory.events.oom_kill}, {@code memory.oom_control.oom_kill}), or a file, a line
     * and a field of its {@code line field=value ...} lines ({@code memory.pressure.some.avg10}).
     */
    Value cgroup(String cgroup, String dotted) {
        String dir = CgroupSteps.sysPath(run.kernel().cgroups(), cgroup);
        String path = dir.substring("/fs/cgroup".length());
        String file = dotted;
        String key = null;
        while (!(run.sysFs().lookup(dir + "/" + file, Credentials.ROOT) instanceof ProcFile)) {
            int dot = file.lastIndexOf('.');
            if (dot < 0) {
                throw new EvalException("/sys/fs/cgroup" + path + " has no file for '" + dotted + "'");
            }
            key = dotted.substring(dot + 1);
            file = file.substring(0, dot);
        }
        ProcFs fs = run.sysFs();
        String text;
        try {
            text = new String(fs.render((ProcFile) fs.lookup(dir + "/" + file, Credentials.ROOT), Credentials.ROOT),
                    StandardCharsets.UTF_8);
        } catch (ProcException ex) {
            throw new EvalException("/sys/fs/cgroup" + path + "/" + file + ": " + Errno.describe(ex.errno()));
        }
        if (key == null) {
            String v = text.trim();
            return v.equals("max") ? new Value(Double.POSITIVE_INFINITY, false) : number(file, "value", v);
        }
        int dot = key.indexOf('.');
        String lineKey = dot < 0 ? key : key.substring(0, dot);
        for (String line : text.split("\n")) {
            if (!line.startsWith(lineKey + " ")) {
                continue;
            }
            if (dot < 0) {
                return number(file, key, line.substring(key.length() + 1).trim());
            }
            String field = key.substring(dot + 1);
            for (String word : line.substring(lineKey.length() + 1).split(" ")) {
                if (word.startsWith(field + "=")) {
                    return number(file, key, word.substring(field.length() + 1));
                }
            }
        }
        throw new EvalException("/sys/fs/cgroup" + path + "/" + file + " has no key '" + key + "'");
    }

    /** A value a {@code remember} step kept; an error when that step has not run (or failed). */
    Value remembered(String name) {
        Value v = run.remembered(name);
        if (v == null) {
            throw new EvalException("$" + name + " has no value: its remember step has not run or failed");
        }
        return v;
    }

    /** The fields of /sys/block/zramN/mm_stat and io_stat (Documentation/admin-guide/blockdev/zram.rst). */
    static final List<String> ZRAM_MM_STAT = List.of("orig_data_size", "compr_data_size", "mem_used_total",
            "mem_limit", "mem_used_max", "same_pages", "pages_compacted", "huge_pages", "huge_pages_since");
    static final List<String> ZRAM_IO_STAT = List.of("failed_reads", "failed_writes", "invalid_io",
            "notify_free");

    /**
     * Field {@code index} of /sys/block/zram0/{@code file} ({@code zram0.mm_stat.compr_data_size}), or its one value
     * (disksize, initstate). mm_stat's first five fields are bytes.
     */
    Value zram(String file, int index) {
        String path = "/block/zram0/" + file;
        ProcFs fs = run.sysFs();
        ProcEntry e = fs.lookup(path, Credentials.ROOT);
        if (!(e instanceof ProcFile f)) {
            throw new EvalException("/sys" + path + " does not exist");
        }
        try {
            String[] v = new String(fs.render(f, Credentials.ROOT), StandardCharsets.UTF_8).trim().split("\\s+");
            boolean bytes = file.equals("disksize") || file.equals("mm_stat") && index < 5;
            return new Value(Long.parseLong(v[index]), bytes);
        } catch (ProcException ex) {
            throw new EvalException("/sys" + path + ": " + Errno.describe(ex.errno()));
        }
    }

    /** A counter or knob of /sys/kernel/mm/ksm: {@code ksm.pages_sharing}. */
    Value ksm(String file) {
        return sysNumber("/kernel/mm/ksm", file);
    }

    /** A counter or knob of /sys/kernel/mm/transparent_hugepage/khugepaged: {@code khugepaged.pages_collapsed}. */
    Value khugepaged(String file) {
        return sysNumber("/kernel/mm/transparent_hugepage/khugepaged", file);
    }

    private Value sysNumber(String dir, String file) {
        ProcFs fs = run.sysFs();
        ProcEntry e = fs.lookup(dir + "/" + file, Credentials.ROOT);
        if (!(e instanceof ProcFile f)) {
            throw new EvalException("/sys" + dir + " has no file '" + file + "'");
        }
        try {
            return number("/sys" + dir + "/" + file, "value",
                    new String(fs.render(f, Credentials.ROOT), StandardCharsets.UTF_8).trim());
        } catch (ProcException ex) {
            throw new EvalException("/sys" + dir + "/" + file + ": " + Errno.describe(ex.errno()));
        }
    }

    /** A file holding one value (the first of several, as in vm.lowmem_reserve_ratio). */
    Value single(String path) {
        return number(path, "value", text(path).trim());
    }

    Value statm(int pid, String field) {
        String[] f = text("/" + pid + "/statm").trim().split(" ");
        for (int i = 0; i < STATM.length; i++) {
            if (STATM[i].equals(field)) {
                return new Value(Long.parseLong(f[i]) * (double) Page.PAGE_SIZE, true);
            }
        }
        throw new EvalException("statm has no field '" + field + "' (" + String.join(", ", STATM) + ")");
    }

    Value stat(int pid, String field) {
        Integer n = STAT.get(field);
        if (n == null) {
            throw new EvalException("stat: no field '" + field + "' (" + String.join(", ", STAT.keySet()) + ")");
        }
        String s = text("/" + pid + "/stat").trim();
        String[] rest = s.substring(s.lastIndexOf(')') + 2).split(" ");
        double v = Double.parseDouble(rest[n - 3]);
        return switch (field) {
            case "rss" -> new Value(v * Page.PAGE_SIZE, true);
            case "vsize" -> new Value(v, true);
            default -> new Value(v, false);
        };
    }

    /** A field of /proc/PID/smaps summed over the mappings whose pathname is {@code pathname} ("" = anonymous). */
    Value smaps(int pid, String pathname, String field) {
        double sum = 0;
        boolean in = false;
        boolean seen = false;
        for (String line : text("/" + pid + "/smaps").split("\n")) {
            if (isVmaHeader(line)) {
                String[] f = line.split("\\s+", 6);
                in = (f.length < 6 ? "" : f[5].trim()).equals(pathname);
            } else if (in && line.startsWith(field + ":")) {
                sum += number("/" + pid + "/smaps", field, line.substring(field.length() + 1).trim()).v();
                seen = true;
            }
        }
        if (!seen && !text("/" + pid + "/smaps").contains("\n" + field + ":")) {
            throw new EvalException("smaps has no field '" + field + "'");
        }
        return new Value(sum, true);
    }

    private static boolean isVmaHeader(String line) {
        int dash = line.indexOf('-');
        int sp = line.indexOf(' ');
        return dash > 0 && sp > dash && line.substring(0, dash).chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    /**
     * A line {@code KEY VALUE} of one zone's section of /proc/zoneinfo ({@code free} is the {@code pages free} line);
     * the per-node stats are in the section of the node's first zone. Plain numbers, as printed (mostly pages).
     */
    Value zoneinfo(int node, String zone, String key) {
        boolean in = false;
        boolean found = false;
        for (String line : text("/zoneinfo").split("\n")) {
            if (line.startsWith("Node ")) {
                in = zoneHeader(line, node, zone);
                found |= in;
                continue;
            }
            String[] f = line.trim().split("\\s+");
            if (in && f.length >= 2) {
                if (f[0].equals("pages") && f[1].equals("free")) {
                    f = new String[] {"free", f[2]};
                }
                if (f[0].equals(key)) {
                    return number("/zoneinfo", key, f[1]);
                }
            }
        }
        throw new EvalException("/proc/zoneinfo has " + (found ? "no field '" + key + "' in" : "no") + " node "
                + node + ", zone " + zone);
    }

    /** The count of free blocks of {@code order} in one zone of /proc/buddyinfo. */
    Value buddyinfo(int node, String zone, int order) {
        for (String line : text("/buddyinfo").split("\n")) {
            if (zoneHeader(line, node, zone)) {
                String[] f = line.substring(line.indexOf("zone") + 4).trim().split("\\s+");
                return number("/buddyinfo", "order" + order, f[1 + order]);
            }
        }
        throw new EvalException("/proc/buddyinfo has no node " + node + ", zone " + zone);
    }

    /** A column of one cache's line of /proc/slabinfo. */
    Value slabinfo(String cache, String field) {
        for (String line : text("/slabinfo").split("\n")) {
            String[] f = line.split("\\s+");
            if (f[0].equals(cache) && f.length >= 16) {
                String[] numbers = {f[1], f[2], f[3], f[4], f[5], f[8], f[9], f[10], f[13], f[14], f[15]};
                return number("/slabinfo", field, numbers[SLABINFO.indexOf(field)]);
            }
        }
        throw new EvalException("/proc/slabinfo has no cache '" + cache + "'");
    }

    /** {@code Node 0, zone   Normal ...}. */
    private static boolean zoneHeader(String line, int node, String zone) {
        if (!line.startsWith("Node " + node + ",")) {
            return false;
        }
        String[] f = line.substring(line.indexOf("zone") + 4).trim().split("\\s+");
        return f[0].equals(zone);
    }

    /** The pid of the process a selector names. */
    int pid(String kind, String value) {
        switch (kind) {
            case "pid":
                return Integer.parseInt(value);
            case "process": {
                io.simproc.kernel.Task t = run.lastProcess(value);
                if (t == null) {
                    throw new EvalException("process '" + value + "' was never started");
                }
                return t.pid();
            }
            default: {
                ProcFs fs = run.procFs();
                int best = -1;
                for (ProcEntry e : fs.list((ProcDir) fs.lookup("/", Credentials.ROOT), Credentials.ROOT)) {
                    if (!e.name().chars().allMatch(Character::isDigit)) {
                        continue;
                    }
                    int pid = Integer.parseInt(e.name());
                    if ((best < 0 || pid < best) && text("/" + pid + "/comm").trim().equals(value)) {
                        best = pid;
                    }
                }
                if (best < 0) {
                    throw new EvalException("no process with comm '" + value + "'");
                }
                return best;
            }
        }
    }

    private static Value number(String path, String key, String text) {
        String[] words = text.split("\\s+");
        try {
            double v = Double.parseDouble(words[0]);
            boolean kb = words.length > 1 && words[1].equals("kB");
            return new Value(kb ? v * 1024 : v, kb);
        } catch (NumberFormatException e) {
            throw new EvalException("/proc" + path + ": " + key + " is not a number ('" + text + "')");
        }
    }
}
