package io.simproc.proc;

import io.simproc.kernel.ElfImage;
import io.simproc.kernel.Task;
import io.simproc.mm.Prot;
import io.simproc.uapi.Credentials;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.simproc.proc.LineShapes.assertAllMatch;
import static io.simproc.proc.LineShapes.assertSameShapes;
import static io.simproc.proc.ProcTestSupport.USER;
import static io.simproc.proc.ProcTestSupport.lines;
import static io.simproc.proc.ProcTestSupport.quote;
import static io.simproc.proc.ProcTestSupport.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The per-process files (fs/proc/task_mmu.c, fs/proc/array.c) byte for byte against the real 6.18 samples: a
 * simulated bash on a
 * 2-CPU machine like the sampled one, with a heap, an anonymous mapping and a forked child, read as root and as
 * another user; kthreadd against the kernel-thread samples.
 */
class PidFilesFormatTest {
    /** The header of a maps line (show_vma_header_prefix), then the optional padded name. */
    private static final Pattern MAPS_LINE = Pattern.compile("([0-9a-f]{8,})-([0-9a-f]{8,}) [r-][w-][x-][sp] "
            + "([0-9a-f]{8,}) ([0-9a-f]{2,}):([0-9a-f]{2,}) ([0-9]+) (.*)");
    private static final String VSYSCALL_LINE =
            "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]";

    private static PidFixture fixture;
    private static Task bash;
    private static String pid;

    @BeforeAll
    static void startBash() {
        fixture = new PidFixture("memory: 1G\ncpu: 2\n");
        bash = fixture.spawn(List.of("bash", "-l"));
        fixture.kernel.mutate(() -> {
            var sys = fixture.kernel.syscalls();
            sys.brk(bash, bash.mm().brk() + 0x40000);
            sys.touch(bash, bash.mm().startBrk(), 0x20000, true);
            long a = sys.mmap(bash, 0, 0x800000, Prot.READ | Prot.WRITE, Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null,
                    0);
            sys.touch(bash, a, 0x100000, true);
            sys.fork(bash);
            return null;
        });
        // then bash waits for input, as the sample's process slept: its work has taken its time
        fixture.kernel.advance(io.simproc.kernel.Clock.HZ / 10);
        pid = "/" + bash.pid();
    }

    private static List<String> ours(String file) {
        return lines(file, fixture.read(pid + "/" + file));
    }

    private static List<String> sampleLines(String name) {
        return lines("sample " + name, sample(name));
    }

    // ---------------------------------------------------------------------------------------------------------
    // maps

    /**
     * The rules of show_map_vma() (fs/proc/task_mmu.c) hold for every line of the sample and of ours: hex widths, a
     * name starting at column 73 (or one space after a longer header), an unnamed line ending in "0 ".
     */
    @Test
    void mapsLinesFollowTheHeaderAndPaddingRules() {
        assertMapsLayout("sample pid_maps.txt", sampleLines("pid_maps.txt"));
        assertMapsLayout("maps", ours("maps"));
    }

    private static void assertMapsLayout(String what, List<String> lines) {
        for (String line : lines) {
            Matcher m = MAPS_LINE.matcher(line);
            assertTrue(m.matches(), what + ": " + quote(line) + " is not a maps line");
            int headerEnd = m.start(7);
            String rest = m.group(7);
            if (rest.isEmpty()) {
                assertTrue(line.endsWith(" 0 "), what + ": unnamed line " + quote(line) + " must end in \"0 \"");
                assertEquals("00", m.group(4), what + ": " + quote(line));
                continue;
            }
            int nameAt = headerEnd + (rest.length() - rest.stripLeading().length());
            assertEquals(Math.max(73, headerEnd + 1), nameAt, what + ": name column of " + quote(line));
        }
    }

    @Test
    void mapsEndsWithTheVsyscallGateLine() {
        List<String> maps = ours("maps");
        assertEquals(VSYSCALL_LINE, maps.get(maps.size() - 1));
        assertEquals(VSYSCALL_LINE.length(), String.format("%-72s [vsyscall]", "x").length());
        assertEquals(sampleLines("pid_maps.txt").get(5).indexOf('['), VSYSCALL_LINE.indexOf('['),
                "[vsyscall] starts where the sample's [heap] does");
    }

