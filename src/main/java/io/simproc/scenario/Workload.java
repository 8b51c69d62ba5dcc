package io.simproc.scenario;

/**
 * Something a step started that goes on over simulated time (touching memory at a rate): it runs in ticks from
 * kernel timers until it is done, and shows in {@code simproc ctl DIR status} while it runs.
 */
public interface Workload {
    /** Do one tick's worth; return false when finished. */
    boolean tick(ScenarioRun run);

    /** What it is doing, for status: {@code touch 2G of buf in db at 200M/s: 35%}. */
    String describe();
}
