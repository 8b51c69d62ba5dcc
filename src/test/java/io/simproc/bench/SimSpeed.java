package io.simproc.bench;

import io.simproc.kernel.Clock;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfile;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.mm.VmEvent;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTree;
import io.simproc.scenario.Scenario;
import io.simproc.scenario.ScenarioEngine;
import io.simproc.scenario.ScenarioParser;
import io.simproc.scenario.ScenarioRun;
import io.simproc.scenario.StepRegistry;
import io.simproc.sysctl.SysctlTable;
import io.simproc.workload.Machines;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * How fast simulated time runs when nothing holds it back (ctl advance, offline runs): the default machine booted
 * with its population (or the machine the scenario names), then SECONDS of simulated time idle, or the scenario
 * FILE from its start to its end, measured after a warm-up run of the same length on a machine of another seed.
 * {@code --memory SIZE} runs it on the default machine with SIZE of RAM instead (8G: the default machine itself),
 * even when the scenario names another machine; expectations written for that machine may then not hold, and the
 * row says how many did not. Prints one Markdown table row: simulated seconds per wall second, simulated events
 * (timers run: the kernel's and the scenario's) in all and per wall second, page faults per wall second (a scenario
 * step is one timer that may fault in thousands of pages), and the pages reclaim scanned and reclaimed (kswapd and
 * direct) per wall second. {@code --cpu} times the run by the CPU time of the thread that runs it instead of the wall
 * clock ("wall" then reads CPU seconds): on a machine shared with other work, time spent descheduled does not count,
 * so two builds measured one after the other compare by the work they do.
 *
 * <p>{@code java -cp … io.simproc.bench.SimSpeed [--cpu] [--memory SIZE] idle SECONDS} or
 * {@code … SimSpeed [--cpu] [--memory SIZE] FILE}
 */
public final class SimSpeed {
    /** Time runs by the running thread's CPU time rather than the wall clock. */
    private static boolean cpuTime;

    private SimSpeed() {
    }

    private static long nowNs() {
        return cpuTime ? ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() : System.nanoTime();
    }

    public static void main(String[] args) throws IOException {
        int a = 0;
        String memory = null;
        if (args[a].equals("--cpu")) {
            cpuTime = true;
            a++;
        }
        if (args[a].equals("--memory")) {
            memory = args[a + 1];
            a += 2;
        }
        boolean idle = args[a].equals("idle");
        Scenario s = idle ? null : new ScenarioParser(StepRegistry.standard()).load(Path.of(args[a]));
        long millis = idle ? Long.parseLong(args[a + 1]) * 1000 : s.endMillis();
        MachineProfile profile = profile(s, memory);
        boolean ownMachine = memory == null;
        measure(profile, s, millis, 2, ownMachine);
        double[] r = measure(profile, s, millis, 1, ownMachine);
        String machine = memory != null ? "default machine with " + memory
                : s != null && s.machine() != null ? "machine " + profile.name() : "default machine";
        String unmet = r[5] > 0 ? String.format(" (%.0f expectations for its own machine not met here)", r[5]) : "";
        System.out.printf("| %s, %s%s | %.0f s | %.2f s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |%n", machine,
                idle ? "idle" : "running " + args[a], unmet, millis / 1000.0, r[0], millis / 1000.0 / r[0], r[1],
                r[1] / r[0], r[2] / r[0], r[3] / r[0], r[4] / r[0]);
    }

    /** The scenario's own machine (or the default one), or the default one with {@code memory} of RAM when given. */
    private static MachineProfile profile(Scenario s, String memory) throws IOException {
        if (memory == null) {
            return s != null && s.machine() != null ? s.machine() : MachineProfileLoader.loadDefault();
        }
        String text;
        try (InputStream in = MachineProfileLoader.class.getResourceAsStream(MachineProfileLoader.DEFAULT_RESOURCE)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        return MachineProfileLoader.parse("default with " + memory,
                text.replaceFirst("(?m)^memory: .*$", "memory: " + memory));
    }

    /**
     * Wall seconds, timers run, page faults, pages scanned, pages reclaimed and failed expectations for
     * {@code millis} of simulated time. On the scenario's own machine a failed expectation is an error.
     */
    private static double[] measure(MachineProfile profile, Scenario s, long millis, long seed, boolean ownMachine) {
        Machines.Machine m = Machines.start(profile, seed);
        Kernel k = m.kernel();
        ScenarioEngine engine = new ScenarioEngine(k, m.population(),
                new ProcFs(k, ProcTree.create(SysctlTable.create())));
        long start = k.read(kk -> kk.clock().jiffies());
        if (s != null) {
            ScenarioRun run = k.mutate(() -> engine.start(s));
            start = run.startJiffies() - 1;
        }
        long[] before = counters(k);
        long t0 = nowNs();
        k.advanceTo(start + 1 + Clock.secondsToJiffies(millis / 1000.0));
        double wall = (nowNs() - t0) / 1e9;
        long[] after = counters(k);
        if (ownMachine && engine.failed() > 0) {
            throw new IllegalStateException(s.name() + ": " + engine.outcomes());
        }
        return new double[] {wall, after[0] - before[0], after[1] - before[1], after[2] - before[2],
            after[3] - before[3], engine.failed()};
    }

    /** Timers run, page faults, pages scanned and pages reclaimed since boot. */
    private static long[] counters(Kernel k) {
        return k.read(kk -> new long[] {kk.clock().timersRun(), kk.mm().vmstat().event(VmEvent.PGFAULT),
            kk.mm().vmstat().event(VmEvent.PGSCAN_KSWAPD) + kk.mm().vmstat().event(VmEvent.PGSCAN_DIRECT),
            kk.mm().vmstat().event(VmEvent.PGSTEAL_KSWAPD) + kk.mm().vmstat().event(VmEvent.PGSTEAL_DIRECT)});
    }
}
