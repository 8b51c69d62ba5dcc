package io.simproc.cli;

import io.simproc.config.Durations;
import io.simproc.plot.ChartFormat;
import io.simproc.record.Recorder;
import io.simproc.record.RecordingFiles;
import io.simproc.record.SeriesSet;
import io.simproc.scenario.Scenario;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** {@code simproc run}'s recording options (docs/RECORDING.md), checked before anything runs. */
final class RecordOptions {
    /** The interval when --every is not given. */
    static final String DEFAULT_EVERY = "100ms";

    @Option(names = "--record", paramLabel = "FILE",
            description = "Record series every --every of simulated time into FILE: .csv, or .om/.txt for"
                    + " OpenMetrics (docs/RECORDING.md). With --record, --out is optional.")
    Path file;

    @Option(names = "--plot", paramLabel = "FILE",
            description = "Draw the recorded series into FILE, .svg or .png: a panel per series group, events marked"
                    + " (docs/CHARTS.md). Records as --record does, with or without a --record file.")
    Path plot;

    @Option(names = "--every", paramLabel = "DURATION",
            description = "Interval between samples of --record (default: " + DEFAULT_EVERY + "; at least 4ms).")
    String every;

    @Option(names = "--series", paramLabel = "EXPR,...",
            description = "Series to record, scenario values such as meminfo.MemFree, vmstat.pswpout,"
                    + " PID(process=a).status.VmRSS, rate(vmstat.pgfault) (repeatable; default: memory, swap,"
                    + " reclaim, compaction, OOM and pressure series).")
    List<String> series = new ArrayList<>();

    @Option(names = "--epoch", paramLabel = "ISO-8601",
            description = "Wall-clock time of scenario time 0 in OpenMetrics timestamps, e.g. 2026-01-01T00:00:00Z"
                    + " (default: the machine's boot time, /proc/stat btime, plus its uptime then).")
    String epoch;

    /** Whether the run records: into a file, a chart or both. */
    boolean given() {
        return file != null || plot != null;
    }

    /** Check the options that need no scenario: the file's format and place, the interval, the epoch. */
    void check() {
        if (!given()) {
            for (String[] o : new String[][] {{"--every", every}, {"--epoch", epoch}}) {
                if (o[1] != null) {
                    throw new UserError(o[0] + " needs --record FILE or --plot FILE");
                }
            }
            if (!series.isEmpty()) {
                throw new UserError("--series needs --record FILE or --plot FILE");
            }
            return;
        }
        if (file != null) {
            try {
                RecordingFiles.formatOf(file);
            } catch (IllegalArgumentException e) {
                throw new UserError("--record: " + e.getMessage());
            }
            checkDirectory("--record", file);
        }
        if (plot != null) {
            try {
                ChartFormat.of(plot);
            } catch (IllegalArgumentException e) {
                throw new UserError("--plot: " + e.getMessage());
            }
            checkDirectory("--plot", plot);
        }
        everyMillis();
        epochMillis();
    }

    private static void checkDirectory(String option, Path file) {
        Path parent = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            throw new UserError(option + ": " + parent + " is not a directory");
        }
    }

    long everyMillis() {
        return everyMillis(every == null ? DEFAULT_EVERY : every);
    }

    /** An interval of sampling as --every gives it, at least one jiffy; a UserError saying why not. */
    static long everyMillis(String text) {
        long ms;
        try {
            ms = Durations.parseMillis(text);
        } catch (IllegalArgumentException e) {
            throw new UserError("--every: " + e.getMessage());
        }
        if (ms < Recorder.MIN_EVERY_MILLIS) {
            throw new UserError("--every: " + text + " is less than one jiffy (" + Recorder.MIN_EVERY_MILLIS
                    + "ms), the clock's resolution");
        }
        return ms;
    }

    /** The --epoch in milliseconds since the Unix epoch, or null for the machine's own clock. */
    Long epochMillis() {
        if (epoch == null) {
            return null;
        }
        try {
            return Instant.parse(epoch).toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(epoch).toInstant().toEpochMilli();
            } catch (DateTimeParseException e2) {
                throw new UserError("--epoch: '" + epoch + "' is not an ISO-8601 instant (e.g. 2026-01-01T00:00:00Z)");
            }
        }
    }

    /** The series, checked against the scenario's names. */
    SeriesSet seriesFor(Scenario scenario) {
        return seriesFor(series, List.of(), scenario);
    }

    /**
     * The series of {@code --series} options (each a comma-separated list; none: the default set), then the
     * {@code extra} ones not among them, checked against the scenario's names; a UserError saying why not.
     */
    static SeriesSet seriesFor(List<String> options, List<String> extra, Scenario scenario) {
        java.util.LinkedHashSet<String> exprs = new java.util.LinkedHashSet<>();
        for (String s : options) {
            exprs.addAll(SeriesSet.split(s));
        }
        if (exprs.isEmpty() && !extra.isEmpty()) {
            exprs.addAll(SeriesSet.defaultNames());
        }
        exprs.addAll(extra);
        try {
            return SeriesSet.parse(List.copyOf(exprs), scenario);
        } catch (IllegalArgumentException e) {
            throw new UserError("--series: " + e.getMessage());
        }
    }
}
