package io.simproc.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line's contract: exit 0 on success, 2 on usage errors, 1 on runtime errors with one clear line. */
class CliTest {
    @RegisterExtension
    final StdStreams std = new StdStreams();

    private String out() {
        return std.out();
    }

    private String err() {
        return std.err();
    }

    @Test
    void renderPrintsOneFile() {
        assertEquals(0, Main.run("render", "/proc/buddyinfo", "--seed", "4"));
        assertTrue(out().startsWith("Node 0, zone      DMA "), out());
        assertEquals("", err());
    }

    @Test
    void renderIsDeterministicForASeed() {
        Main.run("render", "zoneinfo", "--seed", "9");
        String first = out();
        std.reset();
        Main.run("render", "zoneinfo", "--seed", "9");
        assertEquals(first, out());
    }

    @Test
    void missingFileIsARuntimeErrorOnOneLine() {
        assertEquals(1, Main.run("render", "nope"));
        assertEquals("simproc: /proc/nope: No such file or directory\n", err());
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertEquals(2, Main.run("render", "meminfo", "--no-such-option"));
        assertTrue(err().contains("Unknown option: '--no-such-option'"), err());
        assertEquals(2, Main.run("frobnicate"));
    }

    @Test
    void badProfileNamesFileLineAndColumn(@TempDir Path tmp) throws Exception {
        Path profile = tmp.resolve("bad.yaml");
        Files.writeString(profile, "name: x\nmemroy: 8G\n");
        assertEquals(1, Main.run("render", "meminfo", "--machine", profile.toString()));
        assertEquals("simproc: " + profile + ":2:1: unknown key 'memroy' (expected one of: name, description,"
                + " release, hostname, boot_time, cpu, memory, nodes, movablecore, crashkernel, cma, thp,"
                + " kernel_image, e820, swap, disks, processes, cgroup, zram)\n", err());
    }

    @Test
    void aMachineTooLargeForTheHeapIsRefusedBeforeBootNamingTheHeapNeeded(@TempDir Path tmp) throws Exception {
        long pages = 2 * Runtime.getRuntime().maxMemory() / io.simproc.mm.MemMap.BYTES_PER_PAGE;
        long gib = (pages * 4096 >> 30) + 1;
        Path profile = tmp.resolve("huge.yaml");
        Files.writeString(profile, "name: huge\nmemory: " + gib + "G\n");
        long needed = io.simproc.kernel.Boot.heapNeeded(io.simproc.kernel.MachineProfileLoader.load(profile));
        assertTrue(needed > Runtime.getRuntime().maxMemory());
        assertEquals(1, Main.run("render", "meminfo", "--machine", profile.toString()));
        assertTrue(err().contains("needs about " + (needed >> 20) + " MiB of Java heap"), err());
        assertTrue(err().contains("SIMPROC_JAVA_OPTS=-Xmx"), err());
        assertTrue(!err().contains("booted in"), "refused before booting: " + err());
    }

    @Test
    void debugAddsTheStackTrace() {
        assertEquals(1, Main.run("--debug", "render", "--machine", "/nonexistent.yaml", "meminfo"));
        assertTrue(err().contains("\tat io.simproc."), err());
        assertTrue(err().trim().endsWith("cannot read machine profile: /nonexistent.yaml"), err());
    }

    @Test
    void runWritesAWholeTreeAndRefusesToOverwrite(@TempDir Path tmp) throws Exception {
        assertEquals(0, Main.run("run", "--out", tmp.toString(), "--quiet"));
        Path proc = tmp.resolve("proc");
        assertTrue(Files.readString(proc.resolve("meminfo")).startsWith("MemTotal:"));
        assertTrue(Files.readString(proc.resolve("sys/vm/lowmem_reserve_ratio")).startsWith("256\t256\t32"));
        assertEquals("r--------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(proc.resolve("pagetypeinfo"))));
        Path sys = tmp.resolve("sys");
        assertEquals("0\n", Files.readString(sys.resolve("devices/system/node/online")));
        assertEquals("../../node/node0", Files.readSymbolicLink(sys.resolve("devices/system/cpu/cpu0/node0"))
                .toString());
        assertEquals("-w-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(sys.resolve("devices/system/node/node0/compact"))));
        assertEquals(1, Main.run("run", "--out", tmp.toString(), "--quiet"));
        assertTrue(err().contains("already exists; remove it or pass --force"), err());
        assertEquals(0, Main.run("run", "--out", tmp.toString(), "--quiet", "--force"));
    }

    @Test
    void renderPrintsASysFileWithSys() {
        assertEquals(0, Main.run("render", "--sys", "kernel/mm/transparent_hugepage/enabled"));
        assertEquals("always [madvise] never\n", out());
        assertEquals(1, Main.run("render", "--sys", "devices/system/node/node0/compact"));
        assertTrue(err().contains("devices/system/node/node0/compact: Permission denied"), err());
    }

    @Test
    void mountsSysBesideDirUnlessToldOtherwise(@TempDir Path tmp) {
        assertEquals(tmp.resolve("mnt-sys"), MountCommand.defaultSysDir(tmp.resolve("mnt")));
        assertEquals(tmp.resolve("mnt-sys"), MountCommand.defaultSysDir(tmp.resolve("mnt/.")));
        assertEquals(1, Main.run("mount", tmp.toString(), "--sys", tmp.toString()));
        assertTrue(err().contains("--sys must name another directory"), err());
    }

    @Test
    void mountNeedsADirectory(@TempDir Path tmp) {
        assertEquals(1, Main.run("mount", tmp.resolve("missing").toString()));
        assertTrue(err().contains("is not a directory"), err());
        assertEquals(1, Main.run("mount", tmp.toString(), "--speed", "0"));
        assertTrue(err().contains("--speed must be between"), err());
    }

    @Test
    void helpAndVersionSucceed() {
        assertEquals(0, Main.run("--help"));
        assertTrue(out().contains("mount"), out());
        assertEquals(0, Main.run("--version"));
        assertTrue(out().contains("simproc"), out());
    }
}