    /** Each kind of mapping prints as the sample's line of that kind (numbers, addresses and paths aside). */
    @Test
    void mapsLinesOfEachKindLookLikeTheSample() {
        List<String> maps = ours("maps");
        List<String> sample = sampleLines("pid_maps.txt");
        assertSameKind(find(sample, "[heap]"), find(maps, "[heap]"));
        assertSameKind(sample.get(6), maps.stream().filter(l -> l.endsWith(" 0 ")).findFirst().orElseThrow());
        assertSameKind(sample.get(0), maps.get(0));
        String text = maps.get(1);
        assertTrue(text.matches("[0-9a-f]{12}-[0-9a-f]{12} r-xp 00030000 fe:01 \\d+ +/usr/bin/bash"), text);
        assertTrue(maps.stream().anyMatch(l -> l.matches(".* r-xp 00000000 00:00 0 {26}\\[vdso]")), "vdso: " + maps);
        assertTrue(maps.stream().anyMatch(l -> l.matches(".* r--p 00000000 00:00 0 {26}\\[vvar]")), "vvar: " + maps);
        assertTrue(maps.stream().anyMatch(l -> l.matches(".* r--p 00000000 00:00 0 {26}\\[vvar_vclock]")));
        assertTrue(maps.stream().anyMatch(l -> l.matches(".* rw-p 00000000 00:00 0 {26}\\[stack]")), "stack");
    }

    private static String find(List<String> lines, String suffix) {
        return lines.stream().filter(l -> l.endsWith(suffix)).findFirst().orElseThrow(() -> new AssertionError(
                "no line ending in " + suffix + ": " + lines));
    }

    /** Same kind: field widths of the header, the column the name starts in, the name with paths abstracted. */
    private static void assertSameKind(String sampleLine, String ourLine) {
        assertEquals(kindShape(sampleLine), kindShape(ourLine), "sample " + quote(sampleLine) + " vs ours "
                + quote(ourLine));
    }

    private static String kindShape(String line) {
        Matcher m = MAPS_LINE.matcher(line);
        assertTrue(m.matches(), quote(line));
        String name = m.group(7).stripLeading();
        int column = name.isEmpty() ? -1 : line.length() - name.length();
        return m.group(1).length() + "-" + m.group(2).length() + line.substring(m.end(2), m.start(3))
                + m.group(3).length() + " " + m.group(4).length() + ":" + m.group(5).length() + " name@" + column
                + " " + (name.startsWith("/") ? "/PATH" : name) + (line.endsWith(" ") ? "<space>" : "");
    }

    // ---------------------------------------------------------------------------------------------------------
    // smaps and smaps_rollup

    /** The first record of the sample (one VMA): its label sequence is every record's. */
    private static List<String> sampleSmapsRecord() {
        List<String> s = sampleLines("pid_smaps_head60.txt");
        int next = 1;
        while (!MAPS_LINE.matcher(s.get(next)).matches()) {
            next++;
        }
        return s.subList(0, next);
    }

    /** Records of an smaps text: each a maps line and the lines up to the next one. */
    private static List<List<String>> records(List<String> smaps) {
        List<List<String>> out = new ArrayList<>();
        for (String line : smaps) {
            if (MAPS_LINE.matcher(line).matches()) {
                out.add(new ArrayList<>());
            }
            out.get(out.size() - 1).add(line);
        }
        return out;
    }

    @Test
    void everySmapsRecordHasTheSampleFieldsWidthsAndOrder() {
        List<String> sample = sampleSmapsRecord();
        List<List<String>> records = records(ours("smaps"));
        assertEquals(lines("maps", fixture.read(pid + "/maps")).size(), records.size(), "one record per maps line");
        for (List<String> r : records) {
            assertSameShapes("smaps record " + r.get(0), sample.subList(1, sample.size() - 1),
                    r.subList(1, r.size() - 1), LineShapes::rightAligned);
            String flags = r.get(r.size() - 1);
            assertTrue(flags.matches("VmFlags:( [a-z?]{2})+ "), "VmFlags line " + quote(flags));
        }
        assertTrue(sample.contains("Private_Hugetlb:       0 kB"));
        assertTrue(records.get(0).contains("Private_Hugetlb:       0 kB"));
        assertTrue(records.get(0).contains("THPeligible:           0"));
        assertTrue(records.get(0).contains("ProtectionKey:         0"));
    }

