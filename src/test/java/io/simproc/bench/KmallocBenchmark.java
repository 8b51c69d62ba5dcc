package io.simproc.bench;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.mm.Gfp;
import io.simproc.mm.slab.Slab;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * kmalloc + kfree pairs on the default 8 GiB machine for a 64-byte (kmalloc-64) and a 4 KiB (kmalloc-4k, order-3
 * slabs) request: one object allocated and freed at once (the CPU slab), and 256 held then freed (partial slabs,
 * new slabs from the buddy allocator and empty ones given back). A kmalloc that returns NULL throws.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class KmallocBenchmark {
    static final int BATCH = 256;
    @Param({"64", "4096"})
    public int size;
    private Kernel kernel;
    private Slab slab;
    private final long[] held = new long[BATCH];

    @Setup(Level.Trial)
    public void boot() {
        kernel = Kernel.boot(MachineProfileLoader.loadDefault(), 1);
        slab = kernel.mm().slab();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long kmallocKfreeImmediately() {
        return kernel.mutate(() -> {
            long sum = 0;
            for (int i = 0; i < BATCH; i++) {
                long a = Checks.object(slab.kmalloc(size, Gfp.GFP_KERNEL, i & 3), size);
                slab.kfree(a, i & 3);
                sum += a;
            }
            return sum;
        });
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long kmallocBatchThenKfree() {
        return kernel.mutate(() -> {
            for (int i = 0; i < BATCH; i++) {
                held[i] = Checks.object(slab.kmalloc(size, Gfp.GFP_KERNEL, 0), size);
            }
            long sum = 0;
            for (int i = 0; i < BATCH; i++) {
                slab.kfree(held[i], 0);
                sum += held[i];
            }
            return sum;
        });
    }
}
