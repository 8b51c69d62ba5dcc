package io.simproc.kernel;

import io.simproc.config.ConfigException;
import io.simproc.config.Sizes;
import io.simproc.mm.KernelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Machine profiles: the embedded default and every file of samples/machines load, and each kind of mistake is a
 * {@link ConfigException} whose message names file:line:col and says exactly what is wrong (the messages are
 * pinned: users see them).
 */
class MachineProfileLoaderTest {
    private static final String TOP_KEYS = "name, description, release, hostname, boot_time, cpu, memory, nodes,"
            + " movablecore, crashkernel, cma, thp, kernel_image, e820, swap, disks, processes, cgroup, zram";

    @Test
    void theDefaultProfileIsAnEightGigabyteFourCpuMachineWithSwap() {
        MachineProfile p = MachineProfileLoader.loadDefault();
        assertEquals("default", p.name());
        assertEquals("embedded default (io/simproc/machines/default.yaml)", p.source());
        assertEquals("6.18.0-simproc", p.release());
        assertEquals(4, p.nrCpus());
        assertEquals(1, p.nrNodes());
        assertEquals(8L << 30, p.ramBytes() + (645L << 10), "8G less the firmware's 645K below 4G");
        assertEquals(List.of(p.ramBytes()), p.nodeBytes());
        assertEquals(List.of(new MachineProfile.SwapDevice("/dev/vda2", "partition", 2L << 30, -2)), p.swap());
        assertEquals(KernelConfig.ThpMode.MADVISE, p.config().thp());
        assertEquals(1767225600L, p.bootEpoch(), "2026-01-01T00:00:00Z, fixed for reproducible trees");
    }

