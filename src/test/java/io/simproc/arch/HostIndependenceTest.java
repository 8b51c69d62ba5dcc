package io.simproc.arch;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * No test takes the machine running it for an expected value (the suite passes on 1 or 64 CPUs, with or without
 * swap, on Intel or AMD): {@link HostDependenceScan} over every source under src/test/java finds nothing outside its
 * short allowlist, and the scan does find each kind of host dependence in a line made for it.
 */
class HostIndependenceTest {
    private static final Path TESTS = Path.of(System.getProperty("user.dir"), "src", "test", "java");

    private static List<HostDependenceScan.Finding> scanTestSources() throws IOException {
        List<HostDependenceScan.Finding> all = new ArrayList<>();
        try (Stream<Path> files = Files.walk(TESTS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String name = TESTS.relativize(f).toString().replace('\\', '/');
                all.addAll(HostDependenceScan.scan(name, Files.readAllLines(f, StandardCharsets.UTF_8)));
            }
        }
        return all;
    }

    @Test
    void noTestReadsTheHostForAnExpectedValue() throws IOException {
        List<HostDependenceScan.Finding> bad = HostDependenceScan.unallowed(scanTestSources());
        if (!bad.isEmpty()) {
            fail("tests that depend on the host running them (compare with a file under src/test/resources or with"
                    + " another view of the simulation instead):\n  "
                    + String.join("\n  ", bad.stream().map(Object::toString).toList()));
        }
    }

    @Test
    void everyAllowedUseIsStillThere() throws IOException {
        List<HostDependenceScan.Finding> all = scanTestSources();
        for (HostDependenceScan.Allowed a : HostDependenceScan.ALLOWED) {
            assertTrue(all.stream().anyMatch(a::covers), "stale allowlist entry, remove it: " + a);
        }
    }

    private static String ruleOf(String line) {
        List<HostDependenceScan.Finding> f = HostDependenceScan.scan("Fake.java", List.of(line));
        return f.isEmpty() ? null : f.get(0).rule();
    }

    @Test
    void theScanFindsEachKindOfHostDependence() {
        assertEquals(HostDependenceScan.OPENS_HOST_PATH,
                ruleOf("        String host = Files.readString(Path.of(\"/proc/cpuinfo\"));"));
        assertEquals(HostDependenceScan.OPENS_HOST_PATH, ruleOf("    File f = new File(\"/sys\", \"devices\");"));
        assertEquals(HostDependenceScan.OPENS_HOST_PATH, ruleOf("    Path s = Paths.get(\"/proc\", pid, \"status\");"));
        assertEquals(HostDependenceScan.NAMES_HOST_PROC, ruleOf("    static final String HOST = \"/proc/meminfo\";"));
        assertEquals(HostDependenceScan.NAMES_HOST_PROC, ruleOf("    Exec.run(List.of(\"cat\", \"/proc/swaps\"), 5);"));
        assertEquals(HostDependenceScan.NAMES_HOST_SYSFS,
                ruleOf("    read(\"/sys/devices/system/cpu/online\");"));
        assertEquals(HostDependenceScan.NAMES_HOST_SYSFS,
                ruleOf("    String thp = \"/sys/kernel/mm/transparent_hugepage/enabled\";"));
        assertEquals(HostDependenceScan.READS_HOST_SIZE,
                ruleOf("    assertEquals(Runtime.getRuntime().availableProcessors(), cpus);"));
        assertEquals(HostDependenceScan.RUNS_HOST_REPORT, ruleOf("    Exec.run(List.of(\"nproc\"), 5);"));
        assertEquals(HostDependenceScan.RUNS_HOST_REPORT, ruleOf("    Exec.bash(\"getconf _NPROCESSORS_ONLN\", 5);"));
    }

    @Test
    void aTextBlockIsScannedLineByLine() {
        List<HostDependenceScan.Finding> f = HostDependenceScan.scan("Fake.java", List.of(
                "    String script = \"\"\"",
                "            grep MemTotal /proc/meminfo",
                "            \"\"\";"));
        assertEquals(1, f.size(), f.toString());
        assertEquals(2, f.get(0).line());
        assertEquals("Fake.java:2: " + HostDependenceScan.NAMES_HOST_PROC + ": grep MemTotal /proc/meminfo",
                f.get(0).toString());
    }

    /** The simulation's own paths, comments and messages that merely mention /proc are not host reads. */
    @Test
    void theSimulationsPathsAndCommentsAreNotFindings() {
        assertEquals(List.of(), HostDependenceScan.scan("Fake.java", List.of(
                "    assertEquals(\"100\\n\", read(fs, \"/sys/vm/vfs_cache_pressure\"));",
                "    ProcEntry e = fs.lookup(\"/sys/kernel/pid_max\", Credentials.ROOT);",
                "    String meminfo = machine.read(\"meminfo\");",
                "    // cat /proc/meminfo on the host: Path.of(\"/proc/meminfo\")",
                "    /** Like /proc/cpuinfo. */ int x = 1;",
                "    /* Path.of(\"/sys/devices\")",
                "       still a comment */ int y = 2;",
                "    assertEquals(\"simproc: /proc/nope: No such file or directory\\n\", err());",
                "    String url = \"http://127.0.0.1/metrics\"; // \"/proc/x\"",
                "    char q = '\"'; String s = \"a\";")));
    }

    @Test
    void anAllowedUseIsAllowedOnlyInItsFile() {
        String line = "        for (String line : Files.readAllLines(Path.of(\"/proc/self/mounts\"))) {";
        List<HostDependenceScan.Finding> there = HostDependenceScan.scan("io/simproc/it/MountedMachine.java",
                List.of(line));
        assertEquals(1, there.size());
        assertEquals(List.of(), HostDependenceScan.unallowed(there));
        List<HostDependenceScan.Finding> elsewhere = HostDependenceScan.scan("io/simproc/proc/SomeTest.java",
                List.of(line));
        assertEquals(elsewhere, HostDependenceScan.unallowed(elsewhere));
        assertEquals(1, elsewhere.size());
    }
}
