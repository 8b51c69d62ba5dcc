package io.simproc.it;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mount-scripts/conformance against the default machine and the 2-node server: every real client's numbers agree
 * with the proc files and with the simulation ("0 failed", exit 0); and against a daemon whose meminfo swaps
 * MemFree and MemAvailable it fails, naming the client and the field; both machines again in the middle of a pressure
 * scenario (src/test/resources/scenarios/pressure-*.yaml: reclaim swapping, free memory at the watermarks). The
 * machines run at a millionth of real speed so that a client's numbers and the files read around it come from the
 * same state.
 */
class ConformanceIT {
    private static Exec.Result conformance(MountedMachine m) throws Exception {
        return Exec.run(List.of(MountedMachine.basedir().resolve("mount-scripts/conformance").toString(),
                m.dir().toString()), 300);
    }

    private static void assertPasses(MountedMachine m) throws Exception {
        Exec.Result r = conformance(m);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().matches("(?s).*\\n\\d{3,} passed, 0 failed\\n"), r.out());
        for (String client : List.of("free:", "vmstat:", "vmstat -s:", "ps aux:", "top -bn1:", "pmap -x:",
                "sysctl -a:", "choom:", "smem:", "node_exporter:", "psutil:")) {
            assertTrue(r.out().contains("PASS " + client), client + " was checked:\n" + r.out());
        }
    }

    @Test
    void everyClientAgreesOnTheDefaultMachine() throws Exception {
        try (MountedMachine m = MountedMachine.start("--seed", "3", "--speed", "0.000001")) {
            assertPasses(m);
        }
    }

    @Test
    void everyClientAgreesOnTheTwoNodeServer() throws Exception {
        String profile = MountedMachine.basedir().resolve("samples/machines/server-2node-64g.yaml").toString();
        try (MountedMachine m = MountedMachine.start("--machine", profile, "--seed", "3", "--speed", "0.000001")) {
            assertPasses(m);
            assertTrue(conformance(m).out().contains("node 1 zone Normal"), "both nodes' buddyinfo checked");
        }
    }

    /**
     * Mount with a pressure scenario, run it until reclaim is swapping (the machine then stands nearly still), check
     * that it is, and run the suite there.
     */
    private static void assertPassesUnderPressure(MountedMachine m, String advance) throws Exception {
        m.ctl("advance", advance).assertOk("ctl advance " + advance);
        String text = m.read("meminfo");
        Map<String, Long> meminfo = ProcText.meminfo(text);
        assertTrue(meminfo.get("SwapFree") < meminfo.get("SwapTotal"), "swapping when the suite runs:\n" + text);
        assertTrue(meminfo.get("MemFree") < meminfo.get("MemTotal") / 20, "memory is short:\n" + text);
        assertPasses(m);
    }

    @Test
    void everyClientAgreesOnTheDefaultMachineUnderPressure() throws Exception {
        try (MountedMachine m = MountedMachine.start("--seed", "5", "--speed", "0.000001", "--scenario",
                scenario("pressure-8g.yaml"))) {
            assertPassesUnderPressure(m, "10s");
        }
    }

    @Test
    void everyClientAgreesOnTheTwoNodeServerUnderPressure() throws Exception {
        String profile = MountedMachine.basedir().resolve("samples/machines/server-2node-64g.yaml").toString();
        try (MountedMachine m = MountedMachine.start("--machine", profile, "--seed", "5", "--speed", "0.000001",
                "--scenario", scenario("pressure-2node-64g.yaml"))) {
            assertPassesUnderPressure(m, "10s");
        }
    }

    private static String scenario(String name) {
        return MountedMachine.basedir().resolve("src/test/resources/scenarios/" + name).toString();
    }

    @Test
    void aSwappedMeminfoFieldFailsNamingTheClientAndTheField() throws Exception {
        try (MountedMachine m = MountedMachine.startMain("io.simproc.it.SwappedFieldMachine", "MemFree",
                "MemAvailable")) {
            Exec.Result r = conformance(m);
            assertEquals(1, r.exit(), r.out());
            for (String line : List.of("FAIL free: free (MemFree)", "FAIL vmstat: free (MemFree)",
                    "FAIL psutil: virtual_memory().free (MemFree)",
                    "FAIL node_exporter: node_memory_MemFree_bytes (MemFree)")) {
                assertTrue(r.out().contains(line), "expected '" + line + "' in:\n" + r.out());
            }
            assertTrue(r.out().matches("(?s).*\\n\\d+ passed, [1-9]\\d* failed\\n"), r.out());
        }
    }
}
