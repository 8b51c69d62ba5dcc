package io.simproc.sysfs;

import io.simproc.proc.ProcTestSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulated /sys against the real 6.18 samples (src/test/resources/reference-6.18/sys, a 2-CPU, one-node
 * guest below 64 GiB with THP in madvise mode): on a machine of the same shape, every file whose value does not
 * depend on the machine's history is byte for byte the sample's; the others (per-node meminfo, numastat and
 * vmstat, khugepaged's scan count) have the sample's lines in the same order and columns.
 */
class SysfsSamplesTest {
    private static SysFixture f;

    @BeforeAll
    static void boot() {
        f = SysFixture.boot("memory: 1G\ncpu: 2\nthp: madvise\n", 1);
    }

    private static String sample(String path) {
        return ProcTestSupport.sample("sys/" + path);
    }

    @Test
    void filesThatDoNotDependOnHistoryAreTheSamplesByteForByte() {
        List<String> exact = new ArrayList<>(List.of(
                "devices/system/cpu/kernel_max", "devices/system/cpu/online", "devices/system/cpu/possible",
                "devices/system/cpu/present",
                "devices/system/node/has_cpu", "devices/system/node/has_memory",
                "devices/system/node/has_normal_memory", "devices/system/node/online", "devices/system/node/possible",
                "devices/system/node/node0/cpulist", "devices/system/node/node0/cpumap",
                "devices/system/node/node0/distance",
                "devices/system/memory/block_size_bytes",
                "kernel/mm/transparent_hugepage/defrag", "kernel/mm/transparent_hugepage/enabled",
                "kernel/mm/transparent_hugepage/hpage_pmd_size", "kernel/mm/transparent_hugepage/shmem_enabled",
                "kernel/mm/transparent_hugepage/use_zero_page"));
        for (String name : List.of("online", "phys_device", "phys_index", "removable", "state", "valid_zones")) {
            exact.add("devices/system/memory/memory0/" + name);
        }
        for (String name : List.of("alloc_sleep_millisecs", "defrag", "max_ptes_none", "max_ptes_shared",
                "max_ptes_swap", "pages_collapsed", "pages_to_scan", "scan_sleep_millisecs")) {
            exact.add("kernel/mm/transparent_hugepage/khugepaged/" + name);
        }
        for (String name : f.list("/kernel/mm/hugepages/hugepages-2048kB")) {
            exact.add("kernel/mm/hugepages/hugepages-2048kB/" + name);
        }
        for (String name : f.list("/kernel/mm/ksm")) {
            exact.add("kernel/mm/ksm/" + name);
        }
        for (String path : exact) {
            assertEquals(sample(path), f.sys("/" + path), path);
        }
    }

    @Test
    void theKsmDirectoryHasTheSamplesFiles() {
        List<String> ours = new ArrayList<>(f.list("/kernel/mm/ksm"));
        assertEquals(24, ours.size(), "ksm_attrs of 6.18: " + ours);
        for (String name : ours) {
            sample("kernel/mm/ksm/" + name);
        }
    }

    @Test
    void nodeMeminfoHasTheSamplesLabelsInOrderAndColumns() {
        List<String> expected = sample("devices/system/node/node0/meminfo").lines().map(SysfsSamplesTest::shape)
                .toList();
        List<String> actual = f.sys("/devices/system/node/node0/meminfo").lines().map(SysfsSamplesTest::shape)
                .toList();
        assertEquals(expected, actual);
        assertTrue(f.sys("/devices/system/node/node0/meminfo").endsWith("\n"));
    }

    /** A line with its right-aligned number replaced by as many '#' as the field is wide. */
    private static String shape(String line) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(Node 0 \\S+:?)( *[0-9]+)( kB)?$").matcher(line);
        assertTrue(m.matches(), "a node meminfo line: " + line);
        return m.group(1) + "#".repeat(Math.max(m.group(2).length(), 1)) + (m.group(3) == null ? "" : m.group(3));
    }

    @Test
    void numastatAndVmstatHaveTheSamplesNamesInOrder() {
        for (String file : List.of("numastat", "vmstat")) {
            String path = "devices/system/node/node0/" + file;
            List<String> expected = SysFixture.pairs(sample(path)).keySet().stream().toList();
            List<String> actual = SysFixture.pairs(f.sys("/" + path)).keySet().stream().toList();
            assertEquals(expected, actual, path);
        }
    }

    @Test
    void khugepagedsScanCountIsOneNumber() {
        assertTrue(sample("kernel/mm/transparent_hugepage/khugepaged/full_scans").matches("[0-9]+\n"));
        assertEquals("0\n", f.sys("/kernel/mm/transparent_hugepage/khugepaged/full_scans"),
                "no address space registered with khugepaged on this machine: it never scanned");
    }

    @Test
    void everySampleFileExistsInTheTree() {
        List<String> samples = List.of("devices/system/cpu", "devices/system/memory", "devices/system/memory/memory0",
                "devices/system/node", "devices/system/node/node0", "kernel/mm/transparent_hugepage",
                "kernel/mm/transparent_hugepage/khugepaged", "kernel/mm/ksm");
        for (String dir : samples) {
            try (var files = java.nio.file.Files.list(java.nio.file.Path.of(
                    SysfsSamplesTest.class.getResource("/reference-6.18/sys/" + dir).toURI()))) {
                for (java.nio.file.Path p : files.toList()) {
                    String name = p.getFileName().toString();
                    assertTrue(f.list("/" + dir).contains(name), "/sys/" + dir + "/" + name + " is served");
                }
            } catch (java.io.IOException | java.net.URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
