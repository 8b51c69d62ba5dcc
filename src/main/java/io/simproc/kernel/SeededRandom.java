package io.simproc.kernel;

import java.util.SplittableRandom;

/**
 * The only source of randomness in the simulation: a seeded generator, forked per subsystem by name so that one
 * subsystem drawing more numbers does not change what another sees. Same seed, same machine, byte for byte.
 */
public final class SeededRandom {
    private final long seed;
    private final SplittableRandom rng;

    public SeededRandom(long seed) {
        this.seed = seed;
        this.rng = new SplittableRandom(seed);
    }

    /** An independent stream for a named subsystem, derived from the seed and the name only. */
    public SeededRandom fork(String name) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < name.length(); i++) {
            h = (h ^ name.charAt(i)) * 0x100000001B3L;
        }
        return new SeededRandom(h ^ (h >>> 29));
    }

    public int nextInt(int bound) {
        return rng.nextInt(bound);
    }

    public int nextInt(int origin, int bound) {
        return rng.nextInt(origin, bound);
    }

    public long nextLong(long bound) {
        return rng.nextLong(bound);
    }

    public double nextDouble() {
        return rng.nextDouble();
    }

    public boolean chance(double p) {
        return rng.nextDouble() < p;
    }

    /** An exponentially distributed value with the given mean. */
    public double exponential(double mean) {
        return -mean * Math.log(1.0 - rng.nextDouble());
    }

    /** A Poisson-distributed count with the given mean (Knuth for small means, normal approximation above). */
    public int poisson(double mean) {
        if (mean <= 0) {
            return 0;
        }
        if (mean > 30) {
            double g = mean + Math.sqrt(mean) * gaussian();
            return (int) Math.max(0, Math.round(g));
        }
        double l = Math.exp(-mean);
        int k = 0;
        double p = 1;
        do {
            k++;
            p *= rng.nextDouble();
        } while (p > l);
        return k - 1;
    }

    private double gaussian() {
        double u = 1.0 - rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
