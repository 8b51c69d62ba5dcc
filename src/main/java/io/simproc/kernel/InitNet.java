package io.simproc.kernel;

/**
 * The machine's one network namespace (struct net init_net, net/core/net_namespace.c): of its per-namespace state
 * the simulation keeps the net.core sysctl readers ask for. No socket is simulated, so nothing listens with the
 * backlog somaxconn caps; the value is kept as written.
 */
public final class InitNet {
    /** SOMAXCONN (include/linux/socket.h), netns_core_init()'s default since 5.4. */
    public static final int SOMAXCONN = 4096;

    private int somaxconn = SOMAXCONN;

    /** netns_core.sysctl_somaxconn: the cap on a listen(2) backlog. */
    public int somaxconn() {
        return somaxconn;
    }

    public void setSomaxconn(int value) {
        somaxconn = value;
    }
}
