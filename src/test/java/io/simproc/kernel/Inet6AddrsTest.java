package io.simproc.kernel;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The IPv6 addresses addrconf gives the machine's devices and their order. The hash values were computed by
 * include/linux/jhash.h's jhash2() itself, compiled with gcc on x86-64 (the words loaded little-endian as the
 * kernel loads s6_addr32), for the addresses below and a net_hash_mix of 0x12345678.
 */
class Inet6AddrsTest {
    private static final int MIX = 0x12345678;

    @Test
    void jhash2IsTheKernelsLookup3() {
        assertEquals(0x66491246, Inet6Addrs.jhash2(new int[] {1, 2, 3, 4}, 0));
        assertEquals(0x4ffc0eb4, Inet6Addrs.jhash2(new int[] {0, 0, 0, 0x01000000}, MIX), "::1");
    }

    @Test
    void theLinkLocalAddressIsEui64OfTheMacInItsBucket() {
        List<Inet6Addrs> addrs = Inet6Addrs.of(NetDevices.all(), MIX);
        Inet6Addrs eth0 = addrs.stream().filter(a -> a.device().equals("eth0")).findFirst().orElseThrow();
        assertEquals(List.of(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56),
                bytes(eth0.address()));
        assertEquals(138, eth0.bucket(MIX), "hash_32(0x64014e86, 8)");
        assertEquals(64, eth0.prefixLen());
        assertEquals(0x20, eth0.scope());
        assertEquals(0x80, eth0.flags());
        Inet6Addrs lo = addrs.stream().filter(a -> a.device().equals("lo")).findFirst().orElseThrow();
        assertEquals((0x4ffc0eb4 * 0x61C88647) >>> 24, lo.bucket(MIX));
        assertEquals(List.of(128, 0x10, 0x80, 1), List.of(lo.prefixLen(), lo.scope(), lo.flags(), lo.ifindex()));
        assertEquals(lo.bucket(MIX) < eth0.bucket(MIX) ? "lo" : "eth0", addrs.get(0).device(), "bucket order");
    }

    private static List<Integer> bytes(byte[] b) {
        Integer[] out = new Integer[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xff;
        }
        return List.of(out);
    }
}
