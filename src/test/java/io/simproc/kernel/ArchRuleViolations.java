package io.simproc.kernel;

import io.simproc.proc.ProcFs;

import java.time.Instant;
import java.util.Random;

/**
 * Not a test: a class in the kernel package that breaks the architecture rules on purpose, so that
 * {@code io.simproc.arch.ArchitectureTest} can show each rule really detects what it forbids. It lives in the test
 * sources and is never imported by the rules that check production code.
 */
public final class ArchRuleViolations {
    private ArchRuleViolations() {
    }

    /** A wall-clock read. */
    public static long now() {
        return System.currentTimeMillis();
    }

    /** A wall-clock read through java.time. */
    public static Instant instant() {
        return Instant.now();
    }

    /** Unseeded randomness. */
    public static int roll() {
        return new Random().nextInt(6);
    }

    /** kernel depending on proc. */
    public static ProcFs proc() {
        return null;
    }
}
