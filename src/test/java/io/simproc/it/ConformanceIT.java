package io.simproc.it;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mount-scripts/conformance against running machines, as the README tells users to run it: the default machine (three
 * runs in a row while it runs at 10× real time) and the 2-node server (started, as cron or a CI runner may start it,
 * with PATH alone in its environment), and both again in the middle of a pressure
 * scenario (src/test/resources/scenarios/pressure-*.yaml: reclaim swapping, free memory at the watermarks). Every
 * client the script's header lists runs and passes — none skipped, since install-deps installs them all — and no
 * check names a client the header does not list. The suite pauses the machine while it runs and resumes it at the
 * end; a machine paused before stays paused. {@link ConformanceFailuresIT} shows it failing where it must, and
 * resuming the machine when interrupted.
 */
class ConformanceIT {
    private static final Pattern HEADER_CLIENT = Pattern.compile("(?m)^  (\\S.*?)  +\\S");
    private static final Pattern TIME = Pattern.compile("(?m)^time: +([\\d.]+) s since boot, speed \\S+, (\\w+)$");

    static List<String> script(MountedMachine m) {
        return List.of(MountedMachine.basedir().resolve("mount-scripts/conformance").toString(), m.dir().toString());
    }

    static Exec.Result conformance(MountedMachine m) throws Exception {
        return Exec.run(script(m), 300);
    }

    /**
     * The suite started with nothing in its environment but PATH, as cron or a CI runner may start it (no SHELL, LANG,
     * TERM or HOME): no check may depend on what the caller's environment happens to hold.
     */
    private static Exec.Result conformanceInABareEnvironment(MountedMachine m) throws Exception {
        List<String> command = new ArrayList<>(List.of("env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"));
        command.addAll(script(m));
        return Exec.run(command, 300);
    }

    /** The suite's FAIL lines, put first in a failure message so that a truncated log still shows them. */
    private static String failedFirst(Exec.Result r) {
        StringBuilder failed = new StringBuilder();
        for (String line : r.out().split("\n")) {
            if (line.startsWith("FAIL ")) {
                failed.append(line).append('\n');
            }
        }
        return failed + "--- the whole output:\n" + r.out() + r.err();
    }

    /** The clients the script's own header (its --help) says it runs. */
    private static TreeSet<String> headerClients() throws Exception {
        Exec.Result help = Exec.run(List.of(MountedMachine.basedir().resolve("mount-scripts/conformance").toString(),
                "--help"), 30).assertOk("conformance --help");
        TreeSet<String> clients = new TreeSet<>();
        Matcher c = HEADER_CLIENT.matcher(help.out());
        while (c.find()) {
            clients.add(c.group(1));
        }
        assertTrue(clients.containsAll(List.of("swapon --show", "slabtop -o", "vmstat -m")), help.out());
        return clients;
    }

    private static void assertPasses(Exec.Result r) throws Exception {
        assertEquals(0, r.exit(), failedFirst(r));
        assertTrue(r.out().matches("(?s).*\\n\\d{3,} passed, 0 failed\\n"), failedFirst(r));
        assertFalse(r.out().contains("skipped:"), "every client is installed:\n" + r.out());
        boolean zramctlNeedsTheHostsNode = r.out().contains("skipped (host): zramctl");
        TreeSet<String> checked = new TreeSet<>();
        for (String line : r.out().split("\n")) {
            if (line.startsWith("PASS ")) {
                checked.add(line.substring(5, line.indexOf(": ")));
            }
        }
        TreeSet<String> clients = headerClients();
        if (zramctlNeedsTheHostsNode) {
            // zramctl finds a device through /dev/zramN, which simproc-exec does not replace: on a host without
            // that node, or with another zram major, it cannot be pointed at the machine (docs/TESTING.md).
            clients.remove("zramctl");
        }
        assertEquals(clients, checked, "the clients checked are those the header lists:\n" + r.out());
    }

    /** Simulated seconds since boot and "running" or "paused", from {@code ctl status}. */
    static Map.Entry<Double, String> clock(MountedMachine m) throws Exception {
        String status = m.ctl("status").assertOk("ctl status").out();
        Matcher t = TIME.matcher(status);
        assertTrue(t.find(), status);
        return Map.entry(Double.parseDouble(t.group(1)), t.group(2));
    }

    @Test
    void threeRunsInARowOnTheRunningDefaultMachine() throws Exception {
        try (MountedMachine m = MountedMachine.start("--seed", "3", "--speed", "10")) {
            double before = clock(m).getKey();
            for (int run = 0; run < 3; run++) {
                Exec.Result r = conformance(m);
                assertPasses(r);
                assertTrue(r.out().startsWith("conformance: machine paused for the checks\n"), r.out());
                Map.Entry<Double, String> after = clock(m);
                assertEquals("running", after.getValue(), "run " + run + " resumed the machine");
                assertTrue(after.getKey() > before, "the machine moved on: " + before + " s, then " + after.getKey());
                before = after.getKey();
            }
        }
    }

    @Test
    void everyClientAgreesOnTheTwoNodeServer() throws Exception {
        String profile = MountedMachine.basedir().resolve("samples/machines/server-2node-64g.yaml").toString();
        try (MountedMachine m = MountedMachine.start("--machine", profile, "--seed", "3")) {
            Exec.Result r = conformanceInABareEnvironment(m);
            assertPasses(r);
            assertTrue(r.out().contains("node 1 zone Normal"), "both nodes' buddyinfo checked");
            assertEquals("running", clock(m).getValue());
        }
    }

    /**
     * Mount with a pressure scenario, run it until reclaim is swapping, pause it, check that it is swapping and
     * short of memory, and run the suite there: it leaves the machine paused, as it found it.
     */
    private static void assertPassesUnderPressure(MountedMachine m, String advance) throws Exception {
        m.ctl("advance", advance).assertOk("ctl advance " + advance);
        assertEquals("paused", m.ctl("pause").assertOk("ctl pause").out().trim());
        String text = m.read("meminfo");
        Map<String, Long> meminfo = ProcText.meminfo(text);
        assertTrue(meminfo.get("SwapFree") < meminfo.get("SwapTotal"), "swapping when the suite runs:\n" + text);
        assertTrue(meminfo.get("MemFree") < meminfo.get("MemTotal") / 20, "memory is short:\n" + text);
        double at = clock(m).getKey();
        Exec.Result r = conformance(m);
        assertPasses(r);
        assertTrue(r.out().startsWith("conformance: machine paused for the checks (it was already; it stays so)\n"),
                r.out());
        assertEquals(Map.entry(at, "paused"), clock(m), "still paused, not a jiffy later");
        assertEquals(text, m.read("meminfo"));
    }

    @Test
    void everyClientAgreesOnTheDefaultMachineUnderPressure() throws Exception {
        try (MountedMachine m = MountedMachine.start("--seed", "5", "--scenario", scenario("pressure-8g.yaml"))) {
            assertPassesUnderPressure(m, "10s");
        }
    }

    @Test
    void everyClientAgreesOnTheTwoNodeServerUnderPressure() throws Exception {
        String profile = MountedMachine.basedir().resolve("samples/machines/server-2node-64g.yaml").toString();
        try (MountedMachine m = MountedMachine.startSimulating("--machine", profile, "--seed", "5", "--scenario",
                scenario("pressure-2node-64g.yaml"))) {
            assertPassesUnderPressure(m, "10s");
        }
    }

    private static String scenario(String name) {
        return MountedMachine.basedir().resolve("src/test/resources/scenarios/" + name).toString();
    }
}
