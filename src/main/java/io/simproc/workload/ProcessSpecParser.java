package io.simproc.workload;

import io.simproc.config.YamlNode;
import io.simproc.mm.Mempolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads process specs from YAML (a machine profile's {@code processes:} list, a scenario's spawn step). Every
 * mistake names file, line and column; unknown keys are errors; a program must be in the catalog.
 */
public final class ProcessSpecParser {
    static final String[] KEYS = {"name", "program", "args", "uid", "user", "start", "count", "fork", "heap", "mmap",
        "text", "reserve", "shm", "files", "threads", "oom_score_adj", "nice", "mlock", "children", "io", "mempolicy"};
    public static final double DEFAULT_TEXT_SHARE = 0.35;
    static final int MAX_COUNT = 10_000;
    static final int MAX_THREADS = 4096;

    private final Predicate<String> knownProgram;

    /** @param knownProgram whether a program name is in the catalog */
    public ProcessSpecParser(Predicate<String> knownProgram) {
        this.knownProgram = knownProgram;
    }

    /** A list of top-level processes; the first of a machine's population becomes init (pid 1). */
    public List<ProcessSpec> parseList(YamlNode list) {
        List<ProcessSpec> out = new ArrayList<>();
        for (YamlNode n : list.sequence()) {
            out.add(parse(n, false));
        }
        return out;
    }

    /** One process; {@code child} allows {@code fork: true}. */
    public ProcessSpec parse(YamlNode n, boolean child) {
        return parse(n, child, new String[0]);
    }

    /**
     * One process from a mapping that may also hold {@code extraKeys}, which the caller reads itself (a scenario's
     * spawn step adds {@code parent}).
     */
    public ProcessSpec parse(YamlNode n, boolean child, String... extraKeys) {
        String[] keys = java.util.Arrays.copyOf(KEYS, KEYS.length + extraKeys.length);
        System.arraycopy(extraKeys, 0, keys, KEYS.length, extraKeys.length);
        n.checkKeys(keys);
        Map<String, YamlNode> m = n.mapping();
        boolean fork = m.containsKey("fork") && m.get("fork").bool();
        if (fork && !child) {
            throw m.get("fork").error("fork: true needs a parent: use it in a 'children' list");
        }
        String program = null;
        if (m.containsKey("program")) {
            program = m.get("program").string();
            if (!knownProgram.test(program)) {
                throw m.get("program").error("unknown program '" + program + "' (not in the program catalog)");
            }
            if (fork) {
                throw m.get("program").error("a forked child runs its parent's program; drop 'program' or 'fork'");
            }
        } else if (!fork) {
            throw n.error("missing 'program' (or 'fork: true' for a child that does not exec)");
        }
        String name = m.containsKey("name") ? m.get("name").string() : null;
        if (name != null && (name.isEmpty() || name.length() > 15)) {
            throw m.get("name").error("name (comm) must be 1 to 15 characters, got '" + name + "'");
        }
        List<String> args = new ArrayList<>();
        if (m.containsKey("args")) {
            YamlNode a = m.get("args");
            if (a.isScalar()) {
                args.addAll(List.of(a.string().trim().split("\\s+")));
            } else {
                for (YamlNode x : a.sequence()) {
                    args.add(x.string());
                }
            }
        }
        Integer uid = m.containsKey("uid") ? (int) m.get("uid").integer(0, 65535) : null;
        if (m.containsKey("user")) {
            Users.checkName(m.get("user"));
            if (uid == null) {
                throw m.get("user").error("'user' names the account of 'uid'; give the uid too");
            }
        }
        long start = m.containsKey("start") ? m.get("start").duration() : 0;
        int count = m.containsKey("count") ? (int) m.get("count").integer(1, MAX_COUNT) : 1;
        long heap = m.containsKey("heap") ? m.get("heap").size() : 0;
        long mmap = m.containsKey("mmap") ? m.get("mmap").size() : 0;
        double text = m.containsKey("text") ? m.get("text").fraction() : DEFAULT_TEXT_SHARE;
        ProcessSpec.Region reserve = m.containsKey("reserve") ? region(m.get("reserve"), false) : null;
        ProcessSpec.Region shm = m.containsKey("shm") ? region(m.get("shm"), true) : null;
        List<ProcessSpec.FileMap> files = new ArrayList<>();
        if (m.containsKey("files")) {
            for (YamlNode f : m.get("files").sequence()) {
                files.add(fileMap(f));
            }
        }
        int threads = m.containsKey("threads") ? (int) m.get("threads").integer(1, MAX_THREADS) : 1;
        Integer adj = m.containsKey("oom_score_adj") ? (int) m.get("oom_score_adj").integer(-1000, 1000) : null;
        Integer nice = m.containsKey("nice") ? (int) m.get("nice").integer(-20, 19) : null;
        long locked = m.containsKey("mlock") ? m.get("mlock").size() : 0;
        if (locked > heap) {
            throw m.get("mlock").error("mlock (" + locked + " bytes) can lock at most the heap (" + heap + " bytes)");
        }
        List<ProcessSpec> children = new ArrayList<>();
        if (m.containsKey("children")) {
            for (YamlNode c : m.get("children").sequence()) {
                children.add(parse(c, true));
            }
        }
        List<ProcessSpec.Io> io = new ArrayList<>();
        if (m.containsKey("io")) {
            for (YamlNode x : m.get("io").sequence()) {
                io.add(io(x));
            }
        }
        Mempolicy.Request mempolicy = null;
        if (m.containsKey("mempolicy")) {
            try {
                mempolicy = Mempolicy.parse(m.get("mempolicy").string());
            } catch (IllegalArgumentException e) {
                throw m.get("mempolicy").error(e.getMessage());
            }
        }
        return new ProcessSpec(name, program, args, uid, start, count, fork, heap, mmap, text, reserve, shm, files,
                threads, adj, nice, locked, children, io, mempolicy);
    }

