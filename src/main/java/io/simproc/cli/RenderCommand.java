package io.simproc.cli;

import io.simproc.kernel.Kernel;
import io.simproc.proc.ProcDir;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.ProcException;
import io.simproc.proc.ProcFile;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcLink;
import io.simproc.proc.ProcTree;
import io.simproc.sysctl.SysctlTable;
import io.simproc.sysfs.SysTree;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * {@code simproc render FILE}: boot a machine and print one of its proc files (or, with --sys, sysfs files), read
 * as root; no FUSE needed.
 */
@Command(name = "render", mixinStandardHelpOptions = true,
        description = {"Boot a simulated machine and print one proc file to stdout (no FUSE).",
            "FILE is a path inside /proc: meminfo, /proc/zoneinfo, sys/vm/min_free_kbytes...; with --sys a path"
                + " inside /sys: devices/system/node/node0/meminfo, /sys/kernel/mm/transparent_hugepage/enabled..."})
final class RenderCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE")
    String file;

    @Option(names = "--sys", description = "FILE is in the machine's /sys, not its /proc.")
    boolean sys;

    @Mixin
    MachineOptions machine;

    @Override
    public Integer call() throws IOException {
        String root = sys ? "/sys" : "/proc";
        String path = pathIn(root, file);
        Kernel kernel = machine.boot(new Console(System.err, true));
        ProcFs fs = new ProcFs(kernel, sys ? SysTree.create(kernel) : ProcTree.create(SysctlTable.create()));
        ProcEntry e = fs.lookup(path, Credentials.ROOT);
        if (e == null) {
            throw new UserError(root + path + ": No such file or directory");
        }
        if (e instanceof ProcDir || e instanceof ProcLink) {
            throw new UserError(root + path + ": not a regular file");
        }
        ProcFile f = (ProcFile) e;
        if (ProcFs.permission(f, Credentials.ROOT, ProcFs.MAY_READ) != 0) {
            throw new UserError(root + path + ": Permission denied (write-only file)");
        }
        byte[] bytes;
        try {
            bytes = fs.render(f, Credentials.ROOT);
        } catch (ProcException ex) {
            throw new UserError(root + path + ": " + Errno.describe(ex.errno()));
        }
        System.out.write(bytes);
        System.out.flush();
        return 0;
    }

    /** "meminfo", "/meminfo" and "/proc/meminfo" all mean /proc/meminfo; returns the path inside /proc. */
    static String procPath(String file) {
        return pathIn("/proc", file);
    }

    /** The path inside {@code root} ("/proc" or "/sys") of FILE given relative, absolute in it, or with the root. */
    static String pathIn(String root, String file) {
        String p = file.trim();
        if (p.startsWith(root + "/")) {
            p = p.substring(root.length());
        } else if (p.equals(root)) {
            p = "/";
        }
        return p.startsWith("/") ? p : "/" + p;
    }
}
