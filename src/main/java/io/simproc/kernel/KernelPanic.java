package io.simproc.kernel;

/**
 * Thrown out of the simulation step that called panic(): the machine has stopped. Its state stays readable (the
 * mount keeps serving files and the log holds the panic message); nothing changes it any more.
 */
public final class KernelPanic extends RuntimeException {
    public KernelPanic(String message) {
        super("Kernel panic - not syncing: " + message);
    }
}
