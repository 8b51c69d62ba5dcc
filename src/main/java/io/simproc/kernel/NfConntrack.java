package io.simproc.kernel;

import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Connection tracking (net/netfilter/nf_conntrack_core.c, nf_conntrack_expect.c, nf_conntrack_standalone.c), built
 * into the guest kernel (CONFIG_NF_CONNTRACK=y). No packet is simulated, so the table stays empty: count 0, every
 * per-CPU statistic 0. What the machine shows is its sizing at boot, from the machine's memory, and the tunables.
 */
public final class NfConntrack {
    /** PAGE_SIZE / sizeof(struct hlist_nulls_head): nf_ct_alloc_hashtable() rounds a size up to whole pages. */
    static final int SLOTS_PER_PAGE = Page.PAGE_SIZE / 8;
    /** The largest table nf_ct_alloc_hashtable() allocates: INT_MAX / sizeof(struct hlist_nulls_head). */
    static final long MAX_SLOTS = Integer.MAX_VALUE / 8;
    /** The per-netns u8 switches (struct netns_ct) with their defaults, in the sysctl table's order. */
    public enum Switch {
        /** nf_conntrack_pernet_init(): net->ct.sysctl_checksum = 1. */
        CHECKSUM("nf_conntrack_checksum", 1, 1),
        /** sysctl_log_invalid: 0, any u8. */
        LOG_INVALID("nf_conntrack_log_invalid", 0, 255),
        /** nf_ct_acct (nf_conntrack_acct.c): off. */
        ACCT("nf_conntrack_acct", 0, 1),
        /** nf_ct_events (nf_conntrack_ecache.c): 2, events delivered only to listeners that asked. */
        EVENTS("nf_conntrack_events", 2, 2),
        /** nf_ct_tstamp (nf_conntrack_timestamp.c): off. */
        TIMESTAMP("nf_conntrack_timestamp", 0, 1),
        /** nf_conntrack_tcp_init_net(): tcp_loose = nf_ct_tcp_loose (1). */
        TCP_LOOSE("nf_conntrack_tcp_loose", 1, 1),
        TCP_BE_LIBERAL("nf_conntrack_tcp_be_liberal", 0, 1),
        TCP_IGNORE_INVALID_RST("nf_conntrack_tcp_ignore_invalid_rst", 0, 1),
        /** nf_ct_tcp_max_retrans: 3; any u8. */
        TCP_MAX_RETRANS("nf_conntrack_tcp_max_retrans", 3, 255);

        private final String procname;
        private final int initial;
        private final int max;

        Switch(String procname, int initial, int max) {
            this.procname = procname;
            this.initial = initial;
            this.max = max;
        }

        public String procname() {
            return procname;
        }

        /** The upper bound of proc_dou8vec_minmax (extra2; 255 when the table gives none). */
        public int max() {
            return max;
        }
    }

    /**
     * The protocol timeouts in seconds as the per-protocol init_net functions set them (nf_conntrack_proto_*.c:
     * tcp_timeouts[], udp_timeouts[], sctp_timeouts[], gre_timeouts[], nf_ct_generic_timeout, nf_ct_icmp_timeout,
     * nf_ct_icmpv6_timeout), in the sysctl table's order. Held in jiffies as the kernel holds them.
     */
    private static final Map<String, Integer> TIMEOUT_SECONDS = timeoutDefaults();

    private final int[] switches = new int[Switch.values().length];
    private final Map<String, Integer> timeoutJiffies = new LinkedHashMap<>();
    private int htableSize;
    private int max;
    private int expectMax;
    /**
     * The fragment queue directory of IPv6 connection tracking's reassembly (net/ipv6/netfilter/nf_conntrack_reasm.c
     * nf_ct_net_init()): IPV6_FRAG_HIGH_THRESH 4 MiB, IPV6_FRAG_LOW_THRESH 3 MiB, IPV6_FRAG_TIMEOUT 60 s.
     */
    private long frag6HighThresh = 4L * 1024 * 1024;
    private long frag6LowThresh = 3L * 1024 * 1024;
    private int frag6TimeoutJiffies = 60 * Clock.HZ;

    private NfConntrack() {
        for (Switch s : Switch.values()) {
            switches[s.ordinal()] = s.initial;
        }
        TIMEOUT_SECONDS.forEach((name, seconds) -> timeoutJiffies.put(name, seconds * Clock.HZ));
    }

    /**
     * nf_conntrack_init_start() on a machine with {@code totalramPages} (no hashsize= given): the table sized from
     * memory, rounded up to whole pages by nf_ct_alloc_hashtable(), nf_conntrack_max of one entry per bucket
     * (max_factor 1), then nf_conntrack_expect_init(): a 256th of the buckets, at least 1, four expectations each.
     */
    public static NfConntrack init(long totalramPages) {
        NfConntrack ct = new NfConntrack();
        ct.htableSize = (int) roundupSlots(htableAutosize(totalramPages));
        ct.max = ct.htableSize;
        int expectHsize = Math.max(1, ct.htableSize / 256);
        ct.expectMax = expectHsize * 4;
        return ct;
    }

    /**
     * nf_conntrack_htable_autosize(): 1/16384 of memory in hlist_head pointers; 262144 buckets above 4 GiB (64-bit),
     * 65536 above 1 GiB, never fewer than 1024.
     */
    static long htableAutosize(long totalramPages) {
        long size = totalramPages * Page.PAGE_SIZE / 16384 / 8;
        if (totalramPages > 4L * (1024 * 1024 * 1024 / Page.PAGE_SIZE)) {
            size = 262144;
        } else if (totalramPages > 1024 * 1024 * 1024 / Page.PAGE_SIZE) {
            size = 65536;
        }
        return Math.max(size, 1024);
    }

