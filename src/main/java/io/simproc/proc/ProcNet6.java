package io.simproc.proc;

import io.simproc.kernel.Inet6Addrs;

/**
 * The IPv6 files of /proc/net (net/ipv6/addrconf.c, proc.c, tcp_ipv6.c, udp.c): the guest kernel has IPv6 built
 * in, so they exist; no address is configured and no socket is simulated, so they show what addrconf gives each
 * device, zero counters and no sockets.
 */
final class ProcNet6 {
    /** IPV6_SEQ_DGRAM_HEADER (include/net/transp_v6.h) before tcp6_seq_show()'s: the columns of a socket line. */
    private static final String SOCKET_COLUMNS = "  sl  local_address                         remote_address"
            + "                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";

    private ProcNet6() {
    }

    /** if6_seq_show(): "%pi6 %02x %02x %02x %02x %8s" per address, in the address hash's order. */
    static byte[] ifInet6(ProcContext ctx) {
        Seq s = new Seq(256);
        for (Inet6Addrs a : ctx.kernel().initNet().inet6Addrs()) {
            for (byte b : a.address()) {
                s.hex(b & 0xff, 2);
            }
            s.put(' ').hex(a.ifindex(), 2).put(' ').hex(a.prefixLen(), 2).put(' ').hex(a.scope(), 2).put(' ')
                    .hex(a.flags(), 2).put(' ').right(a.device(), 8).nl();
        }
        return s.bytes();
    }

    /** sockstat6_seq_show(): no socket and no fragment queue. */
    static byte[] sockstat6(ProcContext ctx) {
        return new Seq(96).put("TCP6: inuse 0\nUDP6: inuse 0\nUDPLITE6: inuse 0\nRAW6: inuse 0\n")
                .put("FRAG6: inuse 0 memory 0\n").bytes();
    }

    /** tcp6_seq_show(): the header; no sockets. */
    static byte[] tcp6(ProcContext ctx) {
        return new Seq(160).put(SOCKET_COLUMNS).nl().bytes();
    }

    /** udp6_seq_show(): IPV6_SEQ_DGRAM_HEADER; no sockets. */
    static byte[] udp6(ProcContext ctx) {
        return new Seq(160).put(SOCKET_COLUMNS).put(" ref pointer drops").nl().bytes();
    }
}
