package io.simproc.workload;

import io.simproc.config.ConfigException;
import io.simproc.kernel.ElfImage;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.mm.MmDebug;
import io.simproc.mm.VmFlags;
import io.simproc.mm.Vma;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The program catalog: the embedded Debian 12 catalog loads and names every object its programs need; its numbers
 * are the real files' (recomputed here from their program headers, committed as
 * src/test/resources/debian12-elf/program-headers.txt, and pinned against the reference machine's maps); every
 * kind of mistake in a catalog is a
 * {@link ConfigException} with an exact file:line:col message; and an exec'd program's address space holds each
 * object's mappings at the catalog's offsets, protections and file offsets.
 */
class ProgramCatalogTest {
    static final String LD_SO = "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2";
    static final String LIBC = "/usr/lib/x86_64-linux-gnu/libc.so.6";
    static final long ELF_ET_DYN_BASE = 0x555555554000L;
    static final long PAGE = 4096;

    static ProgramCatalog catalog;

    @BeforeAll
    static void load() {
        catalog = ProgramCatalog.embedded();
    }

    // ---------------------------------------------------------------------------------------------------------
    // The embedded catalog

    @Test
    void theEmbeddedCatalogHasTheProgramsOfADebianServer() {
        for (String name : List.of("systemd", "systemd-journald", "systemd-udevd", "systemd-logind", "dbus-daemon",
                "sshd", "bash", "login", "agetty", "cron", "rsyslogd", "nginx", "postgres", "java", "python3.11",
                "sleep", "cat")) {
            assertTrue(catalog.programNames().contains(name), name + " is missing from " + catalog.programNames());
        }
        assertEquals("/usr/lib/systemd/systemd", catalog.program("systemd").exe().path());
        assertEquals("/usr/bin/udevadm", catalog.program("systemd-udevd").exe().path(),
                "systemd-udevd is a symlink to udevadm; maps shows the file");
        assertEquals(List.of("/usr/lib/x86_64-linux-gnu/libtinfo.so.6.4", LIBC),
                catalog.program("bash").libs().stream().map(ElfImage::path).toList(),
                "libraries by the name maps prints: the file behind the soname symlink");
    }

    @Test
    void everyObjectAProgramNamesIsInTheCatalogAndEveryObjectIsUsed() {
        Set<String> used = new HashSet<>();
        for (String name : catalog.programNames()) {
            Program p = catalog.program(name);
            assertEquals(name, p.name());
            assertSame(catalog.object(p.exe().path()), p.exe());
            assertSame(catalog.object(LD_SO), p.interp(), name);
            assertTrue(p.libs().contains(catalog.object(LIBC)), name + " needs libc");
            for (ElfImage lib : p.libs()) {
                assertSame(catalog.object(lib.path()), lib);
                assertEquals(0, lib.fixedBase(), lib.path());
            }
            assertEquals(p.libs().size(), new HashSet<>(p.libs()).size(), name + " maps a library twice");
            used.add(p.exe().path());
            used.add(p.interp().path());
            p.libs().forEach(l -> used.add(l.path()));
        }
        assertEquals(catalog.objectPaths(), used, "objects that no program uses");
    }

    /** Java's libraries: the launcher's NEEDED, then libjvm (dlopen()ed by libjli) and what the VM loads. */
    @Test
    void javaMapsTheVirtualMachineAndTheLibrariesItLoadsAtStartup() {
        String jdk = "/usr/lib/jvm/java-17-openjdk-amd64/lib/";
        assertEquals(List.of("/usr/lib/x86_64-linux-gnu/libz.so.1.2.13", jdk + "libjli.so", LIBC,
                        jdk + "server/libjvm.so", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30",
                        "/usr/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libgcc_s.so.1",
                        jdk + "libjimage.so", jdk + "libjava.so", jdk + "libjsvml.so"),
                catalog.program("java").libs().stream().map(ElfImage::path).toList());
    }

