package io.simproc.proc;

import io.simproc.kernel.ElfImage;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.sysctl.SysctlTable;
import io.simproc.uapi.Credentials;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Simulated processes for the /proc/PID tests: a small machine, three ELF images laid out like Debian's bash,
 * ld.so and libc (offsets, protections, RELRO and bss as their program headers give them), and a way to start
 * a process running them, forked from kthreadd as a user-mode helper would be.
 */
public final class PidFixture {
    public static final ElfImage BASH = new ElfImage("/usr/bin/bash", 0x148000, List.of(
            new ElfImage.Mapping(0, 0x30000, "r", false),
            new ElfImage.Mapping(0x30000, 0xd1000, "rx", false),
            new ElfImage.Mapping(0x101000, 0x3a000, "r", false),
            new ElfImage.Mapping(0x13b000, 0x4000, "rw", true),
            new ElfImage.Mapping(0x13f000, 0x9000, "rw", false)), 0xa000);
    public static final ElfImage LD = new ElfImage("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", 0x34000, List.of(
            new ElfImage.Mapping(0, 0x1000, "r", false),
            new ElfImage.Mapping(0x1000, 0x25000, "rx", false),
            new ElfImage.Mapping(0x26000, 0xa000, "r", false),
            new ElfImage.Mapping(0x30000, 0x2000, "rw", true),
            new ElfImage.Mapping(0x32000, 0x2000, "rw", false)), 0);
    public static final ElfImage LIBC = new ElfImage("/usr/lib/x86_64-linux-gnu/libc.so.6", 0x1d4000, List.of(
            new ElfImage.Mapping(0, 0x26000, "r", false),
            new ElfImage.Mapping(0x26000, 0x155000, "rx", false),
            new ElfImage.Mapping(0x17b000, 0x53000, "r", false),
            new ElfImage.Mapping(0x1ce000, 0x4000, "rw", true),
            new ElfImage.Mapping(0x1d2000, 0x2000, "rw", false)), 0xd000);

    public final Kernel kernel;
    public final ProcFs fs;

    public PidFixture(String profile) {
        kernel = Kernel.boot(MachineProfileLoader.parse("test", profile), 1);
        fs = new ProcFs(kernel, ProcTree.create(SysctlTable.create()));
    }

    public PidFixture() {
        this("memory: 1G\n");
    }

    /** A new process running bash with these arguments; forked from kthreadd. */
    public Task spawn(List<String> argv) {
        return spawn(BASH, argv);
    }

    public Task spawn(ElfImage exe, List<String> argv) {
        return kernel.mutate(() -> {
            Task p = kernel.processes().fork(kernel.tasks().get(2));
            assertNotNull(p, "fork");
            assertEquals(0, kernel.syscalls().execve(p, exe, LD, List.of(LIBC), argv), "execve");
            return p;
        });
    }

    /** The text of /proc/PATH as {@code who} finds and reads it. */
    public String read(String path, Credentials who) {
        ProcEntry e = fs.lookup(path, who);
        assertNotNull(e, "no proc entry at " + path);
        return new String(fs.render(assertInstanceOf(ProcFile.class, e), who), StandardCharsets.UTF_8);
    }

    /** One write(2) of {@code text} to /proc/PATH by {@code who}: bytes consumed or -errno. */
    public int write(String path, String text, Credentials who) {
        ProcFile file = assertInstanceOf(ProcFile.class, fs.lookup(path, who), path);
        int denied = ProcFs.permission(file, who, ProcFs.MAY_WRITE);
        if (denied != 0) {
            return denied;
        }
        return fs.write(file, who, text.getBytes(StandardCharsets.ISO_8859_1), 0);
    }

    public String read(String path) {
        return ProcTestSupport.read(fs, path);
    }
}