    private static ProcessSpec.Io io(YamlNode n) {
        n.checkKeys("path", "size", "read", "write", "pattern");
        String path = n.require("path").string();
        if (!path.startsWith("/")) {
            throw n.get("path").error("file path must be absolute, got '" + path + "'");
        }
        long size = n.get("size") == null ? 0 : n.get("size").size();
        long read = n.get("read") == null ? 0 : n.get("read").size();
        long write = n.get("write") == null ? 0 : n.get("write").size();
        ProcessSpec.Pattern pattern = n.get("pattern") == null ? ProcessSpec.Pattern.SEQUENTIAL
                : ProcessSpec.Pattern.valueOf(n.get("pattern").oneOf("sequential", "random", "append")
                        .toUpperCase(java.util.Locale.ROOT));
        if (read == 0 && write == 0) {
            throw n.error("io needs a 'read' or 'write' rate (bytes per second)");
        }
        if (size == 0 && (read > 0 || pattern != ProcessSpec.Pattern.APPEND)) {
            throw n.error("io on " + path + " needs a 'size' (only an append-only writer may start from empty)");
        }
        return new ProcessSpec.Io(path, size, read, write, pattern);
    }

    private static ProcessSpec.Region region(YamlNode n, boolean named) {
        if (named) {
            n.checkKeys("name", "size", "touch");
        } else {
            n.checkKeys("size", "touch");
        }
        long size = n.require("size").size();
        long touch = n.get("touch") == null ? 0 : touchBytes(n.get("touch"), size);
        String name = named ? (n.get("name") == null ? "shm" : n.get("name").string()) : null;
        return new ProcessSpec.Region(name, size, touch);
    }

    private static ProcessSpec.FileMap fileMap(YamlNode n) {
        n.checkKeys("path", "size", "shared", "write", "touch");
        String path = n.require("path").string();
        if (!path.startsWith("/")) {
            throw n.get("path").error("file path must be absolute, got '" + path + "'");
        }
        long size = n.require("size").size();
        boolean shared = n.get("shared") != null && n.get("shared").bool();
        boolean write = n.get("write") != null && n.get("write").bool();
        long touch = n.get("touch") == null ? 0 : touchBytes(n.get("touch"), size);
        return new ProcessSpec.FileMap(path, size, shared, write, touch);
    }

    /** "touch" as a size ("600M") or a share of the region ("40%"). */
    private static long touchBytes(YamlNode n, long size) {
        String s = n.scalar().trim();
        long bytes = s.endsWith("%") || (s.startsWith("0.") && !s.contains("x")) ? Math.round(n.fraction() * size)
                : n.size();
        if (bytes > size) {
            throw n.error("touch (" + s + ") is more than the size of the region");
        }
        return bytes;
    }
}