    /**
     * libc and ld.so have the layout that /proc/PID/maps of the reference machine shows
     * (shared/reference/samples/pid_maps.txt): libc r--p, r-xp, r--p, r--p (RELRO), rw-p and 0xd000 of bss.
     */
    @Test
    void libcAndTheLoaderHaveTheLayoutOfTheReferenceMaps() {
        assertEquals(List.of(new ElfImage.Mapping(0x0, 0x26000, "r", false),
                new ElfImage.Mapping(0x26000, 0x156000, "rx", false),
                new ElfImage.Mapping(0x17c000, 0x53000, "r", false),
                new ElfImage.Mapping(0x1cf000, 0x4000, "r", true),
                new ElfImage.Mapping(0x1d3000, 0x2000, "rw", false)), catalog.object(LIBC).mappings());
        assertEquals(0xd000, catalog.object(LIBC).bssBytes());
        assertEquals(List.of(new ElfImage.Mapping(0x0, 0x1000, "r", false),
                new ElfImage.Mapping(0x1000, 0x26000, "rx", false),
                new ElfImage.Mapping(0x27000, 0xa000, "r", false),
                new ElfImage.Mapping(0x31000, 0x2000, "r", true),
                new ElfImage.Mapping(0x33000, 0x2000, "rw", false)), catalog.object(LD_SO).mappings());
        assertEquals(0, catalog.object(LD_SO).bssBytes());
    }

    /** Debian's python3.11 is not position independent: linked at 0x400000, its data a page above its offset. */
    @Test
    void python3IsAFixedAddressExecutable() {
        ElfImage py = catalog.program("python3.11").exe();
        assertEquals(0x400000, py.fixedBase());
        ElfImage.Mapping relro = py.mappings().get(3);
        assertTrue(relro.relro());
        assertEquals(relro.offset() - PAGE, relro.fileOffset());
    }

    // ---------------------------------------------------------------------------------------------------------
    // The numbers are the real files'

    private static final String PROGRAM_HEADERS = "/debian12-elf/program-headers.txt";
    /** Objects of the catalog without program headers in the fixture (see its header for why). */
    private static final Set<String> WITHOUT_HEADERS = Set.of("/usr/bin/udevadm", "/usr/sbin/nginx");

    /** One file of the fixture: its path and size, and its ELF type and LOAD and GNU_RELRO lines from readelf. */
    record ProgramHeaders(String path, long size, String readelf) {
        @Override
        public String toString() {
            return path;
        }
    }

