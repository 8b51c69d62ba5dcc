package io.simproc.cli;

import io.simproc.control.ControlRequests;
import io.simproc.control.ControlServer;
import io.simproc.control.Daemon;
import io.simproc.fuse.ProcFuse;
import io.simproc.kernel.MachineProfile;
import io.simproc.scenario.Scenario;
import io.simproc.scenario.ScenarioEngine;
import io.simproc.scenario.ScenarioParser;
import io.simproc.scenario.StepRegistry;
import io.simproc.workload.Machines;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.Simulation;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTree;
import io.simproc.sysctl.SysctlTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import ru.serce.jnrfuse.FuseException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code simproc mount DIR}: boot a machine and serve its /proc at DIR in the foreground until SIGINT or SIGTERM,
 * which unmount cleanly. A stale mount left at DIR by a killed daemon is recovered first.
 */
@Command(name = "mount", mixinStandardHelpOptions = true,
        description = {"Boot a simulated machine and serve its /proc at DIR (foreground).",
            "Stop with Ctrl-C or SIGTERM (both unmount), or mount-scripts/simproc-down DIR."})
final class MountCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "Empty directory to mount on.")
    Path dir;

    @Mixin
    MachineOptions machine;

    @Option(names = "--speed", paramLabel = "X", defaultValue = "1",
            description = "Simulated seconds per wall-clock second (default: ${DEFAULT-VALUE}).")
    double speed;

    @Option(names = {"-o", "--fuse-option"}, paramLabel = "OPT",
            description = "Extra FUSE mount option (repeatable), e.g. -o debug.")
    List<String> fuseOptions = new ArrayList<>();

    @Option(names = {"-q", "--quiet"}, description = "Print only errors.")
    boolean quiet;

    @Option(names = "--scenario", paramLabel = "FILE",
            description = "A scenario to start at mount time (docs/SCENARIOS.md); its machine, if it names one.")
    Path scenarioFile;

    @Override
    public Integer call() {
        Console console = new Console(System.err, quiet);
        if (!(speed > 0) || speed > 1_000_000) {
            throw new UserError("--speed must be between 0 (exclusive) and 1000000, got " + speed);
        }
        switch (StaleMount.state(dir)) {
            case LIVE -> throw new UserError(dir + " is already a mounted filesystem; unmount it first"
                    + " (mount-scripts/simproc-down " + dir + ")");
            case STALE -> {
                console.progress("recovering a stale mount left at " + dir + " by a daemon that died");
                StaleMount.lazyUnmount(dir);
            }
            case NOT_MOUNTED -> {
            }
        }
        if (!Files.isDirectory(dir)) {
            throw new UserError(dir + " is not a directory (create it first, or use mount-scripts/simproc-up)");
        }
        Scenario scenario = scenarioFile == null ? null
                : new ScenarioParser(StepRegistry.standard()).load(scenarioFile);
        MachineProfile profile = machine.profile();
        if (scenario != null && scenario.machine() != null) {
            if (machine.given()) {
                throw new UserError(scenarioFile + " names its machine; drop --machine (or the scenario's 'machine'"
                        + " key)");
            }
            profile = scenario.machine();
        }
        Machines.Machine booted = machine.start(console, profile);
        Kernel kernel = booted.kernel();
        long uptimeSeconds = kernel.read(k -> k.clock().nanos() / 1_000_000_000L);
        kernel.setBootEpoch(System.currentTimeMillis() / 1000 - uptimeSeconds);
        ProcFs fs = new ProcFs(kernel, ProcTree.create(SysctlTable.create()));
        ProcFuse fuse = new ProcFuse(fs, console::error);
        Simulation sim = new Simulation(kernel, System::nanoTime, speed);
        ScenarioEngine engine = new ScenarioEngine(kernel, booted.population(), fs);
        ControlServer control;
        try {
            control = ControlServer.start(new Daemon(kernel, sim, engine), ControlRequests.standard(), dir);
        } catch (IOException e) {
            throw new UserError("cannot open the control socket for " + dir + ": " + e.getMessage());
        }
        if (scenario != null) {
            kernel.mutate(() -> engine.start(scenario));
            console.progress("started scenario " + scenario.name());
        }
        sim.start();
        Thread hook = new Thread(() -> {
            sim.stop();
            control.close();
            StaleMount.lazyUnmount(dir);
        }, "simproc-unmount");
        Runtime.getRuntime().addShutdownHook(hook);
        List<String> opts = new ArrayList<>(List.of("-o", "direct_io", "-o", "default_permissions",
                "-o", "fsname=simproc", "-o", "subtype=simproc"));
        if (isRoot()) {
            opts.add("-o");
            opts.add("allow_other");
        }
        for (String o : fuseOptions) {
            opts.add("-o");
            opts.add(o);
        }
        console.progress("serving /proc of machine '" + kernel.profile().name() + "' at " + dir.toAbsolutePath()
                + " (speed " + speed + "x); stop with Ctrl-C or mount-scripts/simproc-down " + dir);
        try {
            fuse.mount(dir, true, false, opts.toArray(new String[0]));
        } catch (FuseException e) {
            throw new UserError("cannot mount at " + dir + ": " + (e.getCause() != null ? e.getCause().getMessage()
                    : e.getMessage()) + " (is the fuse package installed and /dev/fuse available?)");
        } finally {
            sim.stop();
            control.close();
        }
        return 0;
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
