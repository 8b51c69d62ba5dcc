package io.simproc.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Two builds of simproc in one JVM, compared by CPU time: {@code java -cp JMH_AND_DEPS io.simproc.bench.CpuTimeAb
 * BEFORE AFTER CLASS METHOD [SLICES]}, where BEFORE and AFTER are project directories with compiled
 * {@code target/classes} and {@code target/test-classes}, CLASS is {@code AllocFreeBenchmark} or
 * {@code FaultBenchmark} and METHOD one of its benchmarks. Each build gets its own class loader and its own booted
 * machine; after a warm-up of both, slices of the benchmark method run alternately (before, after, after, before...)
 * and each slice is timed by the thread's CPU time, so that time the thread spends descheduled by other processes
 * does not count. FaultBenchmark's per-invocation setup and teardown run between the timed calls. Prints the median
 * CPU time per operation of each build and the median and quartiles of AFTER / BEFORE over the slice pairs. One run
 * is one JVM, whose JIT decisions vary: compare several runs, swapping BEFORE and AFTER.
 */
public final class CpuTimeAb {
    private CpuTimeAb() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: CpuTimeAb BEFORE_DIR AFTER_DIR AllocFreeBenchmark|FaultBenchmark METHOD [SLICES]");
            System.exit(2);
        }
        String cls = "io.simproc.bench." + args[2];
        String bench = args[3];
        int slices = args.length > 4 ? Integer.parseInt(args[4]) : 20;
        boolean fault = args[2].equals("FaultBenchmark");
        int calls = fault ? 20 : 400;
        int opsPerCall = fault ? FaultBenchmark.PAGES : AllocFreeBenchmark.BATCH;
        Side[] sides = {new Side(args[0], cls, bench, fault), new Side(args[1], cls, bench, fault)};
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        for (int w = 0; w < 40; w++) {
            for (Side s : sides) {
                s.run(calls, cpu);
            }
        }
        double[][] nsPerOp = new double[2][slices];
        for (int k = 0; k < slices; k++) {
            for (int j = 0; j < 2; j++) {
                int s = k % 2 == 0 ? j : 1 - j;
                nsPerOp[s][k] = sides[s].run(calls, cpu) / ((double) calls * opsPerCall);
            }
        }
        double[] ratio = new double[slices];
        for (int k = 0; k < slices; k++) {
            ratio[k] = nsPerOp[1][k] / nsPerOp[0][k];
        }
        System.out.printf("%s.%s: before %.1f ns/op, after %.1f ns/op (CPU, medians of %d slices); after/before %.3f"
                + " (p25 %.3f, p75 %.3f)%n", args[2], bench, median(nsPerOp[0]), median(nsPerOp[1]), slices,
                median(ratio), quantile(ratio, 0.25), quantile(ratio, 0.75));
    }

    private static double median(double[] v) {
        return quantile(v, 0.5);
    }

    private static double quantile(double[] v, double q) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.floor(q * s.length))];
    }

    /** One build: its class loader, a booted benchmark state and the methods to call. */
    private static final class Side {
        private final Object state;
        private final Method bench;
        private final Method setup;
        private final Method teardown;

        Side(String dir, String cls, String method, boolean fault) throws Exception {
            List<URL> urls = new ArrayList<>();
            urls.add(Path.of(dir, "target", "test-classes").toUri().toURL());
            urls.add(Path.of(dir, "target", "classes").toUri().toURL());
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                if (entry.endsWith(".jar")) {
                    urls.add(Path.of(entry).toUri().toURL());
                }
            }
            ClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
            Class<?> c = loader.loadClass(cls);
            state = c.getConstructor().newInstance();
            c.getMethod("boot").invoke(state);
            bench = c.getMethod(method);
            setup = fault ? c.getMethod("forkWithSharedMemory") : null;
            teardown = fault ? c.getMethod("reap") : null;
        }

        /** {@code calls} invocations of the benchmark; returns the CPU nanoseconds they took. */
        long run(int calls, ThreadMXBean cpu) throws Exception {
            long total = 0;
            for (int i = 0; i < calls; i++) {
                if (setup != null) {
                    setup.invoke(state);
                }
                long t0 = cpu.getCurrentThreadCpuTime();
                bench.invoke(state);
                total += cpu.getCurrentThreadCpuTime() - t0;
                if (teardown != null) {
                    teardown.invoke(state);
                }
            }
            return total;
        }
    }
}
