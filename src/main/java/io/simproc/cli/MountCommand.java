package io.simproc.cli;

import io.simproc.config.Durations;
import io.simproc.control.Checkpoint;
import io.simproc.control.ControlRequests;
import io.simproc.control.ControlServer;
import io.simproc.control.Daemon;
import io.simproc.control.Journal;
import io.simproc.control.MachineSource;
import io.simproc.control.ScenarioSource;
import io.simproc.fuse.ProcFuse;
import io.simproc.kernel.Clock;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfile;
import io.simproc.kernel.Simulation;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTree;
import io.simproc.scenario.Scenario;
import io.simproc.scenario.ScenarioEngine;
import io.simproc.scenario.ScenarioParser;
import io.simproc.scenario.StepRegistry;
import io.simproc.sysctl.SysctlTable;
import io.simproc.workload.Machines;
import io.simproc.sysfs.SysTree;
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
 * {@code simproc mount DIR}: boot a machine and serve its /proc at DIR and its /sys at SYSDIR (default DIR-sys
 * beside it, created if missing and removed again at the end) — two FUSE mounts of one simulation, served by this
 * process — in the foreground until SIGINT or SIGTERM, which unmount both cleanly. Unmounting DIR stops the daemon,
 * which then unmounts SYSDIR. Stale mounts left at either by a killed daemon are recovered first.
 */
@Command(name = "mount", mixinStandardHelpOptions = true,
        description = {"Boot a simulated machine and serve its /proc at DIR and its /sys at SYSDIR (foreground).",
            "Stop with Ctrl-C or SIGTERM (both unmount), or mount-scripts/simproc-down DIR."})
