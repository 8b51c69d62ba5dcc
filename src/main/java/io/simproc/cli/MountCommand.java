package io.simproc.cli;

import io.simproc.control.Checkpoint;
import io.simproc.control.ControlRequests;
import io.simproc.control.Journal;
import io.simproc.control.MachineSource;
import io.simproc.control.ScenarioSource;
import io.simproc.control.ControlServer;
import io.simproc.control.Daemon;
import io.simproc.fuse.ProcFuse;
import io.simproc.kernel.Clock;
import io.simproc.kernel.Durations;
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

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

    @Option(names = "--restore", paramLabel = "FILE",
            description = "Continue from a checkpoint (simproc ctl DIR save FILE, or --checkpoint-every): its machine,"
                + " seed and inputs are replayed and the tree is checked byte for byte before mounting; a checkpoint"
                + " saved while paused restores paused.")
    Path restoreFile;

    @Option(names = "--paused",
            description = "Start with simulated time paused (simproc ctl DIR resume runs it), e.g. to compare a"
                + " restored tree with the saved one.")
    boolean startPaused;

    @Option(names = "--checkpoint-every", paramLabel = "DURATION",
            description = "Save a checkpoint every DURATION of simulated time (e.g. 5m) into --checkpoint-dir.")
    String checkpointEvery;

    @Option(names = "--checkpoint-dir", paramLabel = "CDIR",
            description = "Where --checkpoint-every writes (default: DIR.checkpoints beside the mount point).")
    Path checkpointDir;

    @Option(names = "--checkpoint-keep", paramLabel = "N", defaultValue = "3",
            description = "How many of the latest periodic checkpoints to keep (default: ${DEFAULT-VALUE}).")
    int checkpointKeep;

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
        Checkpoint restored = restoreFile == null ? null : Checkpoint.read(restoreFile);
        if (restored != null && (machine.given() || scenarioFile != null)) {
            throw new UserError("--restore takes the machine and its scenarios from the checkpoint; drop --machine"
                    + " and --scenario");
        }
        PeriodicCheckpoints periodic = checkpointEvery == null ? null : new PeriodicCheckpoints(
                everyMillis(checkpointEvery),
                checkpointDir != null ? checkpointDir : dir.toAbsolutePath().resolveSibling(dir.toAbsolutePath()
                        .getFileName() + ".checkpoints"), checkpointKeep, console);
        ScenarioSource scenarioSource = scenarioFile == null ? null : ScenarioSource.read(scenarioFile);
        ScenarioParser parser = new ScenarioParser(StepRegistry.standard());
        Scenario scenario = scenarioSource == null ? null : scenarioSource.parse(parser);
        MachineSource source = machine.given() ? MachineSource.profile(machine.machine.toString(),
                readProfile(machine.machine)) : MachineSource.embeddedDefault();
        if (scenario != null && scenario.machine() != null) {
            if (machine.given()) {
                throw new UserError(scenarioFile + " names its machine; drop --machine (or the scenario's 'machine'"
                        + " key)");
            }
            source = MachineSource.scenario(scenarioSource);
        }
        if (restored != null) {
            source = restored.machine();
        }
        MachineProfile profile = source.load();
        Machines.Machine booted = restored != null ? machine.start(console, profile, restored.seed())
                : machine.start(console, profile);
        Kernel kernel = booted.kernel();
        long uptimeSeconds = kernel.read(k -> k.clock().nanos() / 1_000_000_000L);
        kernel.setBootEpoch(restored != null ? restored.bootEpoch()
                : System.currentTimeMillis() / 1000 - uptimeSeconds);
        ProcFs fs = new ProcFs(kernel, ProcTree.create(SysctlTable.create()));
        ProcFuse fuse = new ProcFuse(fs, console::error);
        Simulation sim = new Simulation(kernel, System::nanoTime, speed);
        ScenarioEngine engine = new ScenarioEngine(kernel, booted.population(), fs);
        Journal journal = new Journal(source);
        fs.setWriteObserver(journal);
        Daemon daemon = new Daemon(kernel, sim, engine, journal);
        if (restored != null) {
            console.progress(String.format("replaying %d inputs over %.1f s of simulated time from %s...",
                    restored.entries().size(), restored.jiffies() / (double) Clock.HZ, restoreFile));
            if (!restored.replay(daemon)) {
                throw new UserError(restoreFile + " does not reproduce the machine it saved (the /proc digest differs):"
                        + " it was written by another simproc version, or a machine file it refers to changed;"
                        + " nothing was mounted");
            }
            console.progress("restored: the tree is byte-identical to the saved one"
                    + (restored.paused() ? " (paused, as it was saved; simproc ctl " + dir + " resume runs it)" : ""));
        }
        if (startPaused) {
            sim.pause();
        }
        ControlServer control;
        try {
            control = ControlServer.start(daemon, ControlRequests.standard(), dir);
        } catch (IOException e) {
            throw new UserError("cannot open the control socket for " + dir + ": " + e.getMessage());
        }
        if (scenario != null) {
            daemon.runScenario(scenarioSource, scenario, true);
            console.progress("started scenario " + scenario.name());
        }
        if (periodic != null) {
            periodic.start(daemon);
        }
        sim.start();
        Thread hook = new Thread(() -> {
            if (periodic != null) {
                periodic.stop();
            }
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
                + " (speed " + speed + "x" + (sim.paused() ? ", paused" : "") + "); stop with Ctrl-C or"
                + " mount-scripts/simproc-down " + dir);
        boolean mounted;
        try {
            mounted = fuse.serve(dir, opts.toArray(new String[0]));
        } finally {
            if (periodic != null) {
                periodic.stop();
            }
            sim.stop();
            control.close();
        }
        if (!mounted) {
            throw new UserError("cannot mount at " + dir + " (libfuse said why above; is the fuse package installed"
                    + " and /dev/fuse available?)");
        }
        return 0;
    }

    private static long everyMillis(String text) {
        long ms;
        try {
            ms = Durations.parseMillis(text);
        } catch (IllegalArgumentException e) {
            throw new UserError("--checkpoint-every: " + e.getMessage());
        }
        if (ms < 1000) {
            throw new UserError("--checkpoint-every must be at least 1s of simulated time, got " + text);
        }
        return ms;
    }

    private static String readProfile(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError("cannot read machine profile " + file + ": " + e.getMessage());
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
