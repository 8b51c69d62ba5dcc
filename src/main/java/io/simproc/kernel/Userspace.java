package io.simproc.kernel;

/**
 * What runs on the machine once the kernel has booted (init/main.c kernel_init → run_init_process): given the
 * init task (pid 1, not yet running a program), it execs /sbin/init and starts the services. Implemented outside
 * the kernel (the workload package); the kernel calls it one second into boot.
 */
@FunctionalInterface
public interface Userspace {
    /** Start userspace: exec a program into {@code init} and schedule whatever else should run. */
    void start(Kernel kernel, Task init);

    /** A machine with no userspace: init stays a kernel thread that never execs. */
    Userspace NONE = (kernel, init) -> { };
}