    /** The gate VMA's record as the host's 6.18 kernel prints it. */
    @Test
    void smapsEndsWithTheVsyscallRecord() {
        List<List<String>> records = records(ours("smaps"));
        List<String> gate = records.get(records.size() - 1);
        List<String> expected = new ArrayList<>();
        expected.add(VSYSCALL_LINE);
        expected.add("Size:                  4 kB");
        expected.add("KernelPageSize:        4 kB");
        expected.add("MMUPageSize:           4 kB");
        for (String label : List.of("Rss:", "Pss:", "Pss_Dirty:", "Shared_Clean:", "Shared_Dirty:", "Private_Clean:",
                "Private_Dirty:", "Referenced:", "Anonymous:", "KSM:", "LazyFree:", "AnonHugePages:",
                "ShmemPmdMapped:", "FilePmdMapped:", "Shared_Hugetlb:")) {
            expected.add(String.format("%-16s%8d kB", label, 0));
        }
        expected.add("Private_Hugetlb:       0 kB");
        for (String label : List.of("Swap:", "SwapPss:", "Locked:")) {
            expected.add(String.format("%-16s%8d kB", label, 0));
        }
        expected.add("THPeligible:           0");
        expected.add("ProtectionKey:         0");
        expected.add("VmFlags: ex ");
        assertEquals(expected, gate);
    }

    @Test
    void smapsVmFlagsAreTheSampleCodesForEachKindOfMapping() {
        List<List<String>> records = records(ours("smaps"));
        assertEquals("VmFlags: rd mr mw me ", flagsOf(records, "r--p", "/usr/bin/bash"));
        assertEquals("VmFlags: rd ex mr mw me ", flagsOf(records, "r-xp", "/usr/bin/bash"));
        assertEquals("VmFlags: rd wr mr mw me ac ", flagsOf(records, "rw-p", "[heap]"));
        assertEquals("VmFlags: rd wr mr mw me gd ac ", flagsOf(records, "rw-p", "[stack]"));
        assertEquals("VmFlags: rd ex mr mw me de ", flagsOf(records, "r-xp", "[vdso]"));
        assertEquals("VmFlags: rd mr pf io de dd ", flagsOf(records, "r--p", "[vvar]"));
    }

    private static String flagsOf(List<List<String>> records, String perms, String name) {
        for (List<String> r : records) {
            if (r.get(0).contains(" " + perms + " ") && r.get(0).endsWith(name)) {
                return r.get(r.size() - 1);
            }
        }
        throw new AssertionError("no " + perms + " " + name + " record");
    }

    /**
     * THPeligible: with THP "always" an anonymous VMA holding an aligned 2 MiB range is eligible, whether written
     * yet or not; smaller anonymous VMAs, file mappings and the special mappings are not; with "madvise" (the sampled
     * machine's setting, and this fixture's) nothing is without MADV_HUGEPAGE.
     */
    @Test
    void thpEligibilityFollowsTheThpModeAndTheVmaSize() {
        PidFixture always = new PidFixture("memory: 1G\ncpu: 2\nthp: always\n");
        Task p = always.spawn(List.of("bash"));
        long[] a = new long[2];
        always.kernel.mutate(() -> {
            a[0] = always.kernel.syscalls().mmap(p, 0, 0x600000, Prot.READ, Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS,
                    null, 0);
            a[1] = always.kernel.syscalls().mmap(p, 0, 0x100000, Prot.READ | Prot.WRITE,
                    Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0);
            return null;
        });
        List<List<String>> records = records(lines("smaps", always.read("/" + p.pid() + "/smaps")));
        for (List<String> r : records) {
            boolean big = r.get(0).startsWith(Long.toHexString(a[0]) + "-");
            String expected = big ? "THPeligible:           1" : "THPeligible:           0";
            assertTrue(r.contains(expected), r.get(0) + " should show " + expected);
        }
        for (List<String> r : records(ours("smaps"))) {
            assertTrue(r.contains("THPeligible:           0"), r.get(0));
        }
    }

