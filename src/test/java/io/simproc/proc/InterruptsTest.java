package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.sysctl.SysctlTable;
import io.simproc.workload.Machines;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.simproc.proc.ProcTestSupport.lines;
import static io.simproc.proc.ProcTestSupport.quote;
import static io.simproc.proc.ProcTestSupport.read;
import static io.simproc.proc.ProcTestSupport.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * /proc/interrupts, /proc/softirqs and the intr and softirq lines of /proc/stat on a machine with the sample's 2
 * CPUs and its population: the files have the sample's structure to the byte where the sampled machine's board and
 * ours agree (the header, the system vectors, every softirq row), nr_irqs follows the CPU count as on the sampled
 * machine, and /proc/stat's totals are the sums of what the other two files show.
 */
class InterruptsTest {
    private static ProcFs fs;

    @BeforeAll
    static void boot() {
        String profile = new String(readResource(MachineProfileLoader.DEFAULT_RESOURCE))
                .replace("cpu:\n  count: 4\n", "cpu:\n  count: 2\n");
        assertTrue(profile.contains("count: 2\n"), "the default profile's cpu count was not found");
        Kernel k = Machines.boot(MachineProfileLoader.parse("two-cpu.yaml", profile), ProcTestSupport.SEED);
        k.advance(60L * io.simproc.kernel.Clock.HZ);
        fs = new ProcFs(k, ProcTree.create(SysctlTable.create()));
    }