    static List<ProgramHeaders> programHeaders() throws IOException {
        String text;
        try (java.io.InputStream in = ProgramCatalogTest.class.getResourceAsStream(PROGRAM_HEADERS)) {
            assertTrue(in != null, PROGRAM_HEADERS + " is not on the test classpath");
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<ProgramHeaders> out = new ArrayList<>();
        for (String section : text.split("(?m)^== ")) {
            if (section.startsWith("#")) {
                continue;
            }
            String[] head = section.substring(0, section.indexOf('\n')).split(" ");
            out.add(new ProgramHeaders(head[0], Long.parseLong(head[1]), section.substring(section.indexOf('\n'))));
        }
        return out;
    }

    /** Each object's mappings, bss and base are what the real file's program headers give. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("programHeaders")
    void theLayoutIsWhatTheRealFilesProgramHeadersGive(ProgramHeaders file) {
        assertEquals(fromReadelf(file.path(), file.size(), file.readelf()), catalog.object(file.path()));
    }

    @Test
    void theFixtureHasEveryObjectOfTheCatalog() throws IOException {
        Set<String> fixture = new HashSet<>();
        programHeaders().forEach(h -> fixture.add(h.path()));
        Set<String> expected = new HashSet<>(catalog.objectPaths());
        expected.removeAll(WITHOUT_HEADERS);
        assertEquals(expected, fixture);
        assertTrue(catalog.objectPaths().containsAll(WITHOUT_HEADERS));
    }

    /** The derivation below sees a changed segment: a catalog built from other headers would fail the test above. */
    @Test
    void anotherSegmentGivesAnotherLayout() throws IOException {
        ProgramHeaders libc = programHeaders().stream().filter(h -> h.path().equals(LIBC)).findFirst().orElseThrow();
        ElfImage real = fromReadelf(libc.path(), libc.size(), libc.readelf());
        assertEquals(catalog.object(LIBC), real);
        String bigger = libc.readelf().replaceFirst("(LOAD\\s+0x\\p{XDigit}+\\s+0x\\p{XDigit}+\\s+0x\\p{XDigit}+\\s+)"
                + "0x(\\p{XDigit}+)", "$10x7fffff");
        assertFalse(fromReadelf(libc.path(), libc.size(), bigger).equals(real), bigger);
    }

    private static final Pattern SEGMENT = Pattern.compile("^\\s*(LOAD|GNU_RELRO)\\s+0x(\\p{XDigit}+)\\s+"
            + "0x(\\p{XDigit}+)\\s+0x\\p{XDigit}+\\s+0x(\\p{XDigit}+)\\s+0x(\\p{XDigit}+)\\s([RWE ]{3})\\s+0x",
            Pattern.MULTILINE);

    /**
     * The mappings of one file from its {@code readelf -hlW} lines, derived independently of
     * src/tools/gen-program-catalog: PT_LOAD covers [PAGE_DOWN(vaddr), PAGE_ALIGN(vaddr + filesz)) from
     * PAGE_DOWN(offset); PT_GNU_RELRO's [PAGE_DOWN(start), PAGE_DOWN(end)) is split off as the relro part; the last
     * PT_LOAD's memsz past its file pages is the bss; an ET_EXEC file is based at its first page.
     */
    static ElfImage fromReadelf(String path, long size, String out) {
        boolean fixed = Pattern.compile("Type:\\s+EXEC").matcher(out).find();
        List<long[]> loads = new ArrayList<>();
        long relroStart = -1;
        long relroEnd = -1;
        Matcher m = SEGMENT.matcher(out);
        while (m.find()) {
            long offset = Long.parseLong(m.group(2), 16);
            long vaddr = Long.parseLong(m.group(3), 16);
            long filesz = Long.parseLong(m.group(4), 16);
            long memsz = Long.parseLong(m.group(5), 16);
            if (m.group(1).equals("GNU_RELRO")) {
                relroStart = down(vaddr);
                relroEnd = down(vaddr + memsz);
            } else {
                String f = m.group(6);
                long prot = (f.indexOf('W') >= 0 ? 2 : 0) | (f.indexOf('E') >= 0 ? 1 : 0);
                loads.add(new long[] {offset, vaddr, filesz, memsz, prot});
            }
        }
        assertFalse(loads.isEmpty(), out);
        long base = down(loads.get(0)[1]);
        List<ElfImage.Mapping> mappings = new ArrayList<>();
        for (long[] s : loads) {
            long start = down(s[1]);
            long end = up(s[1] + s[2]);
            long fileOffset = down(s[0]);
            String prot = "r" + ((s[4] & 2) != 0 ? "w" : "") + ((s[4] & 1) != 0 ? "x" : "");
            if (relroStart >= start && relroStart < end && relroEnd > relroStart) {
                mappings.add(new ElfImage.Mapping(start - base, relroEnd - start, "r", true, fileOffset));
                mappings.add(new ElfImage.Mapping(relroEnd - base, end - relroEnd, prot, false,
                        fileOffset + relroEnd - start));
            } else {
                mappings.add(new ElfImage.Mapping(start - base, end - start, prot, false, fileOffset));
            }
        }
        long[] last = loads.get(loads.size() - 1);
        long bss = Math.max(0, up(last[1] + last[3]) - up(last[1] + last[2]));
        return new ElfImage(path, size, mappings, bss, fixed ? base : 0);
    }

    private static long down(long v) {
        return v & -PAGE;
    }

    private static long up(long v) {
        return (v + PAGE - 1) & -PAGE;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Mistakes

    private static final String LIBFOO = """
            objects:
              /usr/lib/libfoo.so.1:
                size: 20000
                mappings:
                  - {offset: 0x0, size: 0x1000, prot: r}
                  - {offset: 0x1000, size: 0x2000, prot: rx}
                  - {offset: 0x3000, size: 0x1000, prot: r, relro: true}
                  - {offset: 0x4000, size: 0x1000, prot: rw, file_offset: 0x3000}
                bss: 0x2000
            """;
    private static final String MAPPINGS_OF = "objects./usr/lib/libfoo.so.1.mappings";

    /** A catalog text and the exact message (file:line:col: problem) reading it must give. */
    record Bad(String what, String yaml, int line, int column, String message) {
        @Override
        public String toString() {
            return what;
        }
    }

    private static Bad bad(String what, String from, String to, int line, int column, String problem) {
        assertTrue(LIBFOO.contains(from), from);
        return new Bad(what, LIBFOO.replace(from, to), line, column, "bad.yaml:" + line + ":" + column + ": "
                + problem);
    }

    static Stream<Bad> badCatalogs() {
        return Stream.of(
                bad("bad hex", "size: 0x2000, prot: rx", "size: 0x2g00, prot: rx", 6, 32,
                        MAPPINGS_OF + "[1].size: '0x2g00' is not an integer"),
                bad("unknown key in a mapping", "prot: r, relro: true", "prot: r, relr: true", 7, 49,
                        "unknown key 'relr' in " + MAPPINGS_OF + "[2] (expected one of: offset, size, prot, relro,"
                                + " file_offset)"),
                bad("unknown key in an object", "    bss: 0x2000", "    bs: 0x2000", 9, 5,
                        "unknown key 'bs' in objects./usr/lib/libfoo.so.1 (expected one of: package, size,"
                                + " fixed_base, mappings, bss)"),
                new Bad("unknown top-level key", LIBFOO + "program:\n  x: {}\n", 10, 1,
                        "bad.yaml:10:1: unknown key 'program' (expected one of: objects, programs)"),
                bad("overlapping mappings", "size: 0x2000, prot: rx", "size: 0x3000, prot: rx", 7, 18,
                        "/usr/lib/libfoo.so.1: the mapping at 0x3000 overlaps the previous one, which ends at 0x4000"),
                bad("misaligned offset", "offset: 0x1000, size: 0x2000", "offset: 0x1800, size: 0x2000", 6, 18,
                        MAPPINGS_OF + "[1].offset: 0x1800 is not a multiple of the page size (0x1000)"),
                bad("first mapping not at the load base", "{offset: 0x0,", "{offset: 0x1000,", 5, 18,
                        "/usr/lib/libfoo.so.1: the first mapping must start at offset 0x0, the load base"),
                bad("prot", "prot: rx}", "prot: rwx}", 6, 46,
                        MAPPINGS_OF + "[1].prot: 'rwx' must be one of: r, rx, rw"),
                bad("relro not followed by the rw part", "size: 0x1000, prot: rw,", "size: 0x1000, prot: r,", 7, 56,
                        "/usr/lib/libfoo.so.1: a relro mapping must be directly followed by the rw rest of its data"
                                + " segment"),
                bad("relro that is not read-only", "prot: r, relro: true", "prot: rw, relro: true", 7, 57,
                        "/usr/lib/libfoo.so.1: a relro mapping is read-only: its prot must be r"),
                bad("mapping past the end of the file", "size: 20000", "size: 12000", 7, 18,
                        "/usr/lib/libfoo.so.1: the mapping at 0x3000 reaches file offset 0x4000, past the end of the"
                                + " file (12000 bytes)"),
                bad("relative object path", "  /usr/lib/libfoo.so.1:", "  lib/libfoo.so.1:", 2, 3,
                        "object 'lib/libfoo.so.1' must be an absolute file path"),
                bad("missing mappings", "    mappings:\n", "    mapping:\n", 4, 5,
                        "unknown key 'mapping' in objects./usr/lib/libfoo.so.1 (expected one of: package, size,"
                                + " fixed_base, mappings, bss)"),
                new Bad("missing library", LIBFOO + """
                        programs:
                          foo:
                            exe: /usr/lib/libfoo.so.1
                            interp: /usr/lib/libfoo.so.1
                            libs: [/usr/lib/libbar.so.2]
                        """, 14, 12, "bad.yaml:14:12: program 'foo' needs /usr/lib/libbar.so.2, which is not among"
                        + " the catalog's objects"),
                new Bad("a fixed-address executable as a library", LIBFOO.replace("    bss: 0x2000",
                        "    bss: 0x2000\n    fixed_base: 0x400000") + """
                        programs:
                          foo:
                            exe: /usr/lib/libfoo.so.1
                            interp: /usr/lib/libfoo.so.1
                        """, 14, 13, "bad.yaml:14:13: program 'foo': /usr/lib/libfoo.so.1 has a fixed_base (ET_EXEC)"
                        + " and cannot be loaded as a shared object"),
                new Bad("invalid YAML", "objects: [\n", 2, 1,
                        "bad.yaml:2:1: invalid YAML: expected the node content, but found '<stream end>'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCatalogs")
    void mistakesAreReportedWithFileLineColumnAndAnExactMessage(Bad bad) {
        ConfigException e = assertThrows(ConfigException.class, () -> ProgramCatalog.parse("bad.yaml", bad.yaml()));
        assertEquals(bad.message(), e.getMessage());
        assertEquals(bad.line(), e.line(), "line");
        assertEquals(bad.column(), e.column(), "column");
    }

    @Test
    void aValidSmallCatalogReadsAsWritten() {
        ProgramCatalog c = ProgramCatalog.parse("ok.yaml", LIBFOO + """
                programs:
                  foo:
                    exe: /usr/lib/libfoo.so.1
                    interp: /usr/lib/libfoo.so.1
                """);
        ElfImage foo = c.object("/usr/lib/libfoo.so.1");
        assertEquals(new ElfImage("/usr/lib/libfoo.so.1", 20000, List.of(
                new ElfImage.Mapping(0, 0x1000, "r", false), new ElfImage.Mapping(0x1000, 0x2000, "rx", false),
                new ElfImage.Mapping(0x3000, 0x1000, "r", true), new ElfImage.Mapping(0x4000, 0x1000, "rw", false,
                        0x3000)), 0x2000), foo);
        assertEquals(new Program("foo", foo, foo, List.of()), c.program("foo"));
        assertEquals(Set.of("foo"), c.programNames());
    }

    /** A user's catalog adds programs over the embedded one, using its objects; its mistakes name the user's file. */
    @Test
    void aUserCatalogIsMergedOverTheEmbeddedOne(@TempDir Path dir) throws IOException {
        Path extra = dir.resolve("extra.yaml");
        Files.writeString(extra, LIBFOO + """
                programs:
                  foo:
                    exe: /usr/bin/bash
                    interp: /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
                    libs: [/usr/lib/libfoo.so.1, /usr/lib/x86_64-linux-gnu/libc.so.6]
                """);
        ProgramCatalog c = ProgramCatalog.load(extra);
        assertTrue(c.programNames().containsAll(catalog.programNames()));
        assertEquals(List.of(c.object("/usr/lib/libfoo.so.1"), catalog.object(LIBC)), c.program("foo").libs());
        assertSame(catalog.object(LIBC), c.object(LIBC));

        Files.writeString(extra, """
                programs:
                  foo:
                    exe: /usr/bin/bash
                    interp: /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
                    libs:
                      - /usr/lib/x86_64-linux-gnu/libc.so.6
                      - /usr/lib/x86_64-linux-gnu/libmissing.so.1
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> ProgramCatalog.load(extra));
        assertEquals(extra + ":7:9: program 'foo' needs /usr/lib/x86_64-linux-gnu/libmissing.so.1, which is not among"
                + " the catalog's objects", e.getMessage());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Exec

    @Test
    void anExecdProgramMapsEachObjectAsTheCatalogSays() {
        Kernel kernel = Kernel.boot(MachineProfileLoader.parse("t", "memory: 1G\n"), 1);
        Program bash = catalog.program("bash");
        Task p = kernel.mutate(() -> {
            Task t = kernel.processes().fork(kernel.tasks().get(2));
            assertEquals(0, kernel.syscalls().execve(t, bash.exe(), bash.interp(), bash.libs(), List.of("bash")));
            return t;
        });
        kernel.read(k -> {
            List<Vma> vmas = List.copyOf(p.mm().vmas());
            long base = assertMapped(vmas, bash.exe(), false);
            assertTrue(base >= ELF_ET_DYN_BASE && base < ELF_ET_DYN_BASE + (PAGE << 28), Long.toHexString(base));
            assertEquals(base, vmas.get(0).start(), "the executable is the lowest mapping");
            assertMapped(vmas, bash.interp(), false);
            for (ElfImage lib : bash.libs()) {
                assertMapped(vmas, lib, true);
            }
            assertEquals("bash", p.comm());
            assertEquals("/usr/bin/bash", p.exe());
            assertEquals(List.of(), MmDebug.violations(k.mm()));
            return null;
        });
    }

    /**
     * Every program of the catalog execs, each object mapped as the catalog says; among them python3.11 at its link
     * address, and sshd with libnsl, whose hole between segments ld.so leaves mapped PROT_NONE from the file.
     */
    @Test
    void everyProgramOfTheCatalogExecs() {
        Kernel kernel = Kernel.boot(MachineProfileLoader.parse("t", "memory: 1G\n"), 2);
        for (String name : catalog.programNames()) {
            Program prog = catalog.program(name);
            Task p = kernel.mutate(() -> {
                Task t = kernel.processes().fork(kernel.tasks().get(2));
                assertEquals(0, kernel.syscalls().execve(t, prog.exe(), prog.interp(), prog.libs(), List.of(name)),
                        name);
                return t;
            });
            kernel.read(k -> {
                List<Vma> vmas = List.copyOf(p.mm().vmas());
                long base = assertMapped(vmas, prog.exe(), false);
                if (prog.exe().fixedBase() != 0) {
                    assertEquals(prog.exe().fixedBase(), base, name);
                }
                assertMapped(vmas, prog.interp(), false);
                for (ElfImage lib : prog.libs()) {
                    assertMapped(vmas, lib, true);
                }
                return null;
            });
        }
        assertEquals(0x400000L, (long) kernel.read(k -> k.tasks().all().stream()
                .filter(t -> "python3.11".equals(t.comm())).findFirst().orElseThrow().mm().vmas().iterator().next()
                .start()));
        List<String> nsl = kernel.read(k -> k.tasks().all().stream().filter(t -> "sshd".equals(t.comm()))
                .findFirst().orElseThrow().mm().vmas().stream()
                .filter(v -> v.file() != null && v.file().path().endsWith("/libnsl.so.2.0.1"))
                .map(v -> maps(v.flags()) + " " + Long.toHexString(v.pgoff() * PAGE)).toList());
        assertEquals(List.of("r-- 0", "r-x 5000", "r-- 12000", "--- 16000", "r-- 16000", "rw- 17000"), nsl);
        assertEquals(List.of(), kernel.read(k -> MmDebug.violations(k.mm())));
    }

    /**
     * Assert that the object's mappings are in the address space at one base, each with the catalog's size, file
     * offset and protection (the relro part read-only), holes between segments mapped PROT_NONE from the file when
     * ld.so loaded the object and absent when the kernel did, and its bss anonymous and writable right after.
     * Returns the load base.
     */
    private static long assertMapped(List<Vma> vmas, ElfImage img, boolean byLdSo) {
        List<Vma> file = vmas.stream().filter(v -> v.file() != null && v.file().path().equals(img.path()))
                .sorted(Comparator.comparingLong(Vma::start)).toList();
        assertFalse(file.isEmpty(), img.path() + " is not mapped");
        long base = file.get(0).start() - img.mappings().get(0).offset();
        List<String> expected = new ArrayList<>();
        long end = 0;
        for (ElfImage.Mapping m : img.mappings()) {
            if (m.offset() > end && byLdSo) {
                expected.add(row(end, m.offset() - end, "---", end + img.mappings().get(0).fileOffset()));
            }
            String prot = (m.prot().contains("r") ? "r" : "-") + (m.prot().contains("w") ? "w" : "-")
                    + (m.prot().contains("x") ? "x" : "-");
            expected.add(row(m.offset(), m.size(), prot, m.fileOffset()));
            end = m.offset() + m.size();
        }
        List<String> actual = file.stream().map(v -> row(v.start() - base, v.size(), maps(v.flags()),
                v.pgoff() * PAGE)).toList();
        assertEquals(expected, actual, img.path());
        long bssStart = base + end;
        if (img.bssBytes() > 0) {
            Vma bss = vmas.stream().filter(v -> v.start() == bssStart).findFirst().orElseThrow(
                    () -> new AssertionError(img.path() + ": no bss"));
            assertTrue(bss.file() == null && bss.name() == null, img.path() + ": bss is " + bss);
            assertEquals("rw-", maps(bss.flags()), img.path());
            assertEquals(up(img.bssBytes()), bss.size(), img.path() + ": bss");
        }
        return base;
    }

    private static String row(long offset, long size, String prot, long fileOffset) {
        return String.format("+%x-%x %s %x", offset, offset + size, prot, fileOffset);
    }

    private static String maps(long flags) {
        return ((flags & VmFlags.VM_READ) != 0 ? "r" : "-") + ((flags & VmFlags.VM_WRITE) != 0 ? "w" : "-")
                + ((flags & VmFlags.VM_EXEC) != 0 ? "x" : "-");
    }
}
