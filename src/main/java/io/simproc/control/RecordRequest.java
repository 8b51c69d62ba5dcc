package io.simproc.control;

import io.simproc.config.Durations;
import io.simproc.kernel.Clock;
import io.simproc.kernel.Simulation;
import io.simproc.record.Recorder;
import io.simproc.record.Recording;
import io.simproc.plot.ChartFormat;
import io.simproc.plot.Charts;
import io.simproc.record.RecordingFiles;
import io.simproc.record.SeriesSet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * {@code record FILE --for DURATION [--every DURATION] [--series EXPR,...]}: record series of the mounted machine
 * (docs/RECORDING.md) over the next DURATION of simulated time, from now, and write FILE (an absolute path; .csv, or
 * .om/.txt for OpenMetrics). A running machine is recorded as it runs, at its speed: the request answers when that
 * much simulated time has passed, and the pacing stops at each sample's instant just long enough to read it. A paused
 * machine is run through the duration as fast as possible, as {@code advance} does, and stays paused. Pausing during a
 * recording holds it until {@code resume}; an {@code advance} meanwhile runs past samples, which are left out.
 */
final class RecordRequest implements ControlRequest {
    static final String DEFAULT_EVERY = "1s";

    @Override
    public String name() {
        return "record";
    }

    @Override
    public String usage() {
        return "FILE --for DURATION [--every DURATION] [--series EXPR,...] [--plot CHART.svg|png]";
    }

    @Override
    public void handle(Daemon d, List<String> args, Reply reply) {
        if (args.isEmpty() || args.get(0).startsWith("-")) {
            throw ControlException.usage("usage: ctl DIR record " + usage());
        }
        Path file = Path.of(args.get(0));
        String forText = null;
        String every = DEFAULT_EVERY;
        List<String> exprs = new ArrayList<>();
        Path plot = null;
        for (int i = 1; i < args.size(); i += 2) {
            if (i + 1 >= args.size()) {
                throw ControlException.usage("record: " + args.get(i) + " needs a value; usage: ctl DIR record "
                        + usage());
            }
            String v = args.get(i + 1);
            switch (args.get(i)) {
                case "--for" -> forText = v;
                case "--every" -> every = v;
                case "--series" -> exprs.addAll(SeriesSet.split(v));
                case "--plot" -> plot = Path.of(v);
                default -> throw ControlException.usage("record: unknown option '" + args.get(i) + "'; usage: ctl DIR"
                        + " record " + usage());
            }
        }
        if (forText == null) {
            throw ControlException.usage("record: --for DURATION is required; usage: ctl DIR record " + usage());
        }
        long forMillis = duration("--for", forText);
        long everyMillis = duration("--every", every);
        if (forMillis > AdvanceRequest.MAX_MILLIS) {
            throw ControlException.usage("record: --for must be at most 10d");
        }
        SeriesSet series;
        try {
            RecordingFiles.formatOf(file);
            if (plot != null) {
                ChartFormat.of(plot);
            }
            series = SeriesSet.parse(exprs, null);
        } catch (IllegalArgumentException e) {
            throw new ControlException(ControlException.FAILED, "record: " + e.getMessage());
        }
        Simulation sim = d.simulation();
        boolean paused = sim.paused();
        if (!paused && !sim.claimHold()) {
            throw new ControlException(ControlException.FAILED, "record: another recording is running");
        }
        try {
            record(d, file, plot, series, forMillis, everyMillis, paused, reply);
        } finally {
            if (!paused) {
                sim.releaseHold();
            }
        }
    }

    /** Record from now (the pacing held here when the machine runs) and write the file (and the chart). */
    private static void record(Daemon d, Path file, Path plot, SeriesSet series, long forMillis, long everyMillis,
            boolean paused, Reply reply) {
        Recorder recorder;
        try {
            recorder = new Recorder(d.scenarios().observer("ctl record"), series, everyMillis, Map.of());
        } catch (IllegalArgumentException e) {
            throw new ControlException(ControlException.FAILED, "record: " + e.getMessage());
        }
        long startJiffies = d.kernel().read(k -> k.clock().jiffies());
        long[] lastProgress = {0};
        LongConsumer progress = jiffy -> {
            long now = System.nanoTime();
            if (now - lastProgress[0] > 100_000_000L) {
                lastProgress[0] = now;
                reply.progress(Math.min(forMillis, (jiffy - startJiffies) * 1000 / Clock.HZ), forMillis);
            }
        };
        recorder.advanceTo(forMillis, paused ? jiffy -> runAhead(d, jiffy, progress) : jiffy -> follow(d, jiffy,
                progress));
        Recording r = recorder.recording();
        try {
            RecordingFiles.write(file, r, recorder.startEpochMillis(), recorder.targetLabels());
        } catch (IOException e) {
            throw new ControlException(ControlException.FAILED, "record: cannot write " + file + ": " + e.getMessage());
        }
        if (plot != null) {
            try {
                Charts.write(List.of(r), plot, "ctl record " + file.getFileName());
            } catch (IOException | RuntimeException e) {
                throw new ControlException(ControlException.FAILED, "record: " + e.getMessage());
            }
        }
        reply.out(String.format("recorded %s: %d samples of %d series over %s of simulated time, %d events", file,
                r.samples(), r.series().size(), Durations.format(forMillis), r.events().size()));
    }

    private static long duration(String option, String text) {
        long ms;
        try {
            ms = Durations.parseMillis(text);
        } catch (IllegalArgumentException e) {
            throw ControlException.usage("record: " + option + ": " + e.getMessage());
        }
        if (ms < Recorder.MIN_EVERY_MILLIS) {
            throw ControlException.usage("record: " + option + ": " + text + " is less than one jiffy ("
                    + Recorder.MIN_EVERY_MILLIS + "ms)");
        }
        return ms;
    }

    /** A paused machine: run to {@code jiffy} as fast as possible, as {@code advance} does. */
    private static void runAhead(Daemon d, long jiffy, LongConsumer progress) {
        long now = d.kernel().read(k -> k.clock().jiffies());
        if (jiffy > now) {
            d.simulation().advanceNow(jiffy - now, ran -> progress.accept(now + ran));
        }
    }

    /** A running machine: wait for its pacing to reach {@code jiffy} (through pauses); stop if it cannot go on. */
    private static void follow(Daemon d, long jiffy, LongConsumer progress) {
        try {
            while (!d.simulation().followTo(jiffy)) {
                if (d.kernel().panicked()) {
                    throw new ControlException(ControlException.FAILED, "record: the machine has panicked");
                }
                progress.accept(d.kernel().read(k -> k.clock().jiffies()));
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlException(ControlException.FAILED, "record: interrupted");
        }
        progress.accept(jiffy);
    }
}
