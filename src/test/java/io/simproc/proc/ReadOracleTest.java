package io.simproc.proc;

import io.simproc.kernel.Clock;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.sysctl.SysctlTable;
import io.simproc.workload.Machines;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each check of {@link ReadOracle} fails on a read stitched from two renderings of the default machine taken 60
 * simulated seconds apart (A, then B), cut where the figures it relates lie on both sides — and passes on A and on
 * B read whole, so that the failure is the stitch's. Each stitched test first shows that the figures on both sides
 * of its cut did change between A and B.
 */
class ReadOracleTest {
    private static final String[] FILES = {"meminfo", "zoneinfo", "vmstat", "stat", "buddyinfo"};
    private static Map<String, String> a;
    private static Map<String, String> b;

    @BeforeAll
    static void renderTwice() {
        Kernel k = Machines.boot(MachineProfileLoader.loadDefault(), ProcTestSupport.SEED);
        ProcFs fs = new ProcFs(k, ProcTree.create(SysctlTable.create()));
        a = render(fs);
        k.advance(60 * Clock.HZ);
        b = render(fs);
    }

    private static Map<String, String> render(ProcFs fs) {
        return fs.kernel().read(k -> {
            Map<String, String> out = new java.util.HashMap<>();
            for (String f : FILES) {
                out.put(f, ProcTestSupport.read(fs, "/" + f));
            }
            return out;
        });
    }

    private static ReadOracle oracle() {
        return new ReadOracle(a.get("meminfo"), a.get("zoneinfo"), a.get("vmstat"), a.get("stat"));
    }

