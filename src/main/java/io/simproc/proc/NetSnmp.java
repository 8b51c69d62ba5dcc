package io.simproc.proc;

import java.util.List;

/**
 * /proc/net/snmp and /proc/net/netstat (net/ipv4/proc.c snmp_seq_show, netstat_seq_show): for each MIB a line of
 * names and a line of values, every value 0 (the network is not simulated). IcmpMsg lines appear only for message
 * types with a non-zero count, so there are none; without MPTCP there is no MPTcpExt part.
 */
final class NetSnmp {
    private NetSnmp() {
    }

    /** snmp4_ipstats_list, after Forwarding and DefaultTTL. */
    static final List<String> IP = List.of("InReceives", "InHdrErrors", "InAddrErrors", "ForwDatagrams",
            "InUnknownProtos", "InDiscards", "InDelivers", "OutRequests", "OutDiscards", "OutNoRoutes", "ReasmTimeout",
            "ReasmReqds", "ReasmOKs", "ReasmFails", "FragOKs", "FragFails", "FragCreates", "OutTransmits");
    /** icmpmibmap. */
    static final List<String> ICMP_TYPES = List.of("DestUnreachs", "TimeExcds", "ParmProbs", "SrcQuenchs",
            "Redirects", "Echos", "EchoReps", "Timestamps", "TimestampReps", "AddrMasks", "AddrMaskReps");
    /** snmp4_tcp_list. */
    static final List<String> TCP = List.of("RtoAlgorithm", "RtoMin", "RtoMax", "MaxConn", "ActiveOpens",
            "PassiveOpens", "AttemptFails", "EstabResets", "CurrEstab", "InSegs", "OutSegs", "RetransSegs", "InErrs",
            "OutRsts", "InCsumErrors");
    /** snmp4_udp_list (UdpLite has the same). */
    static final List<String> UDP = List.of("InDatagrams", "NoPorts", "InErrors", "OutDatagrams", "RcvbufErrors",
            "SndbufErrors", "InCsumErrors", "IgnoredMulti", "MemErrors");
    /** snmp4_ipextstats_list. */
    static final List<String> IP_EXT = List.of("InNoRoutes", "InTruncatedPkts", "InMcastPkts", "OutMcastPkts",
            "InBcastPkts", "OutBcastPkts", "InOctets", "OutOctets", "InMcastOctets", "OutMcastOctets",
            "InBcastOctets", "OutBcastOctets", "InCsumErrors", "InNoECTPkts", "InECT1Pkts", "InECT0Pkts", "InCEPkts",
            "ReasmOverlaps");
    /** snmp4_net_list. */
    static final List<String> TCP_EXT = List.of("SyncookiesSent", "SyncookiesRecv", "SyncookiesFailed",
            "EmbryonicRsts", "PruneCalled", "RcvPruned", "OfoPruned", "OutOfWindowIcmps", "LockDroppedIcmps",
            "ArpFilter", "TW", "TWRecycled", "TWKilled", "PAWSActive", "PAWSEstab", "BeyondWindow", "TSEcrRejected",
            "PAWSOldAck", "PAWSTimewait", "DelayedACKs", "DelayedACKLocked", "DelayedACKLost", "ListenOverflows",
            "ListenDrops", "TCPHPHits", "TCPPureAcks", "TCPHPAcks", "TCPRenoRecovery", "TCPSackRecovery",
            "TCPSACKReneging", "TCPSACKReorder", "TCPRenoReorder", "TCPTSReorder", "TCPFullUndo", "TCPPartialUndo",
            "TCPDSACKUndo", "TCPLossUndo", "TCPLostRetransmit", "TCPRenoFailures", "TCPSackFailures",
            "TCPLossFailures", "TCPFastRetrans", "TCPSlowStartRetrans", "TCPTimeouts", "TCPLossProbes",
            "TCPLossProbeRecovery", "TCPRenoRecoveryFail", "TCPSackRecoveryFail", "TCPRcvCollapsed",
            "TCPBacklogCoalesce", "TCPDSACKOldSent", "TCPDSACKOfoSent", "TCPDSACKRecv", "TCPDSACKOfoRecv",
            "TCPAbortOnData", "TCPAbortOnClose", "TCPAbortOnMemory", "TCPAbortOnTimeout", "TCPAbortOnLinger",
            "TCPAbortFailed", "TCPMemoryPressures", "TCPMemoryPressuresChrono", "TCPSACKDiscard", "TCPDSACKIgnoredOld",
            "TCPDSACKIgnoredNoUndo", "TCPSpuriousRTOs", "TCPMD5NotFound", "TCPMD5Unexpected", "TCPMD5Failure",
            "TCPSackShifted", "TCPSackMerged", "TCPSackShiftFallback", "TCPBacklogDrop", "PFMemallocDrop",
            "TCPMinTTLDrop", "TCPDeferAcceptDrop", "IPReversePathFilter", "TCPTimeWaitOverflow",
            "TCPReqQFullDoCookies", "TCPReqQFullDrop", "TCPRetransFail", "TCPRcvCoalesce", "TCPOFOQueue", "TCPOFODrop",
            "TCPOFOMerge", "TCPChallengeACK", "TCPSYNChallenge", "TCPFastOpenActive", "TCPFastOpenActiveFail",
            "TCPFastOpenPassive", "TCPFastOpenPassiveFail", "TCPFastOpenListenOverflow", "TCPFastOpenCookieReqd",
            "TCPFastOpenBlackhole", "TCPSpuriousRtxHostQueues", "BusyPollRxPackets", "TCPAutoCorking",
            "TCPFromZeroWindowAdv", "TCPToZeroWindowAdv", "TCPWantZeroWindowAdv", "TCPSynRetrans", "TCPOrigDataSent",
            "TCPHystartTrainDetect", "TCPHystartTrainCwnd", "TCPHystartDelayDetect", "TCPHystartDelayCwnd",
            "TCPACKSkippedSynRecv", "TCPACKSkippedPAWS", "TCPACKSkippedSeq", "TCPACKSkippedFinWait2",
            "TCPACKSkippedTimeWait", "TCPACKSkippedChallenge", "TCPWinProbe", "TCPKeepAlive", "TCPMTUPFail",
            "TCPMTUPSuccess", "TCPDelivered", "TCPDeliveredCE", "TCPAckCompressed", "TCPZeroWindowDrop",
            "TCPRcvQDrop", "TCPWqueueTooBig", "TCPFastOpenPassiveAltKey", "TcpTimeoutRehash",
            "TcpDuplicateDataRehash", "TCPDSACKRecvSegs", "TCPDSACKIgnoredDubious", "TCPMigrateReqSuccess",
            "TCPMigrateReqFailure", "TCPPLBRehash", "TCPAORequired", "TCPAOBad", "TCPAOKeyNotFound", "TCPAOGood",
            "TCPAODroppedIcmps");
    /** The default ip_default_ttl (net.ipv4.ip_default_ttl). */
    static final int DEFAULT_TTL = 64;
    /** TCP_RTO_MIN and TCP_RTO_MAX in milliseconds, RtoAlgorithm 1 (other), MaxConn -1 (dynamic). */
    static final int RTO_MIN_MS = 200;
    static final int RTO_MAX_MS = 120000;

