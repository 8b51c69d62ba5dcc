package io.simproc.bench;

import io.simproc.kernel.Clock;
import io.simproc.kernel.Kernel;
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

import java.nio.file.Path;

/**
 * How fast simulated time runs when nothing holds it back (ctl advance, offline runs): the default machine booted
 * with its population, then SECONDS of simulated time idle, or the scenario FILE from its start to its end,
 * measured after a warm-up run of the same length on another machine. Prints one Markdown table row: simulated
 * seconds per wall second, simulated events (timers run: the kernel's and the scenario's) in all and per wall
 * second, and page faults per wall second (a scenario step is one timer that may fault in thousands of pages).
 *
 * <p>{@code java -cp … io.simproc.bench.SimSpeed idle SECONDS} or {@code … SimSpeed FILE}
 */
public final class SimSpeed {
    private SimSpeed() {
    }

    public static void main(String[] args) {
        boolean idle = args[0].equals("idle");
        Scenario s = idle ? null : new ScenarioParser(StepRegistry.standard()).load(Path.of(args[0]));
        long millis = idle ? Long.parseLong(args[1]) * 1000 : s.endMillis();
        measure(s, millis, 2);
        double[] r = measure(s, millis, 1);
        System.out.printf("| default machine, %s | %.0f s | %.2f s | %.0f | %.0f | %.0f | %.0f |%n",
                idle ? "idle" : "running " + args[0], millis / 1000.0, r[0], millis / 1000.0 / r[0], r[1],
                r[1] / r[0], r[2] / r[0]);
    }

    /** Wall seconds and timers run for {@code millis} of simulated time. */
    private static double[] measure(Scenario s, long millis, long seed) {
        Machines.Machine m = Machines.start(MachineProfileLoader.loadDefault(), seed);
        Kernel k = m.kernel();
        ScenarioEngine engine = new ScenarioEngine(k, m.population(),
                new ProcFs(k, ProcTree.create(SysctlTable.create())));
        long start = k.read(kk -> kk.clock().jiffies());
        if (s != null) {
            ScenarioRun run = k.mutate(() -> engine.start(s));
            start = run.startJiffies() - 1;
        }
        long events = k.read(kk -> kk.clock().timersRun());
        long faults = k.read(kk -> kk.mm().event(VmEvent.PGFAULT));
        long t0 = System.nanoTime();
        k.advanceTo(start + 1 + Clock.secondsToJiffies(millis / 1000.0));
        double wall = (System.nanoTime() - t0) / 1e9;
        long ran = k.read(kk -> kk.clock().timersRun()) - events;
        long faulted = k.read(kk -> kk.mm().event(VmEvent.PGFAULT)) - faults;
        if (engine.failed() > 0) {
            throw new IllegalStateException(s.name() + ": " + engine.outcomes());
        }
        return new double[] {wall, ran, faulted};
    }
}
