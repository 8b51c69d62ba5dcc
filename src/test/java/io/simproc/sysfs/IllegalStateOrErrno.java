package io.simproc.sysfs;

import io.simproc.proc.ProcException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A read refused with an errno (the renderer's ProcException). */
final class IllegalStateOrErrno {
    private IllegalStateOrErrno() {
    }

    static void assertErrno(int errno, Runnable read) {
        assertEquals(errno, assertThrows(ProcException.class, read::run).errno());
    }
}
