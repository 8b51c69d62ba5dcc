package io.simproc.proc;

import io.simproc.kernel.Inet6Addrs;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.sysctl.SysctlTable;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.simproc.proc.ProcTestSupport.USER;
import static io.simproc.proc.ProcTestSupport.file;
import static io.simproc.proc.ProcTestSupport.lines;
import static io.simproc.proc.ProcTestSupport.read;
import static io.simproc.proc.ProcTestSupport.sample;
import static io.simproc.proc.ProcTestSupport.shared;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The IPv6 and connection-tracking files of /proc/net against the guest kernel's (reference-6.18/proc/net, read once
 * on the same 6.18 build with the counters zeroed): the same names in the same order and widths, every counter 0,
 * lo's ::1 and eth0's EUI-64 link-local address, one conntrack statistics row per CPU.
 */
class ProcNet6Test {
    @Test
    void snmp6HasTheKernelsCountersInItsOrder() {
        assertEquals(sample("proc/net/snmp6"), read(shared(), "/net/snmp6"));
    }

    @Test
    void devSnmp6HasAFilePerDeviceWithItsIndex() {
        ProcDir dir = assertInstanceOf(ProcDir.class, shared().lookup("/net/dev_snmp6", Credentials.ROOT));
        assertEquals(List.of("lo", "eth0"), shared().list(dir, Credentials.ROOT).stream().map(ProcEntry::name).toList());
        String lo = sample("proc/net/dev_snmp6/lo");
        assertEquals(lo, read(shared(), "/net/dev_snmp6/lo"));
        assertEquals(lo.replaceFirst("\t1\n", "\t2\n"), read(shared(), "/net/dev_snmp6/eth0"));
    }

    @Test
    void sockstat6AndTheSocketTablesAreEmpty() {
        assertEquals(sample("proc/net/sockstat6"), read(shared(), "/net/sockstat6"));
        assertEquals(sample("proc/net/tcp6"), read(shared(), "/net/tcp6"));
        assertEquals(sample("proc/net/udp6"), read(shared(), "/net/udp6"));
    }

    /** lo as the guest shows it; eth0's address from its MAC 52:54:00:12:34:56 with the U/L bit flipped. */
    @Test
    void ifInet6ListsLoopbackAndTheLinkLocalAddress() {
        List<String> got = lines("if_inet6", read(shared(), "/net/if_inet6"));
        String lo = sample("proc/net/if_inet6").lines().filter(l -> l.endsWith(" lo")).findFirst().orElseThrow();
        assertEquals(2, got.size());
        assertTrue(got.contains(lo), got.toString());
        assertTrue(got.contains("fe80000000000000505400fffe123456 02 40 20 80     eth0"), got.toString());
        String hostLinkLocal = sample("proc/net/if_inet6").lines().filter(l -> l.startsWith("fe80")).findFirst()
                .orElseThrow();
        assertEquals(hostLinkLocal.length(), got.get(got.indexOf(lo) ^ 1).length(), "%pi6 and %8s widths");
    }

    /** Listed bucket by bucket of inet6_addr_lst; the buckets depend on the namespace's seeded hash_mix. */
    @Test
    void ifInet6FollowsTheAddressHashOfTheSeed() {
        List<String> orders = new ArrayList<>();
        for (long seed = 1; seed <= 12; seed++) {
            Kernel k = Kernel.boot(MachineProfileLoader.loadDefault(), seed);
            ProcFs fs = new ProcFs(k, ProcTree.create(SysctlTable.create()));
            List<Inet6Addrs> addrs = k.initNet().inet6Addrs();
            assertEquals(read(fs, "/net/if_inet6"), read(fs, "/net/if_inet6"));
            orders.add(addrs.get(0).device());
            assertEquals(2, addrs.size());
        }
        assertTrue(orders.contains("lo") && orders.contains("eth0"), "both orders occur: " + orders);
    }

    /** Every table of /proc/net/stat: the guest's header, then a row per CPU of zeros in the guest's spacing. */
    @Test
    void statTablesHaveTheHeaderAndARowPerCpu() {
        ProcDir dir = assertInstanceOf(ProcDir.class, shared().lookup("/net/stat", Credentials.ROOT));
        List<String> names = shared().list(dir, Credentials.ROOT).stream().map(ProcEntry::name).sorted().toList();
        assertEquals(List.of("arp_cache", "ndisc_cache", "nf_conntrack", "rt_cache", "synproxy"), names);
        for (String name : names) {
            List<String> ref = lines(name, sample("proc/net/stat/" + name));
            List<String> got = lines(name, read(shared(), "/net/stat/" + name));
            assertEquals(ref.get(0), got.get(0), name);
            assertEquals(shared().kernel().cpuStat().nrCpus() + 1, got.size(), name);
            for (String row : got.subList(1, got.size())) {
                assertEquals(ref.get(1), row, name);
            }
        }
    }

    /** The net directory is the task's, its entries the namespace's proc_net entries: root's. */
    @Test
    void anOrdinaryUsersNetEntriesAreRoots() {
        PidFixture f = new PidFixture();
        io.simproc.kernel.Task p = f.spawn(List.of("bash"));
        f.kernel.mutate(() -> f.kernel.syscalls().setuid(p, 1000, 1000));
        ProcDir net = assertInstanceOf(ProcDir.class, f.fs.lookup("/" + p.pid() + "/net", Credentials.ROOT));
        assertEquals(1000, net.uid());
        for (String path : List.of("/net/dev", "/net/if_inet6", "/net/stat", "/net/stat/nf_conntrack",
                "/net/dev_snmp6/eth0")) {
            assertEquals(0, f.fs.lookup("/" + p.pid() + path, Credentials.ROOT).uid(), path);
        }
        Credentials owner = new Credentials(1000, 1000, 4242);
        assertEquals(-Errno.EACCES, ProcFs.permission(file(f.fs, "/" + p.pid() + "/net/nf_conntrack"), owner,
                ProcFs.MAY_READ), "the task's owner may not read it");
    }

    @Test
    void theConntrackTableIsEmptyAndRootOnly() {
        ProcFile table = file(shared(), "/net/nf_conntrack");
        assertEquals(0440, table.mode());
        assertEquals(0, table.uid());
        assertEquals("", read(shared(), "/net/nf_conntrack"));
        assertEquals(-Errno.EACCES, ProcFs.permission(table, USER, ProcFs.MAY_READ));
        assertNotEquals(-Errno.EACCES, ProcFs.permission(file(shared(), "/net/snmp6"), USER, ProcFs.MAY_READ));
    }
}
