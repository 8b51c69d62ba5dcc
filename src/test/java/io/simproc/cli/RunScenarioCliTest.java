package io.simproc.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code simproc run SCENARIO}: trees at the --at times, results on stdout, exit 0 only when all held. */
class RunScenarioCliTest {
    private static final String SCENARIO = """
            machine:
              memory: 512M
              cpu: 1
              processes:
                - program: systemd
                  args: [/sbin/init]
            timeline:
              - at: 1s
                spawn: {name: app, program: cat}
              - malloc: {process: app, size: 4M, write: true}
              - at: 2s
                expect: PID(process=app).status.VmRSS > %s
            """;

    @RegisterExtension
    final StdStreams std = new StdStreams();

    @Test
    void writesATreeAtEachTimeAndPassesWhenExpectationsHold(@TempDir Path tmp) throws Exception {
        Path s = tmp.resolve("s.yaml");
        Files.writeString(s, SCENARIO.formatted("4M"));
        assertEquals(0, Main.run("run", s.toString(), "--out", tmp.resolve("o").toString(), "--at", "500ms,2s", "-q"),
                std.err());
        String results = std.out();
        assertTrue(results.startsWith("PASS  at 2s     " + s + ":12:13  PID(process=app).status.VmRSS > 4M  ("),
                results);
        assertTrue(Files.isRegularFile(tmp.resolve("o/500ms/proc/meminfo")));
        String comm = Files.readString(tmp.resolve("o/2s/proc/loadavg"));
        assertFalse(comm.isEmpty());
        assertTrue(std.err().endsWith("s: 1 passed, 0 failed\n"));
    }

    @Test
    void failsWhenAnExpectationDoesNot(@TempDir Path tmp) throws Exception {
        Path s = tmp.resolve("s.yaml");
        Files.writeString(s, SCENARIO.formatted("1G"));
        assertEquals(1, Main.run("run", s.toString(), "--out", tmp.toString(), "-q"));
        assertTrue(std.out().startsWith("FAIL  at 2s"), std.out());
        assertTrue(Files.isRegularFile(tmp.resolve("proc/meminfo")), "the tree is written anyway");
    }

    @Test
    void aBadScenarioRunsNothing(@TempDir Path tmp) throws Exception {
        Path s = tmp.resolve("s.yaml");
        Files.writeString(s, SCENARIO.formatted("4M").replace("at: 2s", "at: 0s"));
        assertEquals(1, Main.run("run", s.toString(), "--out", tmp.toString()));
        assertEquals("simproc: " + s + ":11:9: time goes backwards: at 0s comes after an entry at 1s (line 8); list"
                + " entries in time order\n", std.err());
        assertFalse(Files.exists(tmp.resolve("proc")));
    }

    @Test
    void atNeedsAScenario(@TempDir Path tmp) {
        assertEquals(1, Main.run("run", "--out", tmp.toString(), "--at", "1s"));
        assertEquals("simproc: --at needs a SCENARIO to run\n", std.err());
    }
}
