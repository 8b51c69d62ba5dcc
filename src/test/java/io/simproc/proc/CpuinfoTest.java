package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfile;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.sysctl.SysctlTable;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.simproc.proc.ProcTestSupport.quote;
import static io.simproc.proc.ProcTestSupport.read;
import static io.simproc.proc.ProcTestSupport.shared;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /proc/cpuinfo against the kernel's own format: src/test/resources/kernel-6.18/cpuinfo-block.txt, the lines of
 * arch/x86/kernel/cpu/proc.c: show_cpuinfo() with the condition under which each is printed. Every block of every
 * machine has the kernel's lines in the kernel's order, tab alignment and value formats included, and exactly the
 * optional lines its CPU calls for (microcode, cache size, TLB size), for Intel and AMD processors alike. Nothing
 * here reads the CPU of the machine running the test.
 */
class CpuinfoTest {
    private static final String REFERENCE = "/kernel-6.18/cpuinfo-block.txt";

    /** An AMD EPYC as a VM guest sees it: no microcode revision (no microcode line), and a TLB size. */
    private static final String AMD_GUEST = """
            cpu:
              count: 3
              vendor_id: AuthenticAMD
              family: 25
              model: 1
              model_name: AMD EPYC 7763 64-Core Processor
              stepping: 1
              microcode: 0
              mhz: 2445.406
              cache_kb: 512
              tlb_size: 2560
              cores_per_socket: 3
              flags: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse\
             sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm rep_good nopl cpuid extd_apicid tsc_known_freq pni\
             pclmulqdq ssse3 fma cx16 sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm\
             cmp_legacy svm cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw topoext invpcid_single ssbd ibrs ibpb\
             stibp vmmcall fsgsbase bmi1 avx2 smep bmi2 erms invpcid rdseed adx smap clflushopt clwb sha_ni xsaveopt\
             xsavec xgetbv1 xsaves clzero xsaveerptr wbnoinvd arat npt nrip_save umip pku ospke vaes vpclmulqdq rdpid\
             fsrm
              bugs: sysret_ss_attrs null_seg spectre_v1 spectre_v2 spec_store_bypass srso
              bogomips: 4890.81
              address_bits: {physical: 48, virtual: 48}
            memory: 512M
            """;

    /** An AMD server on bare metal: 64 CPUs over 2 nodes, with its microcode revision. */
    private static final String AMD_SERVER = """
            cpu:
              count: 64
              vendor_id: AuthenticAMD
              family: 25
              model: 1
              model_name: AMD EPYC 7543 32-Core Processor
              stepping: 1
              microcode: 0xa0011d1
              mhz: 2800.000
              cache_kb: 512
              tlb_size: 2560
              cores_per_socket: 32
              flags: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr
              bugs: sysret_ss_attrs spectre_v1 spectre_v2 spec_store_bypass srso
              bogomips: 5589.50
            memory: 2G
            nodes: 2
            """;

    /** One CPU that reports neither a microcode revision nor a cache size, with no known bugs. */
    private static final String BARE_INTEL = """
            cpu:
              count: 1
              microcode: 0
              cache_kb: 0
              bugs: ""
            memory: 256M
            """;

    /** One line of the reference: the kernel's format, the line it allows, and when the kernel prints it. */
    record KernelLine(String format, Pattern pattern, String when) {
    }

    static List<KernelLine> reference() {
        String text;
        try (InputStream in = CpuinfoTest.class.getResourceAsStream(REFERENCE)) {
            assertTrue(in != null, REFERENCE + " is not on the test classpath");
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<KernelLine> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int bar = line.lastIndexOf(" | ");
            String format = line.substring(0, bar).replace("\\t", "\t");
            lines.add(new KernelLine(format, Pattern.compile(regex(format)), line.substring(bar + 3)));
        }
        return lines;
    }

    private static final Pattern CONVERSION = Pattern.compile("\\{ %s}|%0\\d+l?u|%l?[uds]|%x");