    @Test
    void smapsRollupHasTheSampleHeaderFieldsAndWidths() {
        List<String> sample = sampleLines("pid_smaps_rollup.txt");
        List<String> rollup = ours("smaps_rollup");
        assertSameShapes("smaps_rollup", sample.subList(1, sample.size()), rollup.subList(1, rollup.size()),
                LineShapes::rightAligned);
        List<String> maps = ours("maps");
        String first = maps.get(0).substring(0, maps.get(0).indexOf('-'));
        String beforeGate = maps.get(maps.size() - 2);
        String last = beforeGate.substring(beforeGate.indexOf('-') + 1, beforeGate.indexOf(' '));
        assertEquals(String.format("%-72s [rollup]", first + "-" + last + " ---p 00000000 00:00 0 "), rollup.get(0));
        assertEquals(sample.get(0).indexOf('['), rollup.get(0).indexOf('['));
    }

    // ---------------------------------------------------------------------------------------------------------
    // status

    private static List<String> labels(List<String> lines) {
        return lines.stream().map(l -> l.substring(0, l.indexOf(':') + 1)).toList();
    }

    @Test
    void statusHasTheSampleLinesInOrderWithTheirTabs() {
        List<String> sample = sampleLines("pid_status.txt");
        List<String> status = ours("status");
        assertEquals(labels(sample), labels(status));
        assertAllMatch("status", status, "[A-Za-z_]+:\t.*");
        for (int i = 0; i < sample.size(); i++) {
            String s = sample.get(i);
            String o = status.get(i);
            if (s.endsWith(" kB")) {
                assertEquals(LineShapes.rightAligned(s), LineShapes.rightAligned(o), "kB line " + quote(o));
            } else if (s.startsWith("Uid:") || s.startsWith("Gid:")) {
                assertTrue(o.matches("[UG]id:(\t\\d+){4}"), quote(o));
            } else if (s.startsWith("Sig") && !s.startsWith("SigQ") || s.startsWith("Cap") || s.startsWith("ShdPnd")) {
                assertTrue(o.matches("[A-Za-z]+:\t[0-9a-f]{16}"), quote(o));
            }
        }
        for (String same : List.of("Umask:", "Ngid:", "TracerPid:", "Groups:", "Kthread:", "CoreDumping:",
                "THP_enabled:", "untag_mask:", "Threads:", "SigPnd:", "ShdPnd:", "SigBlk:", "CapInh:", "CapAmb:",
                "NoNewPrivs:", "Seccomp:", "Seccomp_filters:", "Speculation_Store_Bypass:",
                "SpeculationIndirectBranch:", "Cpus_allowed:", "Cpus_allowed_list:", "Mems_allowed:",
                "Mems_allowed_list:")) {
            assertEquals(line(sample, same), line(status, same), "the sample's " + same + " line");
        }
        assertEquals("State:\tS (sleeping)", line(status, "State:"));
        assertEquals("Groups:\t ", line(status, "Groups:"), "the Groups line ends with a space");
        assertEquals("Name:\tbash", line(status, "Name:"));
    }

    private static String line(List<String> lines, String label) {
        return lines.stream().filter(l -> l.startsWith(label)).findFirst().orElseThrow(
                () -> new AssertionError("no " + label + " line"));
    }

    /** kthreadd's status is the sample's but for the signal queue limit and the context switch counts. */
    @Test
    void kernelThreadStatusIsTheSamplesWithoutAMemoryBlock() {
        List<String> sample = sampleLines("kthread_pid2_status.txt");
        List<String> status = lines("status", fixture.read("/2/status"));
        assertEquals(labels(sample), labels(status));
        for (int i = 0; i < sample.size(); i++) {
            String label = labels(sample).get(i);
            if (!label.equals("SigQ:") && !label.endsWith("ctxt_switches:")) {
                assertEquals(sample.get(i), status.get(i));
            }
        }
        long threadsMax = fixture.kernel.threadsMax();
        assertEquals("SigQ:\t0/" + threadsMax / 2, line(status, "SigQ:"));
    }

