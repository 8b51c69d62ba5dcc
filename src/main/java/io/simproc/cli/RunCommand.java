package io.simproc.cli;

import io.simproc.kernel.Kernel;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTree;
import io.simproc.sysctl.SysctlTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code simproc run --out DIR}: boot a machine and write its whole /proc to DIR/proc as ordinary files, for
 * tools that read another proc root.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Boot a simulated machine and write its /proc as a static tree to DIR/proc (no FUSE).",
            "Then: smem -S DIR, prometheus-node-exporter --path.procfs=DIR/proc, psutil.PROCFS_PATH=DIR/proc."})
final class RunCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write DIR/proc.")
    Path out;

    @Option(names = "--force", description = "Replace an existing DIR/proc.")
    boolean force;

    @Mixin
    MachineOptions machine;

    @Option(names = {"-q", "--quiet"}, description = "Print only errors.")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        Console console = new Console(System.err, quiet);
        Path target = out.resolve("proc");
        if (Files.exists(target)) {
            if (!force) {
                throw new UserError(target + " already exists; remove it or pass --force");
            }
            deleteTree(target);
        }
        Kernel kernel = machine.boot(console);
        new TreeWriter(new ProcFs(kernel, ProcTree.create(SysctlTable.create()))).write(target);
        console.progress("wrote " + target);
        return 0;
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
