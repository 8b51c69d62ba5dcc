package io.simproc.workload;

import io.simproc.config.ConfigException;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.mm.MmDebug;
import io.simproc.mm.NodeStatItem;
import org.junit.jupiter.api.Test;

import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The default machine runs a believable population, and process lists are checked before boot. */
class PopulationTest {
    @Test
    void theDefaultMachineRunsAServersProcesses() {
        Kernel k = Machines.boot(MachineProfileLoader.loadDefault(), 1);
        k.read(kk -> {
            assertTrue(kk.tasks().size() >= 100 && kk.tasks().size() <= 150, "tasks: " + kk.tasks().size());
            Task init = kk.tasks().get(1);
            assertEquals("systemd", init.comm());
            assertTrue(init.mm() != null && !init.isKthread());
            var comms = kk.tasks().all().stream().filter(Task::isLeader).map(Task::comm)
                    .collect(Collectors.groupingBy(c -> c, Collectors.counting()));
            assertEquals(5, comms.get("nginx"), "master and 4 workers");
            assertTrue(comms.get("postgres") >= 10, "postmaster, 5 helpers, 4 backends");
            assertEquals("systemd-journal", kk.tasks().all().stream().filter(t -> t.comm().startsWith("systemd-j"))
                    .findFirst().orElseThrow().comm(), "comm is 15 characters");
            Task java = kk.tasks().all().stream().filter(t -> t.comm().equals("java")).findFirst().orElseThrow();
            assertEquals(38, java.threads().size());
            assertTrue(java.mm().rssPages() > (600L << 20 >> 12), "the JVM uses most of its 700 MiB");
            assertTrue(kk.mm().vmstat().globalNodeState(NodeStatItem.NR_SHMEM) > 0, "postgres shared buffers");
            assertTrue(MmDebug.violations(kk.mm()).isEmpty(), MmDebug.violations(kk.mm()).toString());
            return null;
        });
    }

    @Test
    void aProcessListWithAnUnknownProgramIsRefusedBeforeBoot() {
        var p = MachineProfileLoader.parse("m.yaml", "memory: 1G\nprocesses:\n  - program: systemd\n"
                + "  - program: emacs\n");
        ConfigException e = assertThrows(ConfigException.class, () -> Machines.boot(p, 1));
        assertEquals("m.yaml:4:14: unknown program 'emacs' (not in the program catalog)", e.getMessage());
    }

    @Test
    void forkOnlyMakesSenseForChildren() {
        var p = MachineProfileLoader.parse("m.yaml", "memory: 1G\nprocesses:\n  - fork: true\n");
        ConfigException e = assertThrows(ConfigException.class, () -> Machines.boot(p, 1));
        assertEquals("m.yaml:3:11: fork: true needs a parent: use it in a 'children' list", e.getMessage());
    }

    @Test
    void sameSeedSameProcesses() {
        var p = MachineProfileLoader.loadDefault();
        String a = Machines.boot(p, 5).read(k -> summary(k));
        String b = Machines.boot(p, 5).read(k -> summary(k));
        assertEquals(a, b);
    }

    @Test
    void aProcessTheOomKillerTakesWhileItStartsIsLeftDeadAndTheBootGoesOn() {
        var p = MachineProfileLoader.parse("m.yaml", "memory: 512M\ncpu: {count: 2}\n");
        Kernel k = Machines.boot(p, 1);
        java.util.List<String> log = k.read(kk -> kk.log().records().stream()
                .map(io.simproc.kernel.Printk.Record::text).toList());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("Out of memory: Killed process ")), "the default "
                + "population does not fit in 512M: " + String.join("\n", log));
        assertTrue(log.stream().anyMatch(l -> l.startsWith("population: ") && l.endsWith(" was killed while it started")),
                String.join("\n", log));
        k.read(kk -> {
            MmDebug.check(kk.mm());
            return null;
        });
    }

    private static String summary(Kernel k) {
        StringBuilder sb = new StringBuilder();
        for (Task t : k.tasks().all()) {
            sb.append(t.pid()).append(' ').append(t.comm()).append(' ')
                    .append(t.mm() == null ? 0 : t.mm().rssPages()).append(' ')
                    .append(t.mm() == null ? 0 : t.mm().startBrk()).append('\n');
        }
        return sb.toString();
    }
}
