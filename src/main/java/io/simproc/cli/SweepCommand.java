package io.simproc.cli;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfile;
import io.simproc.plot.ChartFormat;
import io.simproc.plot.Charts;
import io.simproc.record.Recorder;
import io.simproc.record.Recording;
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
import io.simproc.sweep.RunResult;
import io.simproc.sweep.Summary;
import io.simproc.sweep.SweepPlan;
import io.simproc.sweep.SweepTable;
import io.simproc.workload.Machines;
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
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code simproc sweep SCENARIO --set KNOB=V1,V2 [--seeds 1..5] --out DIR}: run one scenario under every
 * combination of knob values and seeds (docs/RECORDING.md, "Sweeps"), each run on its own machine, in parallel,
 * deterministic; record each; print a table that compares the settings.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Run a scenario once for every combination of knob values (--set) and seeds (--seeds), in"
            + " parallel, recording each run; print a table comparing the settings: the scenario's expectations"
            + " (how many seeds each held for) and summaries of the recorded series (the median over seeds, with"
            + " their range); with --out, write DIR/<run>.csv and DIR/summary.txt; with --plot, a chart of every"
            + " run.",
            "A knob a run sets is held: the scenario's own sysctl steps leave it alone.",
            "Exit status: 0 when every run finished (whatever its expectations said), 1 when one could not."})
