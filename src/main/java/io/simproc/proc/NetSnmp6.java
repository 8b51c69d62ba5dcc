package io.simproc.proc;

import java.util.List;

/**
 * /proc/net/snmp6 and /proc/net/dev_snmp6/DEV (net/ipv6/proc.c snmp6_seq_show, snmp6_dev_seq_show): one
 * "%-32s\t%lu" line per counter, every counter 0 (the network is not simulated). The ICMPv6 message types are
 * listed by name (In, then Out, by type); the by-number Icmp6InTypeN lines appear only for non-zero counts, so
 * there are none.
 */
final class NetSnmp6 {
    private NetSnmp6() {
    }

    /** snmp6_ipstats_list. */
    static final List<String> IP6 = List.of("Ip6InReceives", "Ip6InHdrErrors", "Ip6InTooBigErrors", "Ip6InNoRoutes",
            "Ip6InAddrErrors", "Ip6InUnknownProtos", "Ip6InTruncatedPkts", "Ip6InDiscards", "Ip6InDelivers",
            "Ip6OutForwDatagrams", "Ip6OutRequests", "Ip6OutDiscards", "Ip6OutNoRoutes", "Ip6ReasmTimeout",
            "Ip6ReasmReqds", "Ip6ReasmOKs", "Ip6ReasmFails", "Ip6FragOKs", "Ip6FragFails", "Ip6FragCreates",
            "Ip6InMcastPkts", "Ip6OutMcastPkts", "Ip6InOctets", "Ip6OutOctets", "Ip6InMcastOctets",
            "Ip6OutMcastOctets", "Ip6InBcastOctets", "Ip6OutBcastOctets", "Ip6InNoECTPkts", "Ip6InECT1Pkts",
            "Ip6InECT0Pkts", "Ip6InCEPkts", "Ip6OutTransmits");
    /** snmp6_icmp6_list; a device's file stops before its last entry, Icmp6OutRateLimitHost. */
    static final List<String> ICMP6 = List.of("Icmp6InMsgs", "Icmp6InErrors", "Icmp6OutMsgs", "Icmp6OutErrors",
            "Icmp6InCsumErrors", "Icmp6OutRateLimitHost");
    /** snmp6_seq_show_icmpv6msg()'s named types in type order: 1-4, 128-137 and 143 (MLDv2 reports). */
    static final List<String> ICMP6_TYPES = List.of("DestUnreachs", "PktTooBigs", "TimeExcds", "ParmProblems",
            "Echos", "EchoReplies", "GroupMembQueries", "GroupMembResponses", "GroupMembReductions", "RouterSolicits",
            "RouterAdvertisements", "NeighborSolicits", "NeighborAdvertisements", "Redirects", "MLDv2Reports");
    /** snmp6_udp6_list. */
    static final List<String> UDP6 = List.of("Udp6InDatagrams", "Udp6NoPorts", "Udp6InErrors", "Udp6OutDatagrams",
            "Udp6RcvbufErrors", "Udp6SndbufErrors", "Udp6InCsumErrors", "Udp6IgnoredMulti", "Udp6MemErrors");
    /** snmp6_udplite6_list: UDP's without IgnoredMulti. */
    static final List<String> UDPLITE6 = List.of("UdpLite6InDatagrams", "UdpLite6NoPorts", "UdpLite6InErrors",
            "UdpLite6OutDatagrams", "UdpLite6RcvbufErrors", "UdpLite6SndbufErrors", "UdpLite6InCsumErrors",
            "UdpLite6MemErrors");

    /** snmp6_seq_show(). */
    static byte[] snmp6() {
        Seq s = new Seq(8192);
        zeros(s, IP6);
        zeros(s, ICMP6);
        icmp6Msg(s);
        zeros(s, UDP6);
        zeros(s, UDPLITE6);
        return s.bytes();
    }

    /** snmp6_dev_seq_show() of the device with index {@code ifindex}. */
    static byte[] dev(int ifindex) {
        Seq s = new Seq(6144);
        s.left("ifIndex", 32).put('\t').put(ifindex).nl();
        zeros(s, IP6);
        zeros(s, ICMP6.subList(0, ICMP6.size() - 1));
        icmp6Msg(s);
        return s.bytes();
    }

    private static void icmp6Msg(Seq s) {
        for (String dir : List.of("In", "Out")) {
            for (String type : ICMP6_TYPES) {
                s.left("Icmp6" + dir + type, 32).put("\t0\n");
            }
        }
    }

    private static void zeros(Seq s, List<String> names) {
        for (String n : names) {
            s.left(n, 32).put("\t0\n");
        }
    }
}