    /** The lines of {@code first} before line {@code cut} (0-based), then those of {@code second} from there on. */
    static String stitch(String first, String second, int cut) {
        List<String> x = ProcTestSupport.lines("first", first);
        List<String> y = ProcTestSupport.lines("second", second);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < y.size(); i++) {
            s.append(i < cut ? x.get(i) : y.get(i)).append('\n');
        }
        return s.toString();
    }

    /** The first half of {@code first}'s bytes, then {@code second} from the same offset on. */
    static String halves(String first, String second) {
        int cut = first.length() / 2;
        return first.substring(0, cut) + second.substring(Math.min(cut, second.length()));
    }

    /** The index of the {@code nth} (0-based) line of {@code text} that starts with {@code prefix}. */
    static int line(String text, String prefix, int nth) {
        List<String> lines = ProcTestSupport.lines("text", text);
        for (int i = 0, seen = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix) && seen++ == nth) {
                return i;
            }
        }
        throw new AssertionError("no line " + nth + " starting with '" + prefix + "'");
    }

    private static String value(String text, String prefix, int nth) {
        return ProcTestSupport.lines("text", text).get(line(text, prefix, nth));
    }

    /** The line starting with {@code prefix} differs between A and B: a stitch across it is visible. */
    private static void changed(String file, String prefix, int nth) {
        assertNotEquals(value(a.get(file), prefix, nth), value(b.get(file), prefix, nth),
                "'" + prefix + "' did not change between A and B; the stitch would prove nothing");
    }

    private static void fails(String file, String read, String reason) {
        AssertionError e = assertThrows(AssertionError.class, () -> oracle().reader().check(file, read),
                "the oracle accepted a stitched " + file + ":\n" + read);
        assertTrue(e.getMessage().contains(reason), "expected '" + reason + "' in: " + e.getMessage());
    }

    /**
     * {@code file} read as A up to its {@code nth} line starting with {@code cut}, B from there on, fails for
     * {@code reason}; the line starting with {@code moved} (its {@code movedNth}) differs between A and B.
     */
    private static void stitchedFails(String file, String cut, int nth, String moved, int movedNth, String reason) {
        changed(file, moved, movedNth);
        fails(file, stitch(a.get(file), b.get(file), line(a.get(file), cut, nth)), reason);
    }

    @Test
    void wholeRenderingsPassInTimeOrder() {
        ReadOracle o = oracle();
        ReadOracle.Reader r = o.reader();
        for (String f : ReadOracle.JUDGED) {
            assertDoesNotThrow(() -> r.check(f, a.get(f)), f + " A");
            assertDoesNotThrow(() -> r.check(f, b.get(f)), f + " B");
        }
        o.assertEachRead(ReadOracle.JUDGED);
        assertDoesNotThrow(() -> ReadOracle.assertZoneFreeMatchesBuddyinfo(a.get("zoneinfo"), a.get("buddyinfo")));
        assertDoesNotThrow(() -> ReadOracle.assertZoneFreeMatchesBuddyinfo(b.get("zoneinfo"), b.get("buddyinfo")));
    }

    @Test
    void aFileNeverReadFailsTheCount() {
        ReadOracle o = oracle();
        o.reader().check("meminfo", a.get("meminfo"));
        o.countRead("/loadavg");
        o.assertEachRead(List.of("meminfo", "/loadavg"));
        AssertionError e = assertThrows(AssertionError.class, () -> o.assertEachRead(List.of("meminfo", "vmstat")));
        assertTrue(e.getMessage().contains("never read successfully: [vmstat]"), e.getMessage());
    }

    @Test
    void meminfoActiveCutFromItsParts() {
        stitchedFails("meminfo", "Active(file):", 0, "Active(file):", 0, "Active = Active(anon) + Active(file)");
    }

    @Test
    void meminfoInactiveCutFromItsParts() {
        stitchedFails("meminfo", "Inactive(file):", 0, "Inactive(file):", 0,
                "Inactive = Inactive(anon) + Inactive(file)");
    }

    @Test
    void meminfoSlabCutFromItsParts() {
        stitchedFails("meminfo", "SUnreclaim:", 0, "SUnreclaim:", 0, "Slab = SReclaimable + SUnreclaim");
    }

    @Test
    void meminfoHalvesFail() {
        fails("meminfo", halves(a.get("meminfo"), b.get("meminfo")), "");
    }

    @Test
    void meminfoWithAFieldTwiceOrMissingOrAnotherMemTotalFails() {
        String m = a.get("meminfo");
        String active = value(m, "Active:", 0);
        fails("meminfo", m.replace(active + "\n", active + "\n" + active + "\n"), "'Active' appears twice");
        fails("meminfo", m.replace(value(m, "Shmem:", 0) + "\n", ""), "fields differ from the first read");
        String total = value(m, "MemTotal:", 0);
        fails("meminfo", m.replace(total, total.replaceFirst("(\\d)( kB)", "9$2")), "MemTotal (constant)");
    }

    @Test
    void zoneinfoFreePagesCutFromNrFreePages() {
        stitchedFails("zoneinfo", "      nr_free_pages ", 2, "      nr_free_pages ", 2, "pages free = nr_free_pages");
    }

    @Test
    void zoneinfoNodeStatsCutFromTheZonesLruSizes() {
        stitchedFails("zoneinfo", "  pages free", 0, "      nr_inactive_file", 0, "= the sum of its zones' nr_zone_");
    }

    @Test
    void zoneinfoHalvesFail() {
        fails("zoneinfo", halves(a.get("zoneinfo"), b.get("zoneinfo")), "");
    }

    @Test
    void zoneinfoWithAnotherManagedOrSpannedFails() {
        String z = a.get("zoneinfo");
        for (String key : List.of("        managed  ", "        spanned  ", "        present  ")) {
            String l = value(z, key, 2);
            long n = Long.parseLong(l.substring(key.length()));
            fails("zoneinfo", z.replace(l + "\n", key + (n - 512) + "\n"), "(constant)");
        }
    }

    @Test
    void zoneinfoFreeAgainstBuddyinfoOfAnotherInstantFails() {
        assertNotEquals(a.get("buddyinfo"), b.get("buddyinfo"));
        AssertionError e = assertThrows(AssertionError.class,
                () -> ReadOracle.assertZoneFreeMatchesBuddyinfo(a.get("zoneinfo"), b.get("buddyinfo")));
        assertTrue(e.getMessage().contains("but its buddyinfo row holds"), e.getMessage());
    }

    @Test
    void vmstatZoneLruCutFromNodeLru() {
        stitchedFails("vmstat", "numa_hit", 0, "nr_inactive_file ", 0, "nr_zone_");
    }

    /** A reader reads B, then a read whose first half is B and second half A: its later counters went back. */
    @Test
    void vmstatCountersGoingBackwardsFail() {
        String v = b.get("vmstat");
        ReadOracle.Reader r = oracle().reader();
        r.check("vmstat", v);
        int cut = line(v, "pgpgin", 0);
        changed("vmstat", "pgfree ", 0);
        String stitched = stitch(v, a.get("vmstat"), cut);
        AssertionError e = assertThrows(AssertionError.class, () -> r.check("vmstat", stitched));
        assertTrue(e.getMessage().contains("went backwards"), e.getMessage());
        assertDoesNotThrow(() -> oracle().reader().check("vmstat", stitched),
                "only the reader's previous read shows this stitch");
    }

    @Test
    void statCpuLineCutFromTheCpuLines() {
        stitchedFails("stat", "cpu0 ", 0, "cpu0 ", 0, "cpuN lines add up to");
    }

    @Test
    void statSoftirqCutFromItsColumns() {
        String s = a.get("stat");
        String softirqA = value(s, "softirq ", 0);
        String softirqB = value(b.get("stat"), "softirq ", 0);
        String[] fa = softirqA.split(" ");
        String[] fb = softirqB.split(" ");
        assertNotEquals(fa[1], fb[1]);
        String mixed = fa[0] + " " + fa[1] + " " + String.join(" ", Arrays.copyOfRange(fb, 2, fb.length));
        fails("stat", s.replace(softirqA, mixed), "softirq total = the sum of its columns");
    }

    @Test
    void statHalvesAfterALaterReadFail() {
        ReadOracle.Reader r = oracle().reader();
        r.check("stat", b.get("stat"));
        AssertionError e = assertThrows(AssertionError.class,
                () -> r.check("stat", halves(a.get("stat"), b.get("stat"))));
        assertTrue(e.getMessage().contains("went backwards") || e.getMessage().contains("add up to"),
                e.getMessage());
    }

    @Test
    void vmstatHalvesAfterALaterReadFail() {
        ReadOracle.Reader r = oracle().reader();
        r.check("vmstat", b.get("vmstat"));
        assertThrows(AssertionError.class, () -> r.check("vmstat", halves(b.get("vmstat"), a.get("vmstat"))));
    }

    @Test
    void statWithAnotherBtimeFails() {
        String s = a.get("stat");
        String btime = value(s, "btime ", 0);
        fails("stat", s.replace(btime, "btime 1"), "btime (constant)");
    }
}