final class SweepCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SCENARIO", description = "Scenario file (YAML).")
    Path scenarioFile;

    @Option(names = "--set", required = true, paramLabel = "KNOB=V1,V2,...",
            description = "A knob by its sysctl name and the values to run it at, e.g. vm.swappiness=0,60,100;"
                + " repeat for more knobs (every combination runs).")
    List<String> set = new ArrayList<>();

    @Option(names = "--seeds", paramLabel = "SEEDS",
            description = "Seeds to run each setting with: 1..5, 1,4,9 (default: --seed's).")
    String seeds;

    @Option(names = "--out", paramLabel = "DIR", description = "Where to write each run's recording (CSV) and"
            + " summary.txt (default: nowhere; the table is printed).")
    Path out;

    @Option(names = "--plot", paramLabel = "FILE", description = "Draw every run's series into FILE (.svg or .png):"
            + " a panel per series group, a line per run.")
    Path plot;

    @Option(names = "--every", paramLabel = "DURATION", defaultValue = "100ms",
            description = "Sample every DURATION of simulated time (default: ${DEFAULT-VALUE}).")
    String every;

    @Option(names = "--series", paramLabel = "EXPR,...",
            description = "Series to record, as run --record takes them (repeatable; default: the memory, swap,"
                + " reclaim, compaction, OOM and pressure series).")
    List<String> series = new ArrayList<>();

    @Option(names = "--summary", paramLabel = "SPEC",
            description = "A row of the table: peak(EXPR), min(EXPR), final(EXPR), mean(EXPR) or"
                + " time_to(EXPR OP VALUE); repeatable (default: final() of every series).")
    List<String> summary = new ArrayList<>();

    @Option(names = "--jobs", paramLabel = "N", description = "Runs at once (default: the number of CPUs).")
    Integer jobs;

    @Option(names = "--force", description = "Replace recordings already in DIR.")
    boolean force;

    @Mixin
    MachineOptions machine;

    @Option(names = {"-q", "--quiet"}, description = "Print only errors and the table.")
    boolean quiet;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Console console = new Console(System.err, quiet);
        Scenario scenario = new ScenarioParser(StepRegistry.standard()).load(scenarioFile);
        List<KnobValues> knobs = new ArrayList<>();
        for (String s : set) {
            knobs.add(KnobValues.parse(s));
        }
        SweepPlan plan = new SweepPlan(knobs, seeds != null ? SweepPlan.parseSeeds(seeds) : List.of(machine.seed));
        long everyMillis = RecordOptions.everyMillis(every);
        List<Summary> summaries = new ArrayList<>();
        for (String s : summary) {
            summaries.add(Summary.parse(s));
        }
        SeriesSet seriesSet = RecordOptions.seriesFor(series, summaries.stream().map(Summary::series).toList(),
                scenario);
        if (summaries.isEmpty()) {
            for (String name : seriesSet.names()) {
                summaries.add(Summary.parse("final(" + name + ")"));
            }
        }
        if (jobs != null && jobs < 1) {
            throw new UserError("--jobs must be at least 1");
        }
        if (plot != null) {
            try {
                ChartFormat.of(plot);
            } catch (IllegalArgumentException e) {
                throw new UserError("--plot: " + e.getMessage());
            }
        }
        MachineProfile profile = RunCommand.profile(scenario, scenarioFile, machine);
        List<SweepPlan.Point> points = plan.points();
        if (out != null) {
            prepare(points);
        }
        console.progress(String.format("sweep %s: %d run%s on %s", scenario.name(), points.size(),
                points.size() == 1 ? "" : "s", profile.name()));
        check(scenario, profile, plan, seriesSet, everyMillis);

        int threads = Math.min(points.size(), jobs != null ? jobs : Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<RunResult> results = new ArrayList<>();
        try {
            List<Future<RunResult>> futures = new ArrayList<>();
            for (SweepPlan.Point p : points) {
                futures.add(pool.submit(() -> runOne(scenario, profile, plan, p, seriesSet, everyMillis)));
            }
            for (int i = 0; i < futures.size(); i++) {
                RunResult r = get(futures.get(i));
                results.add(r);
                console.progress(String.format("[%d/%d] %s seed=%d: %s", i + 1, points.size(), r.point().setting(),
                        r.point().seed(), r.error() != null ? r.error() : verdicts(r.outcomes())));
            }
        } finally {
            pool.shutdownNow();
        }
        String table = new SweepTable(results, summaries).render();
        System.out.print(table);
        System.out.flush();
        if (out != null) {
            Files.createDirectories(out);
            int written = 0;
            for (RunResult r : results) {
                if (r.recording() != null) {
                    RecordingFiles.write(out.resolve(r.point().fileName() + ".csv"), r.recording(), 0, Map.of());
                    written++;
                }
            }
            Files.writeString(out.resolve("summary.txt"), table, StandardCharsets.UTF_8);
            console.progress("wrote " + written + " recordings and summary.txt to " + out);
        }
        List<Recording> recordings = results.stream().map(RunResult::recording).filter(r -> r != null).toList();
        if (plot != null && !recordings.isEmpty()) {
            Charts.write(recordings, plot, scenario.name() + ": " + String.join(", ", set));
            console.progress("wrote " + plot);
        }
        return results.stream().allMatch(r -> r.error() == null) ? 0 : 1;
    }

    /** Recordings of these runs already in DIR are replaced only with --force. */
    private void prepare(List<SweepPlan.Point> points) {
        for (SweepPlan.Point p : points) {
            Path f = out.resolve(p.fileName() + ".csv");
            if (Files.exists(f) && !force) {
                throw new UserError(f + " already exists; remove it or pass --force");
            }
        }
    }

    /**
     * Before anything runs, on one machine of the profile: every value of every knob is one the kernel takes, and
     * every series is one the machine can show.
     */
    private void check(Scenario scenario, MachineProfile profile, SweepPlan plan, SeriesSet seriesSet, long every) {
        Machines.Machine m = Machines.start(profile, plan.seeds().get(0));
        ScenarioEngine engine = new ScenarioEngine(m.kernel(), m.population(), RunCommand.procFs(m.kernel()));
        ScenarioRun run = m.kernel().mutate(() -> {
            for (KnobValues k : plan.knobs()) {
                for (String v : k.values()) {
                    try {
                        engine.hold(k.path(), v);
                    } catch (StepException e) {
                        throw new UserError("--set " + k.name() + "=" + v + ": " + e.getMessage());
                    }
                }
            }
            return engine.start(scenario);
        });
        try {
            new Recorder(run, seriesSet, every, Map.of());
        } catch (IllegalArgumentException e) {
            throw new UserError("--series: " + e.getMessage());
        }
    }

    /** One run: its own machine, the point's knobs held, the scenario recorded to its end. */
    private static RunResult runOne(Scenario scenario, MachineProfile profile, SweepPlan plan, SweepPlan.Point p,
            SeriesSet seriesSet, long every) {
        List<KnobValues> held = new ArrayList<>();
        for (KnobValues k : plan.knobs()) {
            held.add(new KnobValues(k.name(), k.path(), List.of(p.knobs().get(k.name()))));
        }
        RunCommand.Started started;
        try {
            started = RunCommand.startOn(Machines.start(profile, p.seed()), scenario, held);
        } catch (UserError e) {
            return RunResult.failed(p, e.getMessage());
        }
        Kernel kernel = started.kernel();
        ScenarioRun run = started.run();
        Recorder recorder = new Recorder(run, seriesSet, every, p.labels());
        recorder.advanceTo(scenario.endMillis());
        List<Outcome> outcomes = kernel.read(k -> run.outcomes());
        Recording rec = recorder.recording();
        return new RunResult(p, rec, outcomes, null);
    }

    private static String verdicts(List<Outcome> outcomes) {
        long failed = outcomes.stream().filter(o -> !o.ok()).count();
        return (outcomes.size() - failed) + " passed, " + failed + " failed";
    }

    private static RunResult get(Future<RunResult> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        }
    }
}
