package io.simproc.kernel;

import io.simproc.uapi.Errno;

import java.util.List;
import java.util.Locale;

/**
 * Netfilter's packet loggers (net/netfilter/nf_log.c) as the guest kernel registers them: nf_log_syslog's
 * (CONFIG_NF_LOG_SYSLOG=y) for IPv4, ARP, netdev, bridge and IPv6, each bound in the namespace by its pernet init
 * (nf_log_syslog_net_init()), and nfnetlink_log's (CONFIG_NETFILTER_NETLINK_LOG=y), registered for every family
 * (NFPROTO_UNSPEC) and bound to none. Also the two switches beside them: nf_log_all_netns and nf_hooks_lwtunnel.
 */
public final class NfLog {
    /** NFPROTO_NUMPROTO (include/uapi/linux/netfilter.h): families 0..10, one nf_log/N file each. */
    public static final int NFPROTO_NUMPROTO = 11;
    /** NFPROTO_IPV4, NFPROTO_ARP, NFPROTO_NETDEV, NFPROTO_BRIDGE, NFPROTO_IPV6. */
    static final int NFPROTO_IPV4 = 2;
    static final int NFPROTO_ARP = 3;
    static final int NFPROTO_NETDEV = 5;
    static final int NFPROTO_BRIDGE = 7;
    static final int NFPROTO_IPV6 = 10;
    /** nfulnl_logger's name (net/netfilter/nfnetlink_log.c). */
    static final String NFNETLINK_LOG = "nfnetlink_log";

    /** loggers[pf][NF_LOG_TYPE_LOG]: nf_log_syslog's logger of each family, or null. */
    private static final String[] SYSLOG = syslogLoggers();

    private final String[] bound = SYSLOG.clone();
    private int allNetns;
    private boolean lwtunnelHooks;

    private static String[] syslogLoggers() {
        String[] l = new String[NFPROTO_NUMPROTO];
        l[NFPROTO_IPV4] = "nf_log_ipv4";
        l[NFPROTO_ARP] = "nf_log_arp";
        l[NFPROTO_NETDEV] = "nf_log_netdev";
        l[NFPROTO_BRIDGE] = "nf_log_bridge";
        l[NFPROTO_IPV6] = "nf_log_ipv6";
        return l;
    }

    /** The logger family {@code pf} is bound to, or "NONE" (nf_log_proc_dostring()'s read). */
    public String bound(int pf) {
        return bound[pf] == null ? "NONE" : bound[pf];
    }

    /**
     * nf_log_proc_dostring()'s write: "NONE" unbinds; otherwise __find_logger() looks among the family's registered
     * loggers for one whose name the string starts with, ignoring case (strncasecmp over the logger name's
     * length), and binds it; none is ENOENT. Returns 0 or a negative errno.
     */
    public int bind(int pf, String name) {
        if (name.equals("NONE")) {
            bound[pf] = null;
            return 0;
        }
        for (String logger : registered(pf)) {
            if (name.length() >= logger.length()
                    && name.substring(0, logger.length()).toLowerCase(Locale.ROOT).equals(logger)) {
                bound[pf] = logger;
                return 0;
            }
        }
        return -Errno.ENOENT;
    }

    private static List<String> registered(int pf) {
        return SYSLOG[pf] == null ? List.of(NFNETLINK_LOG) : List.of(SYSLOG[pf], NFNETLINK_LOG);
    }

    /** sysctl_nf_log_all_netns: whether other namespaces may log too (0). */
    public int allNetns() {
        return allNetns;
    }

    public void setAllNetns(int value) {
        allNetns = value;
    }

    /** The nf_hooks_lwtunnel_enabled static key: off until enabled, and then never off again. */
    public boolean lwtunnelHooks() {
        return lwtunnelHooks;
    }

    /** nf_hooks_lwtunnel_sysctl_handler()'s write of 0 or 1: turning it off once on is EBUSY. */
    public int setLwtunnelHooks(int value) {
        if (value == 0 && lwtunnelHooks) {
            return -Errno.EBUSY;
        }
        if (value == 1) {
            lwtunnelHooks = true;
        }
        return 0;
    }
}
