package io.simproc.cli;

import io.simproc.control.ControlClient;
import io.simproc.control.ControlException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code simproc ctl DIR REQUEST [ARGS]}: control the daemon serving the mount at DIR through its control socket
 * (docs/SCENARIOS.md, "Live control"). Exit status 0 when the request succeeded, 1 when it failed (no daemon, a bad
 * scenario), 2 on a malformed request.
 */
@Command(name = "ctl", mixinStandardHelpOptions = true,
        description = {"Control the simulated machine mounted at DIR.",
            "Requests: status | apply FILE | advance DURATION | pause | resume | speed X",
            "          | spawn NAME [--program P] [--rss SIZE] [--file PATH:SIZE]... | kill PID [SIGNAL] | dmesg",
            "          | pageblocks | save FILE",
            "          | record FILE --for DURATION [--every DURATION] [--series EXPR,...] [--plot CHART.svg|png]"})
final class CtlCommand implements Callable<Integer> {
    /** An advance shows a progress bar once it has taken this long. */
    static final long PROGRESS_AFTER_NANOS = 1_000_000_000L;

    @Parameters(index = "0", paramLabel = "DIR", description = "The mount point.")
    Path dir;

    @Parameters(index = "1", paramLabel = "REQUEST", description = "status, apply, advance, pause, resume, speed,"
            + " spawn, kill, dmesg, save, record, pageblocks, cgroup.")
    String request;

    @Parameters(index = "2..*", paramLabel = "ARG", description = "The request's arguments.")
    List<String> args = new ArrayList<>();

    @Option(names = "--progress", negatable = true,
            description = "Show a progress bar for advances over a second (default: on a terminal).")
    Boolean progress;

    @Override
    public Integer call() {
        List<String> sent = new ArrayList<>(args);
        if (request.equals("apply") && sent.size() == 1) {
            Path file = Path.of(sent.get(0)).toAbsolutePath().normalize();
            if (!Files.isReadable(file)) {
                throw new UserError(sent.get(0) + ": no such scenario file");
            }
            sent.set(0, file.toString());
        }
        if (request.equals("record") && !sent.isEmpty() && !sent.get(0).startsWith("-")) {
            sent.set(0, Path.of(sent.get(0)).toAbsolutePath().normalize().toString());
            for (int i = 1; i + 1 < sent.size(); i++) {
                if (sent.get(i).equals("--plot")) {
                    sent.set(i + 1, Path.of(sent.get(i + 1)).toAbsolutePath().normalize().toString());
                }
            }
        }
        if (request.equals("save") && sent.size() == 1) {
            sent.set(0, Path.of(sent.get(0)).toAbsolutePath().normalize().toString());
        }
        ProgressLine bar = new ProgressLine(System.err, progress != null ? progress : ProgressLine.terminal(),
                PROGRESS_AFTER_NANOS);
        try {
            ControlClient.send(dir, request, sent, new ControlClient.Listener() {
                @Override
                public void out(String line) {
                    bar.done();
                    System.out.println(line);
                }

                @Override
                public void err(String line) {
                    bar.done();
                    System.err.println("simproc: " + line);
                }

                @Override
                public void progress(long doneMillis, long totalMillis) {
                    bar.update(doneMillis / 1000.0, totalMillis / 1000.0,
                            request.equals("record") ? "simproc: recording" : "simproc: advancing");
                }
            });
        } catch (ControlException e) {
            bar.done();
            if (e.status() == ControlException.USAGE) {
                System.err.println("simproc: " + e.getMessage());
                return ControlException.USAGE;
            }
            throw new UserError(e.getMessage());
        } finally {
            System.out.flush();
        }
        bar.done();
        return 0;
    }
}