    /** The lines a seq_printf() format can print: numbers for %u/%d/%lu, hex digits for %x, a word list for { %s}. */
    static String regex(String format) {
        StringBuilder re = new StringBuilder("^");
        Matcher m = CONVERSION.matcher(format);
        int last = 0;
        while (m.find()) {
            re.append(Pattern.quote(format.substring(last, m.start())));
            String c = m.group();
            re.append(switch (c) {
                case "{ %s}" -> "(?: \\S+)*";
                case "%s" -> "[^\\n]*";
                case "%x" -> "[0-9a-f]+";
                case "%d" -> "-?\\d+";
                case "%u", "%lu" -> "\\d+";
                default -> "\\d{" + Integer.parseInt(c.replaceAll("\\D", "")) + "}";
            });
            last = m.end();
        }
        return re.append(Pattern.quote(format.substring(last))).append('$').toString();
    }

    /** Whether the kernel prints a line of the reference for this CPU. */
    static boolean printed(String when, MachineProfile.CpuModel c) {
        return switch (when) {
            case "always" -> true;
            case "microcode != 0" -> c.microcode() != 0;
            case "cache size != 0" -> c.cacheKb() != 0;
            case "flag vmx" -> List.of(c.flags().split(" +")).contains("vmx");
            case "TLB size > 0" -> c.tlbSize() > 0;
            default -> throw new AssertionError("unknown condition '" + when + "' in " + REFERENCE);
        };
    }

    /**
     * Every block of {@code text} has, line for line, the reference's lines the kernel prints for {@code cpu}:
     * blocks numbered from 0, one per CPU, each ended by an empty line.
     */
    static void assertFollowsShowCpuinfo(String what, String text, MachineProfile.CpuModel cpu) {
        List<KernelLine> expected = reference().stream().filter(l -> printed(l.when(), cpu)).toList();
        assertTrue(text.endsWith("\n\n"), what + ": every processor block ends with an empty line");
        String[] blocks = text.substring(0, text.length() - 2).split("\n\n", -1);
        assertEquals(cpu.count(), blocks.length, what + ": one block per CPU");
        for (int n = 0; n < blocks.length; n++) {
            String[] lines = blocks[n].split("\n", -1);
            assertEquals("processor\t: " + n, lines[0], what + ": block " + n);
            for (int i = 0; i < Math.max(lines.length, expected.size()); i++) {
                String line = i < lines.length ? lines[i] : "<end of block>";
                String format = i < expected.size() ? expected.get(i).format() : "<end of block>";
                assertTrue(i < expected.size() && expected.get(i).pattern().matcher(line).matches(),
                        what + ", cpu " + n + ", line " + (i + 1) + ": " + quote(line) + " where show_cpuinfo()"
                                + " prints " + quote(format));
            }
        }
    }

    private static ProcFs boot(String profile) {
        Kernel k = Kernel.boot(MachineProfileLoader.parse("test.yaml", profile), ProcTestSupport.SEED);
        return new ProcFs(k, ProcTree.create(SysctlTable.create()));
    }

    private static String block(String cpuinfo, int n) {
        return cpuinfo.split("\n\n")[n] + "\n";
    }

    @Test
    void theDefaultMachineFollowsShowCpuinfo() {
        ProcFs fs = shared();
        assertFollowsShowCpuinfo("default machine", read(fs, "/cpuinfo"), fs.kernel().profile().cpu());
    }

    /** The host of issue 13: an AMD EPYC guest has no microcode line, and AMD CPUs have a TLB size line. */
    @Test
    void anAmdGuestHasNoMicrocodeLineAndATlbSize() {
        ProcFs fs = boot(AMD_GUEST);
        MachineProfile.CpuModel cpu = fs.kernel().profile().cpu();
        String cpuinfo = read(fs, "/cpuinfo");
        assertFollowsShowCpuinfo("AMD guest", cpuinfo, cpu);
        String first = block(cpuinfo, 0);
        assertFalse(first.contains("microcode"), first);
        assertTrue(first.contains("\nvendor_id\t: AuthenticAMD\n"), first);
        assertTrue(first.contains("\nbogomips\t: 4890.81\nTLB size\t: 2560 4K pages\nclflush size\t: 64\n"), first);
        assertTrue(first.contains("\ncpuid level\t: 16\n"), first);
        assertTrue(first.contains("\naddress sizes\t: 48 bits physical, 48 bits virtual\n"), first);
    }