    static byte[] snmp() {
        Seq s = new Seq(2048);
        s.put("Ip: Forwarding DefaultTTL");
        names(s, IP);
        // Forwarding: 2 is "not forwarding" (ip_forward is 0).
        s.put("\nIp: 2 ").put(DEFAULT_TTL);
        zeros(s, IP.size());
        s.put("\nIcmp: InMsgs InErrors InCsumErrors");
        for (String t : ICMP_TYPES) {
            s.put(" In").put(t);
        }
        s.put(" OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost");
        for (String t : ICMP_TYPES) {
            s.put(" Out").put(t);
        }
        s.put("\nIcmp:");
        zeros(s, 3 + ICMP_TYPES.size() + 4 + ICMP_TYPES.size());
        s.put("\nTcp:");
        names(s, TCP);
        s.put("\nTcp: 1 ").put(RTO_MIN_MS).put(' ').put(RTO_MAX_MS).put(" -1");
        zeros(s, TCP.size() - 4);
        s.put("\nUdp:");
        names(s, UDP);
        s.put("\nUdp:");
        zeros(s, UDP.size());
        s.put("\nUdpLite:");
        names(s, UDP);
        s.put("\nUdpLite:");
        zeros(s, UDP.size());
        s.nl();
        return s.bytes();
    }

    static byte[] netstat() {
        Seq s = new Seq(4096);
        s.put("TcpExt:");
        names(s, TCP_EXT);
        s.put("\nTcpExt:");
        zeros(s, TCP_EXT.size());
        s.put("\nIpExt:");
        names(s, IP_EXT);
        s.put("\nIpExt:");
        zeros(s, IP_EXT.size());
        s.nl();
        return s.bytes();
    }

    private static void names(Seq s, List<String> names) {
        for (String n : names) {
            s.put(' ').put(n);
        }
    }

    private static void zeros(Seq s, int n) {
        for (int i = 0; i < n; i++) {
            s.put(" 0");
        }
    }
}
