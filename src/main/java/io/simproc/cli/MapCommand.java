package io.simproc.cli;

import io.simproc.config.Durations;
import io.simproc.config.Sizes;
import io.simproc.control.ControlClient;
import io.simproc.control.ControlException;
import io.simproc.kernel.Kernel;
import io.simproc.mm.PageblockSnapshot;
import io.simproc.physmap.PageblockText;
import io.simproc.physmap.PhysMapLayout;
import io.simproc.physmap.Picture;
import io.simproc.physmap.PngWriter;
import io.simproc.physmap.SvgWriter;
import io.simproc.scenario.Scenario;
import io.simproc.scenario.ScenarioParser;
import io.simproc.scenario.StepRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code simproc map [DIR] --out FILE.svg|FILE.png}: draw the physical memory of the machine mounted at DIR (asked
 * through its control socket) or, without DIR, of a freshly booted one, optionally after running a scenario up to a
 * time ({@code --scenario FILE --at TIME}), pageblock by pageblock (see {@link PhysMapLayout}).
 */
@Command(name = "map", mixinStandardHelpOptions = true,
        description = {"Draw a simulated machine's physical memory: one cell per pageblock, coloured by migrate type,",
            "shaded by how full it is, free blocks of pageblock order or more outlined.",
            "With DIR: the machine mounted there, now; without: a freshly booted one (-m, -s), or one that ran",
            "a scenario up to --at (default: the scenario's end)."})
final class MapCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "Mount point of a running machine.")
    Path dir;

    @Option(names = "--out", required = true, paramLabel = "FILE",
            description = "Picture to write; the format follows the extension: .svg or .png.")
    Path out;

    @Mixin
    MachineOptions machine;

    @Option(names = "--scenario", paramLabel = "SCENARIO",
            description = "Run this scenario (docs/SCENARIOS.md) on the booted machine first.")
    Path scenarioFile;

    @Option(names = "--at", paramLabel = "TIME",
            description = "With --scenario: the scenario time to draw, e.g. 30s (default: its end).")
    String at;

    @Option(names = "--progress", negatable = true,
            description = "Show simulated time and speed while a scenario runs (default: on a terminal).")
    Boolean progress;

    @Option(names = {"-q", "--quiet"}, description = "Print only errors.")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        Format format = Format.of(out);
        Console console = new Console(System.err, quiet);
        if (at != null && scenarioFile == null) {
            throw new UserError("--at needs a --scenario to run");
        }
        if (dir != null) {
            if (machine.given()) {
                throw new UserError("--machine describes a machine to boot; the one at " + dir + " is already running");
            }
            if (scenarioFile != null) {
                throw new UserError("--scenario runs on a machine booted for the picture; to draw the one at " + dir
                        + " after a scenario, use: simproc ctl " + dir + " apply SCENARIO, then simproc map " + dir);
            }
            List<String> lines = new ArrayList<>();
            try {
                ControlClient.send(dir, "pageblocks", List.of(), new ControlClient.Listener() {
                    @Override
                    public void out(String line) {
                        lines.add(line);
                    }

                    @Override
                    public void err(String line) {
                        console.error(line);
                    }

                    @Override
                    public void progress(long doneMillis, long totalMillis) {
                    }
                });
            } catch (ControlException e) {
                throw new UserError(e.getMessage());
            }
            if (lines.isEmpty() || !lines.get(0).startsWith("title ")) {
                throw new UserError("the daemon at " + dir + " sent no pageblock map");
            }
            write(PhysMapLayout.layout(PageblockText.parse(lines.subList(1, lines.size())),
                    lines.get(0).substring("title ".length())), format, out);
            console.progress("wrote " + out);
            return 0;
        }
        Kernel kernel;
        String when;
        if (scenarioFile != null) {
            Scenario scenario = new ScenarioParser(StepRegistry.standard()).load(scenarioFile);
            long millis;
            try {
                millis = at == null ? scenario.endMillis() : Durations.parseMillis(at);
            } catch (IllegalArgumentException e) {
                throw new UserError("--at: " + e.getMessage());
            }
            RunCommand.Started started = RunCommand.start(scenario, scenarioFile, machine, console);
            kernel = started.kernel();
            ProgressLine bar = new ProgressLine(System.err, progress != null ? progress : ProgressLine.terminal());
            RunCommand.advance(kernel, started.run(), millis, millis, bar);
            bar.done();
            when = "scenario " + scenario.name() + " at " + Durations.format(millis) + ", "
                    + kernel.read(k -> uptime(k.clock().nanos()));
        } else {
            kernel = machine.boot(console);
            when = kernel.read(k -> uptime(k.clock().nanos()));
        }
        PageblockSnapshot snapshot = kernel.read(k -> PageblockSnapshot.take(k.mm()));
        String title = String.format("Physical memory of machine '%s' (%s, seed %d) at %s", kernel.profile().name(),
                Sizes.human(kernel.profile().ramBytes()), kernel.seed(), when);
        write(PhysMapLayout.layout(snapshot, title), format, out);
        console.progress("wrote " + out);
        return 0;
    }

    static String uptime(long nanos) {
        return String.format("uptime %.2f s", nanos / 1e9);
    }

    /** Write atomically: a temporary file beside the target, then a rename. */
    static void write(Picture picture, Format format, Path out) throws IOException {
        Path dir = out.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new UserError(dir + " is not a directory");
        }
        Path tmp = Files.createTempFile(dir, ".simproc-map-", ".tmp");
        try {
            if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            }
            try (OutputStream o = Files.newOutputStream(tmp)) {
                if (format == Format.SVG) {
                    o.write(SvgWriter.write(picture).getBytes(StandardCharsets.UTF_8));
                } else {
                    PngWriter.write(picture, o);
                }
            }
            Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    enum Format {
        SVG, PNG;

        static Format of(Path file) {
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".svg")) {
                return SVG;
            }
            if (name.endsWith(".png")) {
                return PNG;
            }
            throw new UserError("--out " + file + ": the picture's format follows its extension, .svg or .png");
        }
    }
}