    @Test
    void aNameWithANewlineOrBackslashIsEscapedInStatusOnly() {
        assertEquals("a\\\\b\\nc", PidStatus.escapedName("a\\b\nc"));
        assertEquals("kworker/0:1-events", PidStatus.escapedName("kworker/0:1-events"));
    }

    @Test
    void cpuAndNodeMasksPrintLikeTheKernelsBitmaps() {
        assertEquals("3", bitmap(2, 0, 2));
        assertEquals("f", bitmap(4, 0, 4));
        assertEquals("3f", bitmap(6, 0, 6));
        assertEquals("ffffffff", bitmap(32, 0, 32));
        assertEquals("ff,ffffffff", bitmap(40, 0, 40));
        assertEquals("4", bitmap(4, 2, 3));
        assertEquals(sampleLines("pid_status.txt").stream().filter(l -> l.startsWith("Mems_allowed:"))
                .findFirst().orElseThrow(), "Mems_allowed:\t" + bitmap(1024, 0, 1));
        Seq list = new Seq();
        PidStatus.bitmapList(list, 0, 4);
        assertEquals("0-3", list.toString());
    }

    private static String bitmap(int nbits, int from, int to) {
        Seq s = new Seq();
        PidStatus.bitmap(s, nbits, from, to);
        return s.toString();
    }

    // ---------------------------------------------------------------------------------------------------------
    // stat and statm

    /** Splits a stat line at the last ')' into pid, comm and the 50 fields after it. */
    static List<String> statFields(String line) {
        assertTrue(line.endsWith("\n"), "stat ends with a newline");
        String body = line.substring(0, line.length() - 1);
        int open = body.indexOf(" (");
        int close = body.lastIndexOf(')');
        List<String> f = new ArrayList<>();
        f.add(body.substring(0, open));
        f.add(body.substring(open + 2, close));
        f.addAll(Arrays.asList(body.substring(close + 2).split(" ", -1)));
        return f;
    }

    @Test
    void statHas52FieldsWithTheCommInParentheses() {
        List<String> f = statFields(fixture.read(pid + "/stat"));
        assertEquals(52, f.size());
        assertEquals(Integer.toString(bash.pid()), f.get(0));
        assertEquals("bash", f.get(1));
        assertEquals("S", f.get(2));
        assertEquals(52, statFields(sample("pid_stat.txt")).size());
        for (int i = 3; i < 52; i++) {
            assertTrue(f.get(i).matches("-?\\d+"), "field " + (i + 1) + " " + quote(f.get(i)));
        }
        assertEquals("18446744073709551615", f.get(24), "rsslim");
        assertEquals(Long.toString(bash.mm().totalVm() * 4096), f.get(22), "vsize in bytes");
        assertEquals(Long.toString(bash.mm().rssPages()), f.get(23), "rss in pages");
        assertEquals("17", f.get(37), "exit_signal SIGCHLD");
        assertEquals("20", f.get(17), "priority");
    }

    /** A command name with spaces and ')' still parses when split at the last ')'. */
    @Test
    void aCommWithSpacesAndParenthesesParsesAtTheLastParenthesis() {
        ElfImage odd = new ElfImage("/opt/my) odd (prog", PidFixture.BASH.fileSize(), PidFixture.BASH.mappings(),
                PidFixture.BASH.bssBytes());
        Task p = fixture.spawn(odd, List.of("my) odd (prog"));
        String stat = fixture.read("/" + p.pid() + "/stat");
        assertTrue(stat.startsWith(p.pid() + " (my) odd (prog) S "), quote(stat));
        List<String> f = statFields(stat);
        assertEquals(52, f.size());
        assertEquals("my) odd (prog", f.get(1));
        assertEquals("S", f.get(2));
        assertEquals("my) odd (prog\n", fixture.read("/" + p.pid() + "/comm"));
    }

