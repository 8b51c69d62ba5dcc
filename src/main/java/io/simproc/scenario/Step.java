package io.simproc.scenario;

/**
 * One action of a scenario's timeline, parsed by its {@link StepKind} and run at its simulated time as the
 * machine's single writer (from a kernel timer, under the write lock).
 */
public interface Step {
    /**
     * Do it. When the machine refuses (an errno, a process that has exited) throw {@link StepException}; the run
     * reports it as a failed step and carries on.
     */
    void run(ScenarioRun run);

    /** What the step does, in a few words, for status lines and error messages: {@code malloc 300M in db}. */
    String describe();

    /** The scenario's name for the process this step starts (spawn, fork), or null when it starts none. */
    default String startsProcess() {
        return null;
    }
}
