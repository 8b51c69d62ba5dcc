package io.simproc.kernel;

import java.util.List;

/**
 * The machine's one network namespace (struct net init_net, net/core/net_namespace.c): of its per-namespace state
 * the simulation keeps the net.core sysctl readers ask for, the devices' IPv6 addresses and connection tracking.
 * No socket is simulated, so nothing listens with the backlog somaxconn caps; the value is kept as written.
 */
public final class InitNet {
    /** SOMAXCONN (include/linux/socket.h), netns_core_init()'s default since 5.4. */
    public static final int SOMAXCONN = 4096;

    private int somaxconn = SOMAXCONN;
    private List<Inet6Addrs> inet6Addrs = List.of();
    private NfConntrack conntrack;
    private final NfLog nfLog = new NfLog();

    /**
     * What boot sets up: preinit_net()'s net->hash_mix (get_random_u32(), here from the seed), which orders the
     * IPv6 address hash, the devices' addresses, and nf_conntrack_init_start() on the machine's memory.
     */
    void boot(long totalramPages, SeededRandom random) {
        int hashMix = (int) random.nextLong(1L << 32);
        inet6Addrs = Inet6Addrs.of(NetDevices.all(), hashMix);
        conntrack = NfConntrack.init(totalramPages);
    }

    /** The IPv6 addresses in if_inet6's order. */
    public List<Inet6Addrs> inet6Addrs() {
        return inet6Addrs;
    }

    /** Netfilter's packet loggers bound in this namespace. */
    public NfLog nfLog() {
        return nfLog;
    }

    /** Connection tracking's state in this namespace (and its global sizing). */
    public NfConntrack conntrack() {
        return conntrack;
    }

    /** netns_core.sysctl_somaxconn: the cap on a listen(2) backlog. */
    public int somaxconn() {
        return somaxconn;
    }

    public void setSomaxconn(int value) {
        somaxconn = value;
    }
}