final class MountCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "Empty directory to mount /proc on.")
    Path dir;

    @Option(names = "--sys", paramLabel = "SYSDIR",
            description = "Where to mount the machine's /sys (default: DIR-sys beside DIR, created if missing).")
    Path sysDir;

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
        Path sys = sysDir != null ? sysDir : defaultSysDir(dir);
        recoverStale(console, dir);
        if (!Files.isDirectory(dir)) {
            throw new UserError(dir + " is not a directory (create it first, or use mount-scripts/simproc-up)");
        }
        recoverStale(console, sys);
        if (sys.toAbsolutePath().normalize().equals(dir.toAbsolutePath().normalize())) {
            throw new UserError("--sys must name another directory than " + dir);
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
        Path etc = defaultEtcDir(dir);
        writeUsers(kernel.profile(), etc);
        ProcFs sysFs = new ProcFs(kernel, SysTree.create(kernel));
        ProcFuse fuse = new ProcFuse(fs, console::error);
        Simulation sim = new Simulation(kernel, System::nanoTime, speed);
        ScenarioEngine engine = new ScenarioEngine(kernel, booted.population(), fs, sysFs);
        Journal journal = new Journal(source);
        fs.setWriteObserver(journal);
        sysFs.setWriteObserver(journal.sys());
        Daemon daemon = new Daemon(kernel, sim, engine, journal);
        if (restored != null) {
            console.progress(String.format("replaying %d inputs over %.1f s of simulated time from %s...",
                    restored.entries().size(), restored.jiffies() / (double) Clock.HZ, restoreFile));
            if (!restored.replay(daemon)) {
                throw new UserError(restoreFile + " does not reproduce the machine it saved (the tree digest differs):"
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
        boolean createdSys = !Files.exists(sys);
        try {
            Files.createDirectories(sys);
        } catch (IOException e) {
            control.close();
            throw new UserError("cannot create " + sys + " to mount /sys on: " + e.getMessage() + " (pass --sys SYSDIR)");
        }
        ProcFuse.Mounted sysMount = new ProcFuse(sysFs, console::error).mount(sys, fuseOptions("simproc-sys"));
        if (sysMount == null) {
            control.close();
            removeIfCreated(sys, createdSys);
            removeUsers(etc);
            throw new UserError(cannotMount(sys));
        }
        Thread sysServer = new Thread(sysMount::serve, "simproc-sys");
        sysServer.setDaemon(true);
        sysServer.start();
        sim.start();
        Thread hook = new Thread(() -> {
            if (periodic != null) {
                periodic.stop();
            }
            sim.stop();
            control.close();
            StaleMount.lazyUnmount(dir);
            StaleMount.lazyUnmount(sys);
        }, "simproc-unmount");
        Runtime.getRuntime().addShutdownHook(hook);
        console.progress("serving /proc of machine '" + kernel.profile().name() + "' at " + dir.toAbsolutePath()
                + " and its /sys at " + sys.toAbsolutePath() + " (speed " + speed + "x"
                + (sim.paused() ? ", paused" : "") + "); stop with Ctrl-C or mount-scripts/simproc-down " + dir);
        boolean mounted;
        try {
            mounted = fuse.serve(dir, fuseOptions("simproc"));
        } finally {
            if (periodic != null) {
                periodic.stop();
            }
            sim.stop();
            control.close();
            StaleMount.lazyUnmount(sys);
            joinQuietly(sysServer);
            removeIfCreated(sys, createdSys);
            removeUsers(etc);
        }
        if (!mounted) {
            throw new UserError(cannotMount(dir));
        }
        return 0;
    }

    /** DIR-etc: where the machine's passwd and group are written for simproc-exec to bind over /etc. */
    static Path defaultEtcDir(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path name = abs.getFileName();
        return abs.resolveSibling((name == null ? "" : name.toString()) + "-etc");
    }

    private static void writeUsers(MachineProfile profile, Path etc) {
        try {
            io.simproc.workload.Users.of(profile).writeTo(etc);
        } catch (java.io.IOException e) {
            throw new UserError("cannot write the machine's passwd and group to " + etc + ": " + e.getMessage());
        }
    }

    /** The passwd and group written at mount, and their directory when nothing else is in it. */
    private static void removeUsers(Path etc) {
        try {
            Files.deleteIfExists(etc.resolve("passwd"));
            Files.deleteIfExists(etc.resolve("group"));
            Files.deleteIfExists(etc);
        } catch (java.io.IOException e) {
            // Left behind for the user to remove: a directory that holds other files, or a read-only parent.
        }
    }

    /** DIR-sys: the directory beside DIR named after it. */
    static Path defaultSysDir(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path name = abs.getFileName();
        return abs.resolveSibling((name == null ? "" : name.toString()) + "-sys");
    }

    private static void recoverStale(Console console, Path at) {
        switch (StaleMount.state(at)) {
            case LIVE -> throw new UserError(at + " is already a mounted filesystem; unmount it first"
                    + " (mount-scripts/simproc-down DIR unmounts a machine's /proc and /sys)");
            case STALE -> {
                console.progress("recovering a stale mount left at " + at + " by a daemon that died");
                StaleMount.lazyUnmount(at);
            }
            case NOT_MOUNTED -> {
            }
        }
    }

    /** The -o options of one mount, with its fsname (simproc for /proc, simproc-sys for /sys). */
    private String[] fuseOptions(String fsName) {
        List<String> opts = new ArrayList<>(List.of("-o", "direct_io", "-o", "default_permissions",
                "-o", "fsname=" + fsName, "-o", "subtype=simproc"));
        if (isRoot()) {
            opts.add("-o");
            opts.add("allow_other");
        }
        for (String o : fuseOptions) {
            opts.add("-o");
            opts.add(o);
        }
        return opts.toArray(new String[0]);
    }

    private static String cannotMount(Path at) {
        return "cannot mount at " + at + " (libfuse said why above; is the fuse package installed and /dev/fuse"
                + " available?)";
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Remove the /sys mount point this daemon created, once nothing is mounted there any more. */
    private static void removeIfCreated(Path sys, boolean created) {
        if (!created || StaleMount.isFuseMountPoint(sys)) {
            return;
        }
        try {
            Files.deleteIfExists(sys);
        } catch (IOException e) {
            // not empty, or gone: leave it
        }
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
