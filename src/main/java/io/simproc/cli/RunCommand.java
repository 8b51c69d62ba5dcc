package io.simproc.cli;

import io.simproc.config.Durations;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfile;
import io.simproc.plot.Charts;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTree;
import io.simproc.record.Recorder;
import io.simproc.record.RecordingFiles;
import io.simproc.record.SeriesSet;
import io.simproc.scenario.KnobValues;
import io.simproc.scenario.Outcome;
import io.simproc.scenario.Scenario;
import io.simproc.scenario.ScenarioEngine;
import io.simproc.scenario.ScenarioParser;
import io.simproc.scenario.ScenarioRun;
import io.simproc.scenario.StepException;
import io.simproc.scenario.StepRegistry;
import io.simproc.sysctl.SysctlTable;
import io.simproc.sysfs.SysTree;
import io.simproc.workload.Machines;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * {@code simproc run [SCENARIO] --out DIR}: boot a machine, run a scenario's timeline on it (docs/SCENARIOS.md)
 * and write its whole /proc and /sys as ordinary files — at the end, or at each {@code --at} time — for tools that
 * read another proc or sys root; with {@code --record FILE}, also (or instead) a recording of series sampled every
 * interval (docs/RECORDING.md). Prints the expectations' results; exits 0 only when all of them held.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Boot a simulated machine, run a scenario (optional) and write its /proc and /sys as static"
            + " trees to DIR/proc and DIR/sys (no FUSE); with several --at times, DIR/<time>/proc and"
            + " DIR/<time>/sys for each.",
            "With --record FILE: also (or, without --out, only) record series every --every of simulated time into"
            + " FILE (.csv or .om/.txt OpenMetrics; docs/RECORDING.md).",
            "Then: smem -S DIR, prometheus-node-exporter --path.procfs=DIR/proc --path.sysfs=DIR/sys,"
            + " psutil.PROCFS_PATH=DIR/proc, mount-scripts/simproc-exec DIR -- CMD.",
            "Exit status: 0 when every expectation of the scenario held, 1 otherwise."})
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "SCENARIO", description = "Scenario file (YAML).")
    Path scenarioFile;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Where to write DIR/proc and DIR/sys (optional with --record).")
    Path out;

    @Option(names = "--at", split = ",", paramLabel = "TIME",
            description = "Scenario times to write trees at, e.g. 10s,1m,5m (default: the scenario's end).")
    List<String> at = new ArrayList<>();

    @Option(names = "--progress", negatable = true,
            description = "Show simulated time and speed while running (default: on a terminal).")
    Boolean progress;

    @Option(names = "--force", description = "Replace existing trees.")
    boolean force;

    @Option(names = "--set", paramLabel = "KNOB=VALUE",
            description = "Hold a knob (by its sysctl name) at VALUE for the whole run: the scenario's sysctl steps"
                + " leave it alone, as in one run of simproc sweep; repeatable.")
    List<String> set = new ArrayList<>();

    @Mixin
    MachineOptions machine;

    @Mixin
    RecordOptions recording;

    @Option(names = {"-q", "--quiet"}, description = "Print only errors and the expectations' results.")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        Console console = new Console(System.err, quiet);
        recording.check();
        if (out == null && !recording.given()) {
            throw new UserError("nothing to write: give --out DIR (trees), --record FILE (a recording) or both");
        }
        if (out == null && !at.isEmpty()) {
            throw new UserError("--at needs --out DIR (the trees it writes)");
        }
        if (scenarioFile == null) {
            if (!at.isEmpty()) {
                throw new UserError("--at needs a SCENARIO to run");
            }
            if (recording.given()) {
                throw new UserError("--record needs a SCENARIO to run");
            }
            Path target = prepare(out);
            Kernel kernel = machine.boot(console);
            writeTrees(procFs(kernel), new ProcFs(kernel, SysTree.create(kernel)), target);
            console.progress("wrote " + target.resolve("proc") + " and " + target.resolve("sys"));
            return 0;
        }
        Scenario scenario = new ScenarioParser(StepRegistry.standard()).load(scenarioFile);
        List<KnobValues> held = held();
        SeriesSet series = recording.given() ? recording.seriesFor(scenario) : null;
        TreeSet<Long> times = new TreeSet<>();
        for (String t : at) {
            try {
                times.add(Durations.parseMillis(t));
            } catch (IllegalArgumentException e) {
                throw new UserError("--at: " + e.getMessage());
            }
        }
        if (times.isEmpty() && out != null) {
            times.add(scenario.endMillis());
        }
        List<Path> targets = new ArrayList<>();
        for (long t : times) {
            targets.add(prepare(times.size() == 1 ? out : out.resolve(Durations.format(t))));
        }
        Started started = start(scenario, scenarioFile, machine, console, held);
        Kernel kernel = started.kernel();
        ProcFs fs = started.fs();
        ScenarioEngine engine = started.engine();
        ScenarioRun run = started.run();
        Recorder recorder = series == null ? null : recorder(started, series, scenario);
        long end = Math.max(scenario.endMillis(), times.isEmpty() ? 0 : times.last());
        ProgressLine bar = new ProgressLine(System.err, progress != null ? progress : ProgressLine.terminal());
        int i = 0;
        for (long t : times) {
            advance(kernel, run, recorder, t, end, bar);
            writeTrees(fs, engine.sysFs(), targets.get(i++));
        }
        advance(kernel, run, recorder, end, end, bar);
        bar.done();
        for (Path p : targets) {
            console.progress("wrote " + p.resolve("proc") + " and " + p.resolve("sys"));
        }
        if (recorder != null) {
            writeRecording(recorder, scenario, console);
        }
        for (Outcome o : engine.outcomes()) {
            System.out.println(o.line());
        }
        System.out.flush();
        long failed = engine.failed();
        console.error(String.format("%s: %d passed, %d failed", scenario.name(), engine.passed(), failed));
        return failed == 0 ? 0 : 1;
    }

    /** A machine booted for a scenario, with the scenario's timeline started on it. */
    record Started(Kernel kernel, ProcFs fs, ScenarioEngine engine, ScenarioRun run) {
    }

    /** A recorder of the started scenario, labelled with its name and seed; a series the machine lacks: UserError. */
    private Recorder recorder(Started started, SeriesSet series, Scenario scenario) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("scenario", scenario.name());
        labels.put("seed", Long.toString(machine.seed));
        try {
            return new Recorder(started.run(), series, recording.everyMillis(), labels);
        } catch (IllegalArgumentException e) {
            throw new UserError("--series: " + e.getMessage());
        }
    }

    private void writeRecording(Recorder recorder, Scenario scenario, Console console) throws IOException {
        Long epoch = recording.epochMillis();
        var r = recorder.recording();
        if (recording.file != null) {
            RecordingFiles.write(recording.file, r, epoch != null ? epoch : recorder.startEpochMillis(),
                    recorder.targetLabels());
            console.progress("wrote " + recording.file + " (" + r.samples() + " samples of " + r.series().size()
                    + " series, " + r.events().size() + " events)");
        }
        if (recording.plot != null) {
            Charts.write(List.of(r), recording.plot, scenario.name());
            console.progress("wrote " + recording.plot);
        }
    }

    /** Boot the scenario's machine (or the one the options name: not both) and start the scenario on it. */
    static Started start(Scenario scenario, Path scenarioFile, MachineOptions machine, Console console) {
        return start(scenario, scenarioFile, machine, console, List.of());
    }

    /** {@link #start}, with the knobs {@code held} at their (one) values before the scenario starts. */
    static Started start(Scenario scenario, Path scenarioFile, MachineOptions machine, Console console,
            List<KnobValues> held) {
        return startOn(machine.start(console, profile(scenario, scenarioFile, machine)), scenario, held);
    }

    /**
     * Start {@code scenario} on the booted machine {@code m}, with the knobs {@code held} at their (first) values; a
     * value the kernel refuses is a UserError naming it.
     */
    static Started startOn(Machines.Machine m, Scenario scenario, List<KnobValues> held) {
        Kernel kernel = m.kernel();
        ProcFs fs = procFs(kernel);
        ScenarioEngine engine = new ScenarioEngine(kernel, m.population(), fs);
        ScenarioRun run = kernel.mutate(() -> {
            for (KnobValues k : held) {
                try {
                    engine.hold(k.path(), k.values().get(0));
                } catch (StepException e) {
                    throw new UserError("--set " + k.name() + "=" + k.values().get(0) + ": " + e.getMessage());
                }
            }
            return engine.start(scenario);
        });
        return new Started(kernel, fs, engine, run);
    }

    /** The knobs of --set, one value each. */
    private List<KnobValues> held() {
        List<KnobValues> held = new ArrayList<>();
        for (String s : set) {
            KnobValues k = KnobValues.parse(s);
            if (k.values().size() != 1) {
                throw new UserError("--set " + s + ": run holds a knob at one value; simproc sweep runs several");
            }
            if (held.stream().anyMatch(h -> h.name().equals(k.name()))) {
                throw new UserError("--set " + k.name() + " is given twice");
            }
            held.add(k);
        }
        return held;
    }

    /** The machine a scenario runs on: the one it names, or the one the options name (not both). */
    static MachineProfile profile(Scenario scenario, Path scenarioFile, MachineOptions machine) {
        MachineProfile profile = scenario.machine();
        if (profile != null && machine.given()) {
            throw new UserError(scenarioFile + " names its machine; drop --machine (or the scenario's 'machine' key)");
        }
        return profile != null ? profile : machine.profile();
    }

    /**
     * Run the machine up to scenario time {@code millis} in one-second slices, showing progress; through
     * {@code recorder} when there is one (null: none), which samples on the way.
     */
    static void advance(Kernel kernel, ScenarioRun run, Recorder recorder, long millis, long endMillis,
            ProgressLine bar) {
        if (recorder == null) {
            advance(kernel, run, millis, endMillis, bar);
            return;
        }
        while (true) {
            long next = Math.min(millis, Math.max(run.elapsedMillis(), 0) + 1000);
            recorder.advanceTo(next);
            bar.update(run.elapsedMillis() / 1000.0, endMillis / 1000.0, "simproc: recording");
            if (next >= millis) {
                return;
            }
        }
    }

    /** Run the machine up to scenario time {@code millis} in one-second slices, showing progress. */
    static void advance(Kernel kernel, ScenarioRun run, long millis, long endMillis, ProgressLine bar) {
        long target = run.jiffiesAt(millis);
        long slice = io.simproc.kernel.Clock.HZ;
        while (true) {
            long now = kernel.read(k -> k.clock().jiffies());
            if (now >= target) {
                return;
            }
            kernel.advanceTo(Math.min(target, now + slice));
            bar.update(run.elapsedMillis() / 1000.0, endMillis / 1000.0, "simproc: running");
        }
    }

    static ProcFs procFs(Kernel kernel) {
        return new ProcFs(kernel, ProcTree.create(SysctlTable.create()));
    }

    /**
     * {@code at/proc} and {@code at/sys}: the machine's two trees as root reads them; and {@code at/etc} with the
     * machine's passwd and group, which simproc-exec binds so that tools name the simulated users.
     */
    private static void writeTrees(ProcFs proc, ProcFs sys, Path at) throws IOException {
        new TreeWriter(proc).write(at.resolve("proc"));
        new TreeWriter(sys).write(at.resolve("sys"));
        io.simproc.workload.Users.of(proc.kernel().profile()).writeTo(at.resolve("etc"));
    }

    /** The place of {@code at/proc} and {@code at/sys}, emptied with --force. */
    private Path prepare(Path at) throws IOException {
        for (String tree : List.of("proc", "sys", "etc")) {
            Path target = at.resolve(tree);
            if (Files.exists(target)) {
                if (!force) {
                    throw new UserError(target + " already exists; remove it or pass --force");
                }
                deleteTree(target);
            }
        }
        return at;
    }

    private static void deleteTree(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    p.toFile().setWritable(true, true);
                }
            }
        }
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
