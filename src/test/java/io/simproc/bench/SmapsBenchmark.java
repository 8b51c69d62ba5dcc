package io.simproc.bench;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.mm.Prot;
import io.simproc.proc.ProcFile;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTree;
import io.simproc.sysctl.SysctlTable;
import io.simproc.uapi.Credentials;
import io.simproc.workload.Program;
import io.simproc.workload.ProgramCatalog;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Rendering /proc/PID/smaps of a process with 10,000 VMAs (each a page of anonymous memory, touched, alternating
 * protections so that they do not merge) — the figure mount-scripts/bench sets beside the host kernel rendering
 * the smaps of a real 10,000-VMA process (src/test/c/vmas.c). A rendering too short to hold every VMA throws.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SmapsBenchmark {
    static final int VMAS = 10_000;
    /** Fewer bytes than any smaps record has: its mapping line, 22 lines of "Name:   N kB" (28 bytes each) and more. */
    static final int SMAPS_RECORD_MIN = 500;
    private ProcFs fs;
    private ProcFile smaps;

    @Setup(Level.Trial)
    public void process() {
        Kernel kernel = Kernel.boot(MachineProfileLoader.loadDefault(), 1);
        Program bash = ProgramCatalog.embedded().program("bash");
        Task t = kernel.mutate(() -> {
            Task p = kernel.processes().fork(kernel.tasks().get(2));
            Checks.ok(kernel.syscalls().execve(p, bash.exe(), bash.interp(), bash.libs(), List.of("bash")), "execve");
            int existing = p.mm().mapCount();
            for (int i = 0; existing + i < VMAS; i++) {
                int prot = (i & 1) == 0 ? Prot.READ | Prot.WRITE : Prot.READ;
                long a = Checks.mapped(kernel.syscalls().mmap(p, 0, 4096, prot, Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS,
                        null, 0));
                Checks.ok(kernel.syscalls().touch(p, a, 1, (prot & Prot.WRITE) != 0), "touch");
            }
            return p;
        });
        fs = new ProcFs(kernel, ProcTree.create(SysctlTable.create()));
        smaps = (ProcFile) fs.lookup("/" + t.pid() + "/smaps", Credentials.ROOT);
        int vmas = t.mm().mapCount();
        if (vmas != VMAS) {
            throw new IllegalStateException("expected " + VMAS + " VMAs, got " + vmas);
        }
    }

    /** The rendering, checked to be long enough to hold a record for every VMA. */
    @Benchmark
    public byte[] renderSmaps() {
        byte[] text = fs.render(smaps, Credentials.ROOT);
        if (text.length < VMAS * SMAPS_RECORD_MIN) {
            throw new IllegalStateException("smaps of " + VMAS + " VMAs rendered " + text.length + " bytes");
        }
        return text;
    }
}
