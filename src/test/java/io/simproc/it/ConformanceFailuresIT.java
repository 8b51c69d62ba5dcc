package io.simproc.it;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.simproc.it.ConformanceIT.clock;
import static io.simproc.it.ConformanceIT.conformance;
import static io.simproc.it.ConformanceIT.script;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mount-scripts/conformance where it must not pass ({@link ConformanceIT} has it passing): against a daemon whose
 * meminfo swaps MemFree and MemAvailable it fails, naming the client and the field, and so for a node's meminfo;
 * against one that lacks a file a client looks up, the host-leak check (every client under strace inside
 * simproc-exec) fails naming the client and the path. Interrupted (SIGINT, SIGTERM), it stops and resumes the
 * machine.
 */
class ConformanceFailuresIT {
    /**
     * Interrupted once its first checks have passed (Ctrl-C's SIGINT, then SIGTERM), the suite stops with 128 + the
     * signal and the machine runs again.
     */
    @Test
    void anInterruptedRunResumesTheMachine() throws Exception {
        try (MountedMachine m = MountedMachine.start("--seed", "3")) {
            for (String signal : List.of("INT", "TERM")) {
                Process p = new ProcessBuilder(script(m)).redirectErrorStream(true).start();
                List<String> lines = new ArrayList<>();
                try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) {
                        lines.add(line);
                        if (line.startsWith("PASS ")) {
                            assertEquals("paused", clock(m).getValue(), "paused while it runs");
                            Exec.run(List.of("kill", "-" + signal, Long.toString(p.pid())), 10).assertOk("kill");
                            break;
                        }
                    }
                    out.transferTo(java.io.Writer.nullWriter());
                }
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the suite stops");
                assertEquals(signal.equals("INT") ? 130 : 128 + 15, p.exitValue(), String.join("\n", lines));
                assertEquals("running", clock(m).getValue(), "SIG" + signal + ": the machine runs again");
            }
        }
    }

    /**
     * The host-leak check sees a file the machine does not serve: against a machine without {@code /proc/swaps},
     * swapon's lookup of it fails inside simproc-exec and the check names swapon and the path, while clients that
     * never look for it keep passing theirs.
     */
    @Test
    void aFileTheMachineDoesNotServeFailsTheHostLeakCheckNamingThePath() throws Exception {
        try (MountedMachine m = MountedMachine.startMain("io.simproc.it.BrokenMachine", "without", "swaps")) {
            Exec.Result r = conformance(m);
            assertEquals(1, r.exit(), r.out());
            assertTrue(r.out().matches("(?s).*\\nFAIL swapon --show: opens only /proc and /sys paths the machine "
                    + "serves \\(unserved: [^\\n]*/proc/swaps[,)].*"), r.out());
            assertTrue(r.out().contains("\nPASS vmstat -m: opens only /proc and /sys paths the machine serves\n"),
                    r.out());
        }
    }

    /** Node 0's meminfo with MemFree and MemUsed swapped: the per-node sum no longer meets meminfo, named so. */
    @Test
    void aSwappedNodeMeminfoFieldFailsNamingTheNodeFile() throws Exception {
        try (MountedMachine m = MountedMachine.startMain("io.simproc.it.BrokenMachine", "swap", "MemFree", "MemUsed",
                "--node", "0")) {
            Exec.Result r = conformance(m);
            assertEquals(1, r.exit(), r.out());
            assertTrue(r.out().contains("\nFAIL numastat -m: MemFree summed over node0/meminfo, in kB = "), r.out());
            assertTrue(r.out().contains("\nPASS free: free (MemFree)"), "meminfo itself is right:\n" + r.out());
        }
    }

    @Test
    void aSwappedMeminfoFieldFailsNamingTheClientAndTheField() throws Exception {
        try (MountedMachine m = MountedMachine.startMain("io.simproc.it.BrokenMachine", "swap", "MemFree",
                "MemAvailable")) {
            Exec.Result r = conformance(m);
            assertEquals(1, r.exit(), r.out());
            for (String line : List.of("FAIL free: free (MemFree)", "FAIL vmstat: free (MemFree)",
                    "FAIL psutil: virtual_memory().free (MemFree)",
                    "FAIL node_exporter: node_memory_MemFree_bytes (MemFree)")) {
                assertTrue(r.out().contains(line), "expected '" + line + "' in:\n" + r.out());
            }
            assertTrue(r.out().matches("(?s).*\\n\\d+ passed, [1-9]\\d* failed\\n"), r.out());
            assertEquals("running", clock(m).getValue());
        }
    }
}