    static Stream<Path> machineFiles() throws IOException {
        Path dir = Path.of(System.getProperty("user.dir"), "samples", "machines");
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
            assertFalse(files.isEmpty(), "no profiles in " + dir);
            return files.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("machineFiles")
    void everySampleMachineLoads(Path file) {
        MachineProfile p = MachineProfileLoader.load(file);
        assertEquals(file.toString(), p.source());
        assertTrue(p.ramBytes() >= 64L << 20);
    }

    /** The file in samples/machines and the copy embedded in the jar are the same profile. */
    @Test
    void theEmbeddedDefaultIsSamplesMachinesDefaultYaml() {
        MachineProfile embedded = MachineProfileLoader.loadDefault();
        MachineProfile onDisk = MachineProfileLoader.load(Path.of(System.getProperty("user.dir"), "samples",
                "machines", "default.yaml"));
        assertEquals(embedded, new MachineProfile(onDisk.name(), embedded.source(), onDisk.release(),
                onDisk.hostname(), onDisk.cpu(), onDisk.nodeBytes(), onDisk.e820(), onDisk.kernelImage(),
                onDisk.movablecore(), onDisk.crashkernel(), onDisk.cma(), onDisk.config(), onDisk.swap(),
                onDisk.disks(), onDisk.bootEpoch(), embedded.processes(), onDisk.cgroup(), onDisk.zram()));
        assertEquals(embedded.processes().line(), onDisk.processes().line(), "the same processes list");
    }

    /** A profile text and the exact message (file:line:col: problem) loading it must give. */
    record Bad(String what, String yaml, int line, int column, String message) {
        @Override
        public String toString() {
            return what;
        }
    }

    static Stream<Bad> badProfiles() {
        return Stream.of(
                new Bad("invalid YAML", "memory: [1G\n", 2, 1,
                        "test.yaml:2:1: invalid YAML: expected ',' or ']', but got <stream end>"),
                new Bad("invalid YAML without a final newline", "memory: [1G", 1, 12,
                        "test.yaml:1:12: invalid YAML: expected ',' or ']', but got <stream end>"),
                new Bad("unknown key (a typo) points at the key", "name: x\nmemroy: 8G\n", 2, 1,
                        "test.yaml:2:1: unknown key 'memroy' (expected one of: " + TOP_KEYS + ")"),
                new Bad("unknown nested key names its mapping", "cpu:\n  cout: 4\n", 2, 3,
                        "test.yaml:2:3: unknown key 'cout' in cpu (expected one of: count, vendor_id, family, model,"
                                + " model_name, stepping, microcode, mhz, cache_kb, tlb_size, cores_per_socket, flags,"
                                + " bugs, bogomips, address_bits)"),
                new Bad("duplicate key", "memory: 8G\nmemory: 4G\n", 2, 1,
                        "test.yaml:2:1: duplicate key 'memory'"),
                new Bad("duplicate nested key", "cpu:\n  count: 2\n  count: 8\n", 3, 3,
                        "test.yaml:3:3: duplicate key 'count' in cpu"),
                new Bad("bad size unit", "memory: 8X\n", 1, 9,
                        "test.yaml:1:9: memory: '8X' is not a size (use e.g. 4096, 4K, 300M, 2G)"),
                new Bad("negative size", "memory: -1G\n", 1, 9, "test.yaml:1:9: memory: '-1G' is negative"),
                new Bad("memory below the minimum", "memory: 16M\n", 1, 9,
                        "test.yaml:1:9: memory must be between 64M and 4T, got 16M"),
                new Bad("memory above the maximum", "memory: 5T\n", 1, 9,
                        "test.yaml:1:9: memory must be between 64M and 4T, got 5T"),
                new Bad("node sizes that do not add up", "memory: 8G\nnodes: [2G, 2G]\n", 2, 8,
                        "test.yaml:2:8: node sizes add up to 4.0G but the machine has 8.0G of RAM"),
                new Bad("node too small", "memory: 8G\nnodes: [256M, 4G]\n", 2, 9,
                        "test.yaml:2:9: each NUMA node needs at least 512M of RAM"),
                new Bad("node count out of range", "nodes: 0\n", 1, 8, "test.yaml:1:8: nodes: 0 is out of range 1..64"),
                new Bad("swap with a relative path", "swap:\n  - path: swapfile\n    size: 1G\n", 2, 11,
                        "test.yaml:2:11: swap path must be absolute, got 'swapfile'"),
                new Bad("swap too small", "swap:\n  - path: /swapfile\n    size: 4K\n", 3, 11,
                        "test.yaml:3:11: swap area must be at least 40K"),
                new Bad("kernel image sections out of order",
                        "kernel_image:\n  code: {start: 0x1000000, size: 16M}\n  rodata: {start: 0x800000}\n", 2, 3,
                        "test.yaml:2:3: kernel image sections must be in the order code, rodata, data, bss without"
                                + " overlap"),
                new Bad("memory and e820 together", "memory: 8G\ne820: []\n", 1, 9,
                        "test.yaml:1:9: give either 'memory' or an explicit 'e820' map, not both"),
                new Bad("thp mode", "thp: sometimes\n", 1, 6,
                        "test.yaml:1:6: thp: 'sometimes' must be one of: always, madvise, never"),
                new Bad("cgroup version", "cgroup: v3\n", 1, 9,
                        "test.yaml:1:9: cgroup: 'v3' must be one of: v1, v2"),
                new Bad("boot time", "boot_time: yesterday\n", 1, 12,
                        "test.yaml:1:12: boot_time must be seconds since the epoch or an ISO instant like"
                                + " 2026-01-01T00:00:00Z"),
                new Bad("cma syntax", "cma: 64M@\n", 1, 6,
                        "test.yaml:1:6: cma: '64M@' is not SIZE[@BASE[-LIMIT]] (e.g. 64M, 64M@4G, 64M@256M-320M)"),
                new Bad("cma too large", "memory: 1G\ncma: 512M\n", 2, 6,
                        "test.yaml:2:6: cma must be at most a quarter of the RAM"),
                new Bad("cma beyond its limit", "cma: 64M@256M-300M\n", 1, 6,
                        "test.yaml:1:6: cma: the area of 64M at 256M exceeds its limit 300M"),
                new Bad("cma fixed unaligned", "cma: 2M@257M-259M\n", 1, 6,
                        "test.yaml:1:6: cma: a fixed area must be aligned to 2M (a pageblock)"),
                new Bad("empty file", "", 1, 1, "test.yaml:1:1: the file is empty"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badProfiles")
    void mistakesAreReportedWithFileLineColumnAndAnExactMessage(Bad bad) {
        ConfigException e = assertThrows(ConfigException.class, () -> MachineProfileLoader.parse("test.yaml",
                bad.yaml()));
        assertEquals(bad.message(), e.getMessage());
        assertEquals("test.yaml", e.file());
        assertEquals(bad.line(), e.line(), "line");
        assertEquals(bad.column(), e.column(), "column");
    }

    @Test
    void errorsInAFileNameThatFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "name: bad\nmemory: 8X\n");
        ConfigException e = assertThrows(ConfigException.class, () -> MachineProfileLoader.load(f));
        assertEquals(f + ":2:9: memory: '8X' is not a size (use e.g. 4096, 4K, 300M, 2G)", e.getMessage());
    }

    @Test
    void aMissingFileIsAConfigExceptionWithoutPosition(@TempDir Path dir) {
        Path f = dir.resolve("missing.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> MachineProfileLoader.load(f));
        assertEquals(f + ": cannot read machine profile: " + f, e.getMessage());
        assertEquals(0, e.line());
    }

    @Test
    void sizesAcceptTheDocumentedForms() {
        assertEquals(4096, Sizes.parseBytes("4096"));
        assertEquals(4096, Sizes.parseBytes("0x1000"));
        assertEquals(4096, Sizes.parseBytes("4K"));
        assertEquals(4096, Sizes.parseBytes("4KiB"));
        assertEquals(4096, Sizes.parseBytes("4kb"));
        assertEquals(300L << 20, Sizes.parseBytes("300M"));
        assertEquals(3L << 29, Sizes.parseBytes("1.5G"));
        assertEquals(1L << 40, Sizes.parseBytes("1_024G"));
        assertEquals("8G", Sizes.format(8L << 30));
        assertEquals("8387963K", Sizes.format((8L << 30) - (645L << 10)));
        assertEquals("1000", Sizes.format(1000));
    }

    @Test
    void cmaIsTheKernelCommandLinesSizeBaseAndLimit() {
        MachineProfile p = MachineProfileLoader.parse("t", "cma: 3M\n");
        assertEquals(new MachineProfile.CmaArea(4L << 20, 0, 0), p.cma(), "rounded up to a pageblock");
        assertTrue(p.config().cma());
        MachineProfile fixed = MachineProfileLoader.parse("t", "cma: 32M@512M-544M\n");
        assertTrue(fixed.cma().fixed());
        assertEquals("32M@512M-544M", fixed.cma().cmdline());
        MachineProfile based = MachineProfileLoader.parse("t", "cma: 32M@512M\n");
        assertFalse(based.cma().fixed());
        assertFalse(MachineProfileLoader.parse("t", "memory: 1G\n").config().cma());
    }
}