    private static byte[] readResource(String name) {
        try (var in = InterruptsTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (java.io.IOException | NullPointerException e) {
            throw new AssertionError("no resource " + name, e);
        }
    }

    @Test
    void softirqsHaveTheSampleShape() {
        List<String> sample = lines("sample softirqs", sample("softirqs.txt"));
        List<String> ours = lines("softirqs", read(fs, "/softirqs"));
        assertEquals(sample.stream().map(LineShapes::rightAligned).toList(),
                ours.stream().map(LineShapes::rightAligned).toList());
    }

    /** The header and the x86 system vectors, as a 2-CPU guest prints them (trailing spaces included). */
    @Test
    void interruptsHeaderAndSystemVectorsAreTheSamples() {
        List<String> sample = lines("sample interrupts", sample("interrupts.txt"));
        List<String> ours = lines("interrupts", read(fs, "/interrupts"));
        assertEquals(sample.get(0), ours.get(0));
        List<String> sampleArch = sample.subList(sample.indexOf(sample.stream().filter(l -> l.startsWith("NMI:"))
                .findFirst().orElseThrow()), sample.size());
        List<String> ourArch = ours.subList(ours.size() - sampleArch.size(), ours.size());
        assertEquals(sampleArch.stream().map(LineShapes::rightAligned).toList(),
                ourArch.stream().map(LineShapes::rightAligned).toList());
    }

    /** Device rows follow show_interrupts()'s format; the rule is checked on the sample's rows too. */
    @Test
    void interruptLinesArePrintedWithTheKernelsFormat() {
        assertDeviceRows("sample", lines("sample interrupts", sample("interrupts.txt")));
        List<String> ours = lines("interrupts", read(fs, "/interrupts"));
        assertTrue(assertDeviceRows("ours", ours) >= 5, "the board has its ACPI, serial, block and net lines");
    }

    private static final Pattern ROW = Pattern.compile(" *(\\d+):((?: +\\d+){2}) (.+?) +(\\d+)-(\\S+) +(\\S+)");

    private static int assertDeviceRows(String what, List<String> lines) {
        int rows = 0;
        for (String line : lines.subList(1, lines.size())) {
            if (!Character.isDigit(line.trim().charAt(0))) {
                continue;
            }
            Matcher m = ROW.matcher(line);
            if (!m.matches()) {
                fail(what + ": " + quote(line) + " is not an interrupt row");
            }
            StringBuilder expected = new StringBuilder(String.format("%3d:", Integer.parseInt(m.group(1))));
            for (String c : m.group(2).trim().split(" +")) {
                expected.append(String.format(" %10d", Long.parseLong(c)));
            }
            expected.append(String.format(" %8s %3d-%-8s  %s", m.group(3).trim(), Long.parseLong(m.group(4)),
                    m.group(5), m.group(6)));
            assertEquals(expected.toString(), line, what + ": " + quote(line));
            rows++;
        }
        return rows;
    }

    /** nr_irqs of a 2-CPU legacy-free guest is 424: the sample's intr line has a total and 424 counts, as ours. */
    @Test
    void statIntrLineHasOneNumberPerIrqOfTheMachine() {
        assertEquals(fields(sample("stat.txt"), "intr ").length, fields(read(fs, "/stat"), "intr ").length);
    }

    @Test
    void statIntrTotalIsTheSumOfProcInterrupts() {
        String interrupts = read(fs, "/interrupts");
        String stat = read(fs, "/stat");
        long sum = 0;
        for (String line : lines("interrupts", interrupts).subList(1, lines("i", interrupts).size())) {
            String[] f = line.trim().split(" +");
            int cpus = f[0].equals("ERR:") || f[0].equals("MIS:") ? 1 : 2;
            if (f[0].equals("MIS:")) {
                continue;
            }
            for (int i = 1; i <= cpus; i++) {
                sum += Long.parseLong(f[i]);
            }
            if (Character.isDigit(f[0].charAt(0))) {
                int irq = Integer.parseInt(f[0].substring(0, f[0].length() - 1));
                long perIrq = Long.parseLong(f[1]) + Long.parseLong(f[2]);
                assertEquals(perIrq, Long.parseLong(fields(stat, "intr ")[irq + 1]), "irq " + irq);
            }
        }
        long total = Long.parseLong(fields(stat, "intr ")[0]);
        assertEquals(sum, total);
        assertTrue(total > 0);
    }

    @Test
    void statSoftirqLineIsTheSumOfProcSoftirqs() {
        String[] stat = fields(read(fs, "/stat"), "softirq ");
        long total = 0;
        int vec = 1;
        for (String line : lines("softirqs", read(fs, "/softirqs")).subList(1, 11)) {
            String[] f = line.trim().split(" +");
            long v = Long.parseLong(f[1]) + Long.parseLong(f[2]);
            assertEquals(v, Long.parseLong(stat[vec++]), line);
            total += v;
        }
        assertEquals(total, Long.parseLong(stat[0]));
    }

    /** Nothing simulates the network: its interrupt lines and softirqs stay 0; the root disk's reads complete. */
    @Test
    void networkIsQuietAndDiskReadsComplete() {
        String interrupts = read(fs, "/interrupts");
        for (String line : lines("interrupts", interrupts)) {
            if (line.contains("virtio2-")) {
                String[] f = line.trim().split(" +");
                assertEquals("0 0", f[1] + " " + f[2], line);
            }
        }
        String softirqs = read(fs, "/softirqs");
        assertTrue(softirqs.contains("      NET_TX:          0          0\n"), softirqs);
        assertTrue(softirqs.contains("      NET_RX:          0          0\n"), softirqs);
        long blockIrqs = interrupts.lines().filter(l -> l.endsWith("virtio1-req.0")).mapToLong(l -> {
            String[] f = l.trim().split(" +");
            return Long.parseLong(f[1]) + Long.parseLong(f[2]);
        }).sum();
        assertTrue(blockIrqs > 0, "the population read its programs from the disk");
        String block = softirqs.lines().filter(l -> l.trim().startsWith("BLOCK:")).findFirst().orElseThrow();
        String[] f = block.trim().split(" +");
        assertEquals(blockIrqs, Long.parseLong(f[1]) + Long.parseLong(f[2]));
    }

    /** The local timer ticks once per jiffy a CPU is busy, on top of the idle wake-ups. */
    @Test
    void busyCpusTakeMoreTimerInterrupts() {
        Kernel k = Machines.boot(MachineProfileLoader.loadDefault(), ProcTestSupport.SEED);
        long before = k.interrupts().arch(io.simproc.kernel.Interrupts.ArchIrq.LOC, 0);
        k.advance(10L * io.simproc.kernel.Clock.HZ);
        long idleSeconds = k.interrupts().arch(io.simproc.kernel.Interrupts.ArchIrq.LOC, 0) - before;
        assertTrue(idleSeconds > 0 && idleSeconds < 10L * io.simproc.kernel.Clock.HZ, "idle ticks " + idleSeconds);
    }

    private static String[] fields(String text, String prefix) {
        String line = text.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
        return line.substring(prefix.length()).split(" ");
    }
}
