package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.Task;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * /proc/PID/net (and /proc/net, a link to self/net): the files of the machine's one network namespace that
 * monitoring agents read. The simulated machine has the devices of {@link io.simproc.kernel.NetDevices} and a
 * kernel with IPv6 and connection tracking built in ({@link ProcNet6}, {@link ProcNetStat}). Nothing simulates
 * the network, so every packet, error and protocol counter is 0 and no socket, neighbour or UDP endpoint is
 * listed; "sockets: used" counts the socket inodes the kernel holds (sock_inode_cache). The directory is the
 * task's (a pid entry, proc_tgid_net_getattr()); what is in it is the namespace's proc_net entries, root's whoever
 * the task is (fs/proc/proc_net.c proc_tgid_net_lookup()).
 */
final class ProcNet {
    private ProcNet() {
    }

    /** The net directory of task t. */
    static ProcDir dir(Task t) {
        List<ProcEntry> files = new ArrayList<>();
        files.add(file(t, "arp", ProcNet::arp));
        files.add(file(t, "dev", ProcNet::dev));
        files.add(file(t, "netstat", ctx -> NetSnmp.netstat()));
        files.add(file(t, "snmp", ctx -> NetSnmp.snmp()));
        files.add(file(t, "sockstat", ProcNet::sockstat));
        files.add(file(t, "softnet_stat", ProcNet::softnetStat));
        files.add(file(t, "udp", ProcNet::udp));
        files.add(file(t, "if_inet6", ProcNet6::ifInet6));
        files.add(file(t, "snmp6", ctx -> NetSnmp6.snmp6()));
        files.add(file(t, "sockstat6", ProcNet6::sockstat6));
        files.add(file(t, "tcp6", ProcNet6::tcp6));
        files.add(file(t, "udp6", ProcNet6::udp6));
        // nf_conntrack_standalone.c ct_seq_show() per tracked connection, readable by root only: none.
        files.add(new ProcFile("nf_conntrack", 0440, 0, 0, live(t, ctx -> new byte[0]), null, false));
        List<ProcEntry> devSnmp6 = new ArrayList<>();
        for (io.simproc.kernel.NetDevices d : io.simproc.kernel.NetDevices.all()) {
            devSnmp6.add(file(t, d.name(), ctx -> NetSnmp6.dev(d.ifindex())));
        }
        files.add(subdir(t, "dev_snmp6", devSnmp6));
        files.add(subdir(t, "stat", List.of(file(t, "arp_cache", ProcNetStat::neighCache),
                file(t, "ndisc_cache", ProcNetStat::neighCache), file(t, "nf_conntrack", ProcNetStat::nfConntrack),
                file(t, "rt_cache", ProcNetStat::rtCache), file(t, "synproxy", ProcNetStat::synproxy))));
        List<ProcEntry> fixed = sorted(files);
        return new ProcDir("net", 0555, t.uid(), t.gid(), ctx -> {
            ProcBase.live(ctx, t);
            return fixed;
        });
    }

    /** /proc/net: proc_net's "self/net" symlink. */
    static ProcLink link() {
        return new ProcLink("net", 0, 0, ctx -> "self/net");
    }

    private static ProcEntry file(Task t, String name, ProcFile.Renderer r) {
        return new ProcFile(name, 0444, 0, 0, live(t, r), null, false);
    }

    private static ProcFile.Renderer live(Task t, ProcFile.Renderer r) {
        return ctx -> {
            ProcBase.live(ctx, t);
            return r.render(ctx);
        };
    }

    /** In proc_net's order: its rb-tree compares names by length first (fs/proc/generic.c proc_match()). */
    private static List<ProcEntry> sorted(List<ProcEntry> entries) {
        List<ProcEntry> out = new ArrayList<>(entries);
        out.sort(Comparator.comparingInt((ProcEntry e) -> e.name().length()).thenComparing(ProcEntry::name));
        return List.copyOf(out);
    }

    /** A directory of the namespace's proc_net (dev_snmp6, stat), in proc_net's order. */
    private static ProcEntry subdir(Task t, String name, List<ProcEntry> children) {
        List<ProcEntry> fixed = sorted(children);
        return new ProcDir(name, 0555, 0, 0, ctx -> {
            ProcBase.live(ctx, t);
            return fixed;
        });
    }

    /** net/core/net-procfs.c dev_seq_show(): the header, then dev_seq_printf_stats() per device. */
    private static byte[] dev(ProcContext ctx) {
        Seq s = new Seq(512);
        s.put("Inter-|   Receive                                                |  Transmit\n");
        s.put(" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo"
                + " colls carrier compressed\n");
        int[] widths = {7, 7, 4, 4, 4, 5, 10, 9, 8, 7, 4, 4, 4, 5, 7, 10};
        for (io.simproc.kernel.NetDevices dev : io.simproc.kernel.NetDevices.all()) {
            s.right(dev.name(), 6).put(':');
            for (int w : widths) {
                s.put(' ').dec(0, w);
            }
            s.nl();
        }
        return s.bytes();
    }

    /** net/ipv4/proc.c sockstat_seq_show() after socket_seq_show(). */
    private static byte[] sockstat(ProcContext ctx) {
        Kernel k = ctx.kernel();
        long sockets = k.mm().slab().kernelCaches().sockInodeCache.liveObjects();
        return new Seq(256).put("sockets: used ").put(sockets).nl()
                .put("TCP: inuse 0 orphan 0 tw 0 alloc 0 mem 0\n")
                .put("UDP: inuse 0 mem 0\n")
                .put("UDPLITE: inuse 0\n")
                .put("RAW: inuse 0\n")
                .put("FRAG: inuse 0 memory 0\n").bytes();
    }

    /**
     * net/core/net-procfs.c softnet_seq_show(): per online CPU, 15 hex fields — processed, dropped, time squeeze,
     * five retired zeros, received_rps, flow limit, backlog length, the CPU, input and process queue lengths.
     */
    private static byte[] softnetStat(ProcContext ctx) {
        int cpus = ctx.kernel().cpuStat().nrCpus();
        Seq s = new Seq(136 * cpus);
        for (int cpu = 0; cpu < cpus; cpu++) {
            for (int i = 0; i < 15; i++) {
                if (i > 0) {
                    s.put(' ');
                }
                s.hex(i == 12 ? cpu : 0, 8);
            }
            s.nl();
        }
        return s.bytes();
    }

    /** net/ipv4/arp.c arp_seq_show(): the header; the neighbour table is empty. */
    private static byte[] arp(ProcContext ctx) {
        return new Seq(96).put("IP address       HW type     Flags       HW address            Mask     Device\n")
                .bytes();
    }

    /** net/ipv4/udp.c udp4_seq_show(): the header, padded to 127 columns (seq_setwidth, seq_pad); no sockets. */
    private static byte[] udp(ProcContext ctx) {
        String header = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout"
                + " inode ref pointer drops";
        return new Seq(160).left(header, 127).nl().bytes();
    }
}