    @Test
    void aSixtyFourCpuAmdServerFollowsShowCpuinfo() {
        ProcFs fs = boot(AMD_SERVER);
        String cpuinfo = read(fs, "/cpuinfo");
        assertFollowsShowCpuinfo("AMD server", cpuinfo, fs.kernel().profile().cpu());
        assertTrue(block(cpuinfo, 63).contains("\nmicrocode\t: 0xa0011d1\ncpu MHz\t\t: 2800.000\n"),
                block(cpuinfo, 63));
        assertTrue(block(cpuinfo, 63).contains("\nphysical id\t: 1\nsiblings\t: 32\ncore id\t\t: 31\n"),
                block(cpuinfo, 63));
    }

    /** No microcode and no cache size: no such lines; no bugs: the bare label, without a trailing space. */
    @Test
    void aCpuReportingNoMicrocodeCacheOrBugsHasTheKernelsBareLines() {
        ProcFs fs = boot(BARE_INTEL);
        String cpuinfo = read(fs, "/cpuinfo");
        assertFollowsShowCpuinfo("bare Intel", cpuinfo, fs.kernel().profile().cpu());
        assertFalse(cpuinfo.contains("microcode") || cpuinfo.contains("cache size"), cpuinfo);
        assertTrue(cpuinfo.contains("\nbugs\t\t:\nbogomips\t: "), cpuinfo);
        assertFalse(cpuinfo.contains("TLB size"), "Intel CPUs report no TLB size");
    }

    /** The check fails on what the kernel would not print: a microcode line for revision 0, a space after a label. */
    @Test
    void theCheckRejectsLinesTheKernelWouldNotPrint() {
        ProcFs fs = boot(AMD_GUEST);
        MachineProfile.CpuModel cpu = fs.kernel().profile().cpu();
        String good = read(fs, "/cpuinfo");
        String withMicrocode = good.replace("\ncpu MHz\t\t: ", "\nmicrocode\t: 0x0\ncpu MHz\t\t: ");
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> assertFollowsShowCpuinfo("stitched", withMicrocode, cpu));
        assertTrue(e.getMessage().contains("cpu 0, line 7: \"microcode\\t: 0x0\" where show_cpuinfo() prints"
                + " \"cpu MHz\\t\\t: %u.%03u\""), e.getMessage());
        String spaceAligned = good.replace("\nmodel\t\t: ", "\nmodel\t: ");
        assertThrows(AssertionFailedError.class, () -> assertFollowsShowCpuinfo("stitched", spaceAligned, cpu));
        String noTlb = good.replaceAll("\nTLB size\t: \\d+ 4K pages", "");
        assertThrows(AssertionFailedError.class, () -> assertFollowsShowCpuinfo("stitched", noTlb, cpu));
        String trailingSpace = good.replace("\npower management:\n", "\npower management: \n");
        assertThrows(AssertionFailedError.class, () -> assertFollowsShowCpuinfo("stitched", trailingSpace, cpu));
    }

    /** The reference is the kernel's whole block: 28 formats, from processor to power management. */
    @Test
    void theReferenceHasEveryLineOfShowCpuinfo() {
        List<KernelLine> ref = reference();
        assertEquals(28, ref.size());
        assertEquals("processor\t: %u", ref.get(0).format());
        assertEquals("power management:{ %s}", ref.get(ref.size() - 1).format());
        assertEquals(List.of("microcode", "cache size", "vmx flags", "TLB size"), ref.stream()
                .filter(l -> !l.when().equals("always")).map(l -> l.format().substring(0, l.format().indexOf('\t')))
                .toList());
    }
}
