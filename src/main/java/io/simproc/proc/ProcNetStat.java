package io.simproc.proc;

/**
 * /proc/net/stat: the per-CPU statistics tables of the guest kernel's network stack, a header line and one row per
 * possible CPU — arp_cache and ndisc_cache (net/core/neighbour.c neigh_stat_seq_show, for IPv4's ARP and IPv6's
 * neighbour discovery tables), nf_conntrack (net/netfilter/nf_conntrack_standalone.c ct_cpu_seq_show), rt_cache
 * (net/ipv4/route.c rt_cpu_seq_show) and synproxy (net/netfilter/nf_synproxy_core.c synproxy_cpu_seq_show). No
 * packet is simulated: no neighbour, route cache entry or connection exists and every counter is 0.
 */
final class ProcNetStat {
    /** neigh_stat_seq_show(). */
    static final String NEIGH_HEADER = "entries  allocs   destroys hash_grows lookups  hits     res_failed"
            + " rcv_probes_mcast rcv_probes_ucast periodic_gc_runs forced_gc_runs unresolved_discards table_fulls";
    static final String NEIGH_ROW = "%08x %08lx %08lx %08lx   %08lx %08lx %08lx   %08lx         %08lx         %08lx"
            + "         %08lx       %08lx            %08lx";
    /** ct_cpu_seq_show(). */
    static final String CONNTRACK_HEADER = "entries  clashres found new invalid ignore delete chainlength insert"
            + " insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart";
    static final String CONNTRACK_ROW = "%08x  %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x  %08x %08x"
            + " %08x %08x";
    /** rt_cpu_seq_show(). */
    static final String RT_HEADER = "entries  in_hit   in_slow_tot in_slow_mc in_no_route in_brd   in_martian_dst"
            + " in_martian_src out_hit  out_slow_tot out_slow_mc gc_total gc_ignored gc_goal_miss gc_dst_overflow"
            + " in_hlist_search out_hlist_search";
    static final String RT_ROW = "%08x %08x %08x    %08x   %08x    %08x %08x       %08x       %08x %08x     %08x"
            + "    %08x %08x   %08x     %08x        %08x        %08x";
    /** synproxy_cpu_seq_show(). */
    static final String SYNPROXY_HEADER = "entries\t\tsyn_received\tcookie_invalid\tcookie_valid\tcookie_retrans"
            + "\tconn_reopened";
    static final String SYNPROXY_ROW = "%08x\t%08x\t%08x\t%08x\t%08x\t%08x";

    private ProcNetStat() {
    }

    /** The neighbour tables' statistics: the table is empty (as /proc/net/arp shows), its counters 0. */
    static byte[] neighCache(ProcContext ctx) {
        return perCpu(ctx, NEIGH_HEADER, NEIGH_ROW, 0);
    }

    /** Connection tracking's: the tracked connections (none) in every row, then its counters. */
    static byte[] nfConntrack(ProcContext ctx) {
        return perCpu(ctx, CONNTRACK_HEADER, CONNTRACK_ROW, ctx.kernel().initNet().conntrack().count());
    }

    /** The IPv4 routing's: the dst entries (none without traffic), then its counters. */
    static byte[] rtCache(ProcContext ctx) {
        return perCpu(ctx, RT_HEADER, RT_ROW, 0);
    }

    /** SYN proxy's: its first column is always 0 in the kernel too. */
    static byte[] synproxy(ProcContext ctx) {
        return perCpu(ctx, SYNPROXY_HEADER, SYNPROXY_ROW, 0);
    }

    /**
     * The header, then per CPU the row's seq_printf format with {@code entries} in its first conversion and 0 in
     * the others (each a zero-padded 8-digit hex conversion, %08x or %08lx).
     */
    private static byte[] perCpu(ProcContext ctx, String header, String row, long entries) {
        int cpus = ctx.kernel().cpuStat().nrCpus();
        Seq s = new Seq((header.length() + row.length() + 2) * (cpus + 1)).put(header).nl();
        for (int cpu = 0; cpu < cpus; cpu++) {
            boolean first = true;
            for (int i = 0; i < row.length(); i++) {
                char c = row.charAt(i);
                if (c != '%') {
                    s.put(c);
                    continue;
                }
                i = row.indexOf('x', i);
                s.hex(first ? entries : 0, 8);
                first = false;
            }
            s.nl();
        }
        return s.bytes();
    }
}
