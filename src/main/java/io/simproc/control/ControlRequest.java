package io.simproc.control;

/**
 * One kind of control request: its word and what the daemon does for it. Requests run on the connection's thread;
 * a change to the machine goes through {@link Daemon#runScenario} (so that checkpoints journal it), a read through
 * {@code kernel.read}.
 */
public interface ControlRequest {
    /** The request's word, as the client sends it: {@code status}, {@code apply}... */
    String name();

    /** Its arguments, for usage messages: {@code FILE}. */
    String usage();

    /** Carry it out; throw {@link ControlException} to fail it. */
    void handle(Daemon daemon, java.util.List<String> args, Reply reply);
}
