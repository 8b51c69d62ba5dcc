package io.simproc.proc;

import io.simproc.uapi.Credentials;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.simproc.proc.ProcTestSupport.lines;
import static io.simproc.proc.ProcTestSupport.read;
import static io.simproc.proc.ProcTestSupport.shared;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /proc/net (a link to self/net) and its files in the kernel's formats: the machine's two devices with zero
 * counters, name and value lines of equal length in snmp and netstat, one softnet row per CPU, the socket count of
 * sockstat from the socket inodes the slab holds.
 */
class ProcNetTest {
    @Test
    void procNetIsALinkToSelfNet() {
        ProcLink link = assertInstanceOf(ProcLink.class, shared().lookup("/net", Credentials.ROOT));
        assertEquals("self/net", shared().readlink(link, Credentials.ROOT));
        assertEquals(read(shared(), "/1/net/dev"), read(shared(), "/net/dev"));
    }

    @Test
    void devListsLoopbackAndEth0WithTheKernelsWidths() {
        List<String> dev = lines("dev", read(shared(), "/net/dev"));
        assertEquals("Inter-|   Receive                                                |  Transmit", dev.get(0));
        assertEquals(" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop"
                + " fifo colls carrier compressed", dev.get(1));
        String zeros = String.format("%7d %7d %4d %4d %4d %5d %10d %9d %8d %7d %4d %4d %4d %5d %7d %10d",
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        assertEquals(List.of("    lo: " + zeros, "  eth0: " + zeros), dev.subList(2, dev.size()));
    }

    /** Each MIB is a line of names and a line of as many values, with the same prefix. */
    @Test
    void snmpAndNetstatPairNamesWithValues() {
        for (String file : List.of("/net/snmp", "/net/netstat")) {
            List<String> l = lines(file, read(shared(), file));
            assertEquals(0, l.size() % 2, file);
            for (int i = 0; i < l.size(); i += 2) {
                String[] names = l.get(i).split(" ");
                String[] values = l.get(i + 1).split(" ");
                assertEquals(names[0], values[0], file);
                assertEquals(names.length, values.length, file + " " + names[0]);
                for (int j = 1; j < values.length; j++) {
                    assertTrue(values[j].matches("-?\\d+"), names[j] + "=" + values[j]);
                }
            }
        }
        String snmp = read(shared(), "/net/snmp");
        assertTrue(snmp.startsWith("Ip: Forwarding DefaultTTL InReceives "), snmp);
        assertTrue(snmp.contains("\nIp: 2 64 0 "), "not forwarding, TTL 64");
        assertTrue(snmp.contains("\nTcp: 1 200 120000 -1 0 "), "RTO algorithm, bounds and MaxConn of tcp_mib_init");
        assertTrue(read(shared(), "/net/netstat").startsWith("TcpExt: SyncookiesSent SyncookiesRecv "));
    }

    @Test
    void sockstatCountsTheSocketInodes() {
        String sockstat = read(shared(), "/net/sockstat");
        String slab = read(shared(), "/slabinfo").lines().filter(l -> l.startsWith("sock_inode_cache "))
                .findFirst().orElseThrow();
        long live = shared().kernel().mm().slab().kernelCaches().sockInodeCache.liveObjects();
        assertTrue(Long.parseLong(slab.trim().split(" +")[1]) >= live);
        assertEquals("sockets: used " + live + "\nTCP: inuse 0 orphan 0 tw 0 alloc 0 mem 0\nUDP: inuse 0 mem 0\n"
                + "UDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n", sockstat);
    }

    @Test
    void softnetHasARowPerCpuAndUdpAndArpOnlyHeaders() {
        List<String> rows = lines("softnet_stat", read(shared(), "/net/softnet_stat"));
        assertEquals(shared().kernel().cpuStat().nrCpus(), rows.size());
        for (int cpu = 0; cpu < rows.size(); cpu++) {
            String[] f = rows.get(cpu).split(" ");
            assertEquals(15, f.length);
            assertEquals(String.format("%08x", cpu), f[12], "the CPU's index");
        }
        List<String> udp = lines("udp", read(shared(), "/net/udp"));
        assertEquals(1, udp.size());
        assertEquals(127, udp.get(0).length(), "seq_pad to 127 columns");
        assertEquals(List.of("IP address       HW type     Flags       HW address            Mask     Device"),
                lines("arp", read(shared(), "/net/arp")));
    }
}
