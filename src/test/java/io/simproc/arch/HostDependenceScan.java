package io.simproc.arch;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the places in test sources where a test would take the machine running it for its expected value: a host
 * /proc or /sys path opened or named, the host's CPU count or memory size, a command that reports the host. The
 * simulation's files are named relative to its own tree ("/meminfo", "/sys/vm/min_free_kbytes", machine.read(...)),
 * and real clients read the simulated files through mount-scripts/simproc-exec, so none of these is needed to test
 * it. Comments are ignored; string literals, text blocks and code are checked separately.
 */
final class HostDependenceScan {
    /** One place: file (relative to the source root), 1-based line, the rule it breaks and the line itself. */
    record Finding(String file, int line, String rule, String text) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + rule + ": " + text.trim();
        }
    }

    /** A use that is not an expected value: a finding in {@code file} whose line contains {@code fragment}. */
    record Allowed(String file, String fragment, String why) {
        boolean covers(Finding f) {
            return f.file().equals(file) && f.text().contains(fragment);
        }
    }

    /** The legitimate uses, each with its reason. Keep it short: a new entry needs a reason a reviewer accepts. */
    static final List<Allowed> ALLOWED = List.of(
            new Allowed("io/simproc/it/MountedMachine.java", "Path.of(\"/proc/self/mounts\")",
                    "finds the FUSE mounts a test left behind, to unmount them; no value is compared"),
            new Allowed("io/simproc/cli/CliTest.java", "Main.run(\"render\", \"/proc/buddyinfo\"",
                    "the argument of `simproc render`, which names a file of the simulated tree"),
            new Allowed("io/simproc/it/SysfsToolsIT.java", "exec(\"cat\", \"/sys/",
                    "cat run by simproc-exec, where /sys is the simulated machine's"),
            new Allowed("io/simproc/it/SysfsToolsIT.java", "exec(\"ls",
                    "run by simproc-exec, lsmem and lscpu read the simulated /sys; compared with its files"),
            new Allowed("io/simproc/it/CgroupFsIT.java", "\"--\", \"cat\", \"/proc/self/cgroup\"",
                    "cat run by simproc-exec --cgroup, where /proc is the simulated machine's"),
            new Allowed("io/simproc/it/CgroupFsIT.java",
                    "\"/sys/fs/cgroup/it-exec/cgroup.procs\", \"/proc/self/comm\"",
                    "the rest of that cat's arguments, in the simulated /sys and /proc"),
            new Allowed("io/simproc/it/CgroupClientsIT.java", "exec(\"findmnt\", \"-n\"",
                    "the mount point findmnt looks up, run by simproc-exec, in the simulated mountinfo"),
            new Allowed("io/simproc/scenario/CgroupStepsTest.java", "sys/fs/cgroup",
                    "cgroup paths of scenario steps, which name the simulated machine's /sys/fs/cgroup"));

    static final String OPENS_HOST_PATH = "opens a host /proc or /sys path";
    static final String NAMES_HOST_PROC = "names a host /proc path (the simulation's files are named relative to"
            + " its tree, e.g. \"/meminfo\")";
    static final String NAMES_HOST_SYSFS = "names a host sysfs path";
    static final String READS_HOST_SIZE = "reads the host's CPU count or memory size";
    static final String RUNS_HOST_REPORT = "runs a command that reports the host";

    private static final Pattern OPEN = Pattern.compile("(?:Path\\.of|Paths\\.get|new\\s+File|new\\s+FileInputStream"
            + "|new\\s+FileReader|new\\s+RandomAccessFile|FileChannel\\.open|Files\\.\\w+)\\s*\\(\\s*\"#(\\d+)\"");
    private static final Pattern PROC_OR_SYS = Pattern.compile("^/(?:proc|sys)(?:/|$)");
    private static final Pattern PROC = Pattern.compile("^/proc(?:/|$)");
    /** sysfs directories that /proc/sys (named "/sys/vm/..." in the simulation's tree) does not have. */
    private static final Pattern SYSFS = Pattern.compile("^/sys/(?:devices|bus|class|block|dev|firmware|module"
            + "|power|hypervisor|kernel/mm|kernel/debug|kernel/security|fs/cgroup)(?:/|$)");
    private static final Pattern HOST_SIZE = Pattern.compile("availableProcessors\\s*\\(|OperatingSystemMXBean"
            + "|getTotal(?:Physical)?MemorySize");
    private static final Pattern HOST_REPORT = Pattern.compile("^(?:nproc|lscpu|lsmem|getconf|uname|hostname"
            + "|dmidecode|arch)(?: .*)?$");
    /** A path inside text-block text: after a start, a space, a quote, or one of {@code =:([,}. */
    private static final Pattern PATH_IN_TEXT = Pattern.compile("(?:^|[\\s'\"=:(\\[,])(/(?:proc|sys)\\S*)");

    private HostDependenceScan() {
    }

    /** The findings of one source file, allowed ones included. */
    static List<Finding> scan(String file, List<String> lines) {
        List<Finding> out = new ArrayList<>();
        Lexer lexer = new Lexer();
        for (int n = 0; n < lines.size(); n++) {
            String raw = lines.get(n);
            Lexer.Line l = lexer.next(raw);
            String rule = rule(l);
            if (rule != null) {
                out.add(new Finding(file, n + 1, rule, raw));
            }
        }
        return out;
    }

    /** The findings not covered by {@link #ALLOWED}. */
    static List<Finding> unallowed(List<Finding> findings) {
        return findings.stream().filter(f -> ALLOWED.stream().noneMatch(a -> a.covers(f))).toList();
    }

    private static String rule(Lexer.Line l) {
        Matcher open = OPEN.matcher(l.code());
        while (open.find()) {
            if (PROC_OR_SYS.matcher(l.literals().get(Integer.parseInt(open.group(1)))).find()) {
                return OPENS_HOST_PATH;
            }
        }
        for (String s : l.literals()) {
            String r = pathRule(s);
            if (r != null) {
                return r;
            }
            if (HOST_REPORT.matcher(s).matches()) {
                return RUNS_HOST_REPORT;
            }
        }
        for (String text : l.text()) {
            Matcher m = PATH_IN_TEXT.matcher(text);
            while (m.find()) {
                String r = pathRule(m.group(1));
                if (r != null) {
                    return r;
                }
            }
        }
        return HOST_SIZE.matcher(l.code()).find() ? READS_HOST_SIZE : null;
    }

    private static String pathRule(String s) {
        if (PROC.matcher(s).find()) {
            return NAMES_HOST_PROC;
        }
        return SYSFS.matcher(s).find() ? NAMES_HOST_SYSFS : null;
    }

    /**
     * Splits Java source lines into code (comments dropped, each string literal replaced by {@code "#N"}), the
     * string literals (unescaped) and text-block text, carrying block comments and text blocks across lines.
     */
    static final class Lexer {
        record Line(String code, List<String> literals, List<String> text) {
        }

        private boolean inComment;
        private boolean inTextBlock;

        Line next(String line) {
            StringBuilder code = new StringBuilder();
            List<String> literals = new ArrayList<>();
            List<String> text = new ArrayList<>();
            int i = 0;
            while (i < line.length()) {
                if (inComment) {
                    int end = line.indexOf("*/", i);
                    inComment = end < 0;
                    i = end < 0 ? line.length() : end + 2;
                } else if (inTextBlock) {
                    int end = line.indexOf("\"\"\"", i);
                    text.add(line.substring(i, end < 0 ? line.length() : end));
                    inTextBlock = end < 0;
                    i = end < 0 ? line.length() : end + 3;
                } else if (line.startsWith("//", i)) {
                    break;
                } else if (line.startsWith("/*", i)) {
                    inComment = true;
                    i += 2;
                } else if (line.startsWith("\"\"\"", i)) {
                    inTextBlock = true;
                    code.append("\"\"\"");
                    i += 3;
                } else if (line.charAt(i) == '"' || line.charAt(i) == '\'') {
                    char quote = line.charAt(i);
                    StringBuilder s = new StringBuilder();
                    for (i++; i < line.length() && line.charAt(i) != quote; i++) {
                        char c = line.charAt(i);
                        if (c == '\\' && i + 1 < line.length()) {
                            char e = line.charAt(++i);
                            s.append(e == 't' ? '\t' : e == 'n' ? '\n' : e);
                        } else {
                            s.append(c);
                        }
                    }
                    i++;
                    if (quote == '"') {
                        code.append("\"#").append(literals.size()).append('"');
                        literals.add(s.toString());
                    } else {
                        code.append("' '");
                    }
                } else {
                    code.append(line.charAt(i++));
                }
            }
            return new Line(code.toString(), literals, text);
        }
    }
}