    /** The fields the sample shows changed for a reader without ptrace access change for ours, and only they. */
    @Test
    void statMasksTheSampleFieldsForAnotherUser() {
        List<Integer> sampleMasked = differing(statFields(sample("pid_stat.txt")),
                statFields(sample("pid_stat_as_nonowner.txt")));
        List<String> asRoot = statFields(fixture.read(pid + "/stat"));
        List<String> asUser = statFields(fixture.read(pid + "/stat", USER));
        assertEquals(sampleMasked, differing(asRoot, asUser));
        assertEquals(List.of(26, 27, 28, 35, 45, 46, 47, 48, 49, 50, 51), sampleMasked);
        assertEquals("1", asUser.get(25));
        assertEquals("1", asUser.get(26));
        for (int field : List.of(28, 35, 45, 46, 47, 48, 49, 50, 51, 52)) {
            assertEquals("0", asUser.get(field - 1), "field " + field);
        }
    }

    /** 1-based numbers of the fields that differ. */
    private static List<Integer> differing(List<String> a, List<String> b) {
        assertEquals(a.size(), b.size());
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).equals(b.get(i))) {
                out.add(i + 1);
            }
        }
        return out;
    }

    /** kthreadd's stat is the sample's but for its start time (boot timing) and the CPU it last ran on. */
    @Test
    void kernelThreadStatIsTheSamples() {
        List<String> sample = statFields(sample("kthread_pid2_stat.txt"));
        List<String> ours = statFields(fixture.read("/2/stat"));
        List<Integer> diff = differing(sample, ours);
        diff.removeAll(List.of(22, 39));
        assertEquals(List.of(), diff, "kthreadd stat\n  sample " + sample + "\n  ours   " + ours);
        List<String> worker = statFields(fixture.read("/3/stat"));
        assertEquals("17", worker.get(37), "threads kthreadd starts have exit_signal SIGCHLD");
    }

    @Test
    void statmHasSevenPageCountsAndZerosForKernelThreads() {
        String statm = fixture.read(pid + "/statm");
        assertTrue(statm.matches("\\d+ \\d+ \\d+ \\d+ 0 \\d+ 0\n"), quote(statm));
        assertEquals(sample("kthread_pid2_statm.txt"), fixture.read("/2/statm"));
        assertEquals(LineShapes.digits(sample("pid_statm.txt")), LineShapes.digits(statm));
    }

    // ---------------------------------------------------------------------------------------------------------
    // The small files

    @Test
    void cmdlineIsNulSeparatedWithATrailingNulAndEmptyForKernelThreads() {
        assertEquals("bash\0-l\0", fixture.read(pid + "/cmdline"));
        assertEquals("", fixture.read("/2/cmdline"));
    }

    @Test
    void commOomAndEnvironFiles() {
        assertEquals("bash\n", fixture.read(pid + "/comm"));
        assertEquals("kthreadd\n", fixture.read("/2/comm"));
        assertEquals(sample("pid_oom_score_adj.txt"), fixture.read(pid + "/oom_score_adj"));
        assertEquals(sample("pid_oom_adj.txt"), fixture.read(pid + "/oom_adj"));
        assertTrue(fixture.read(pid + "/oom_score").matches("66[67]\n"), "a small process scores 666 or 667");
        assertEquals("0\n", fixture.read("/2/oom_score"), "kernel threads are never chosen");
        assertEquals("", fixture.read(pid + "/environ"));
        assertNotEquals(0, ((ProcFile) fixture.fs.lookup(pid + "/environ", Credentials.ROOT)).mode() & 0400);
    }

    @Test
    void filesAreBytesNotJustText() {
        byte[] cmdline = fixture.fs.render(ProcTestSupport.file(fixture.fs, pid + "/cmdline"), Credentials.ROOT);
        assertEquals("bash\0-l\0", new String(cmdline, StandardCharsets.US_ASCII));
        if (cmdline[cmdline.length - 1] != 0) {
            fail("cmdline must end in a NUL");
        }
    }
}