    private static long roundupSlots(long size) {
        return (size + SLOTS_PER_PAGE - 1) / SLOTS_PER_PAGE * SLOTS_PER_PAGE;
    }

    /** nf_conntrack_htable_size: the buckets of the hash table (net.netfilter.nf_conntrack_buckets). */
    public int htableSize() {
        return htableSize;
    }

    /** nf_conntrack_max: the entries the table may hold. */
    public int max() {
        return max;
    }

    public void setMax(int value) {
        max = value;
    }

    /** nf_ct_expect_max. */
    public int expectMax() {
        return expectMax;
    }

    public void setExpectMax(int value) {
        expectMax = value;
    }

    /** The tracked connections (cnet->count): none, no packet is simulated. */
    public int count() {
        return 0;
    }

    public long frag6HighThresh() {
        return frag6HighThresh;
    }

    /** nf_conntrack_frag6_high_thresh: not below the low threshold (its extra1). Returns 0 or -EINVAL. */
    public int setFrag6HighThresh(long bytes) {
        if (Long.compareUnsigned(bytes, frag6LowThresh) < 0) {
            return -Errno.EINVAL;
        }
        frag6HighThresh = bytes;
        return 0;
    }

    public long frag6LowThresh() {
        return frag6LowThresh;
    }

    /** nf_conntrack_frag6_low_thresh: not above the high threshold (its extra2). Returns 0 or -EINVAL. */
    public int setFrag6LowThresh(long bytes) {
        if (Long.compareUnsigned(bytes, frag6HighThresh) > 0) {
            return -Errno.EINVAL;
        }
        frag6LowThresh = bytes;
        return 0;
    }

    public int frag6TimeoutJiffies() {
        return frag6TimeoutJiffies;
    }

    public void setFrag6TimeoutJiffies(int jiffies) {
        frag6TimeoutJiffies = jiffies;
    }

    public int get(Switch s) {
        return switches[s.ordinal()];
    }

    public void set(Switch s, int value) {
        switches[s.ordinal()] = value;
    }

    /** The timeout sysctls' names (nf_conntrack_*_timeout*), in the table's order. */
    public static List<String> timeoutNames() {
        return List.copyOf(TIMEOUT_SECONDS.keySet());
    }

    public int timeoutJiffies(String name) {
        return timeoutJiffies.get(name);
    }

    public void setTimeoutJiffies(String name, int jiffies) {
        timeoutJiffies.replace(name, jiffies);
    }

    /**
     * nf_conntrack_hash_resize() for a write of {@code hashsize} to nf_conntrack_buckets: 0 is EINVAL, a table
     * nf_ct_alloc_hashtable() refuses (past INT_MAX bytes, before or after rounding up to whole pages) is ENOMEM;
     * otherwise the table has the rounded size. Returns 0 or a negative errno.
     */
    public int hashResize(long hashsize) {
        if (hashsize == 0) {
            return -Errno.EINVAL;
        }
        if (hashsize > MAX_SLOTS || roundupSlots(hashsize) > MAX_SLOTS) {
            return -Errno.ENOMEM;
        }
        htableSize = (int) roundupSlots(hashsize);
        return 0;
    }

    private static Map<String, Integer> timeoutDefaults() {
        Map<String, Integer> t = new LinkedHashMap<>();
        t.put("nf_conntrack_generic_timeout", 600);
        t.put("nf_conntrack_tcp_timeout_syn_sent", 120);
        t.put("nf_conntrack_tcp_timeout_syn_recv", 60);
        t.put("nf_conntrack_tcp_timeout_established", 5 * 24 * 3600);
        t.put("nf_conntrack_tcp_timeout_fin_wait", 120);
        t.put("nf_conntrack_tcp_timeout_close_wait", 60);
        t.put("nf_conntrack_tcp_timeout_last_ack", 30);
        t.put("nf_conntrack_tcp_timeout_time_wait", 120);
        t.put("nf_conntrack_tcp_timeout_close", 10);
        t.put("nf_conntrack_tcp_timeout_max_retrans", 300);
        t.put("nf_conntrack_tcp_timeout_unacknowledged", 300);
        t.put("nf_conntrack_udp_timeout", 30);
        t.put("nf_conntrack_udp_timeout_stream", 120);
        t.put("nf_conntrack_icmp_timeout", 30);
        t.put("nf_conntrack_icmpv6_timeout", 30);
        t.put("nf_conntrack_sctp_timeout_closed", 10);
        t.put("nf_conntrack_sctp_timeout_cookie_wait", 3);
        t.put("nf_conntrack_sctp_timeout_cookie_echoed", 3);
        t.put("nf_conntrack_sctp_timeout_established", 210);
        t.put("nf_conntrack_sctp_timeout_shutdown_sent", 3);
        t.put("nf_conntrack_sctp_timeout_shutdown_recd", 3);
        t.put("nf_conntrack_sctp_timeout_shutdown_ack_sent", 3);
        t.put("nf_conntrack_sctp_timeout_heartbeat_sent", 30);
        t.put("nf_conntrack_gre_timeout", 30);
        t.put("nf_conntrack_gre_timeout_stream", 180);
        return t;
    }
}
