package io.simproc.bench;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.mm.Gfp;
import io.simproc.mm.PageAlloc;
import io.simproc.mm.PageOwner;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Order-0 allocate + free pairs on the default 8 GiB machine, through the whole allocator path (zonelist,
 * watermark check, per-cpu lists, buddy refill and drain). Two patterns: one page allocated and freed at once
 * (served by the per-cpu list), and 256 pages held then freed (refills and drains batches). A failed allocation
 * throws.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AllocFreeBenchmark {
    static final int BATCH = 256;
    private Kernel kernel;
    private PageAlloc alloc;
    private final int[] held = new int[BATCH];

    @Setup(Level.Trial)
    public void boot() {
        kernel = Kernel.boot(MachineProfileLoader.loadDefault(), 1);
        alloc = kernel.mm().pageAlloc();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int allocFreeImmediately() {
        return kernel.mutate(() -> {
            int sum = 0;
            for (int i = 0; i < BATCH; i++) {
                int pfn = Checks.page(alloc.allocPages(Gfp.GFP_KERNEL, 0, 0, i & 3, PageOwner.KERNEL));
                alloc.freePages(pfn, 0, i & 3);
                sum += pfn;
            }
            return sum;
        });
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int allocBatchThenFree() {
        return kernel.mutate(() -> {
            for (int i = 0; i < BATCH; i++) {
                held[i] = Checks.page(alloc.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0, 0, 1, PageOwner.KERNEL));
            }
            int sum = 0;
            for (int i = 0; i < BATCH; i++) {
                alloc.freePages(held[i], 0, 1);
                sum += held[i];
            }
            return sum;
        });
    }
}
