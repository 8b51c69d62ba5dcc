package io.simproc.kernel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The IPv6 addresses of the machine's devices (net/ipv6/addrconf.c), in the order if6_seq_show() lists them: the
 * buckets of inet6_addr_lst in turn, the address added last first within a bucket (hlist_add_head_rcu). The
 * guest's kernel has IPv6 built in (CONFIG_IPV6=y) and no address is configured, so each device has what
 * addrconf gives it when it comes up: lo ::1/128 (init_loopback()), eth0 its link-local fe80::/64 address with the
 * EUI-64 interface identifier of its MAC (addrconf_addr_gen()); both permanent, duplicate address detection long
 * done.
 *
 * @param address   the 16 bytes of the address
 * @param ifindex   the device's index
 * @param prefixLen the prefix length
 * @param scope     IPV6_ADDR_LOOPBACK or IPV6_ADDR_LINKLOCAL (include/net/ipv6.h)
 * @param flags     IFA_F_* (include/uapi/linux/if_addr.h)
 * @param device    the device's name
 */
public record Inet6Addrs(byte[] address, int ifindex, int prefixLen, int scope, int flags, String device) {
    /** include/net/ipv6.h. */
    static final int IPV6_ADDR_LOOPBACK = 0x10;
    static final int IPV6_ADDR_LINKLOCAL = 0x20;
    /** IFA_F_PERMANENT. */
    static final int IFA_F_PERMANENT = 0x80;
    /** IN6_ADDR_HSIZE_SHIFT: 256 buckets. */
    static final int IN6_ADDR_HSIZE_SHIFT = 8;
    /** GOLDEN_RATIO_32 of include/linux/hash.h. */
    static final int GOLDEN_RATIO_32 = 0x61C88647;
    /** JHASH_INITVAL of include/linux/jhash.h. */
    static final int JHASH_INITVAL = 0xdeadbeef;

    /** The addresses of {@code devices}, added as they come up (ifindex order), listed in hash order. */
    static List<Inet6Addrs> of(List<NetDevices> devices, int hashMix) {
        List<Inet6Addrs> added = new ArrayList<>();
        for (NetDevices d : devices) {
            added.add(d.type() == NetDevices.ARPHRD_LOOPBACK ? loopback(d) : linkLocal(d));
        }
        List<Inet6Addrs> listed = new ArrayList<>();
        for (int i = added.size() - 1; i >= 0; i--) {
            listed.add(added.get(i));
        }
        listed.sort(Comparator.comparingInt(a -> a.bucket(hashMix)));
        return List.copyOf(listed);
    }

    private static Inet6Addrs loopback(NetDevices lo) {
        byte[] a = new byte[16];
        a[15] = 1;
        return new Inet6Addrs(a, lo.ifindex(), 128, IPV6_ADDR_LOOPBACK, IFA_F_PERMANENT, lo.name());
    }

    /** fe80::/64 with addrconf_ifid_eui48()'s identifier: the MAC split by ff:fe, its universal/local bit flipped. */
    private static Inet6Addrs linkLocal(NetDevices d) {
        String[] mac = d.address().split(":");
        byte[] a = new byte[16];
        a[0] = (byte) 0xfe;
        a[1] = (byte) 0x80;
        int[] m = new int[6];
        for (int i = 0; i < 6; i++) {
            m[i] = Integer.parseInt(mac[i], 16);
        }
        a[8] = (byte) (m[0] ^ 0x02);
        a[9] = (byte) m[1];
        a[10] = (byte) m[2];
        a[11] = (byte) 0xff;
        a[12] = (byte) 0xfe;
        a[13] = (byte) m[3];
        a[14] = (byte) m[4];
        a[15] = (byte) m[5];
        return new Inet6Addrs(a, d.ifindex(), 64, IPV6_ADDR_LINKLOCAL, IFA_F_PERMANENT, d.name());
    }

    /** inet6_addr_hash(): hash_32(__ipv6_addr_jhash(addr, net_hash_mix(net)), IN6_ADDR_HSIZE_SHIFT). */
    int bucket(int hashMix) {
        int[] k = new int[4];
        for (int w = 0; w < 4; w++) {
            k[w] = (address[4 * w] & 0xff) | (address[4 * w + 1] & 0xff) << 8 | (address[4 * w + 2] & 0xff) << 16
                    | (address[4 * w + 3] & 0xff) << 24;
        }
        return (jhash2(k, hashMix) * GOLDEN_RATIO_32) >>> (32 - IN6_ADDR_HSIZE_SHIFT);
    }

    /** jhash2() of include/linux/jhash.h over four words (one __jhash_mix round, then the final one's word). */
    static int jhash2(int[] k, int initval) {
        int a = JHASH_INITVAL + (k.length << 2) + initval;
        int b = a;
        int c = a;
        a += k[0];
        b += k[1];
        c += k[2];
        a -= c;
        a ^= Integer.rotateLeft(c, 4);
        c += b;
        b -= a;
        b ^= Integer.rotateLeft(a, 6);
        a += c;
        c -= b;
        c ^= Integer.rotateLeft(b, 8);
        b += a;
        a -= c;
        a ^= Integer.rotateLeft(c, 16);
        c += b;
        b -= a;
        b ^= Integer.rotateLeft(a, 19);
        a += c;
        c -= b;
        c ^= Integer.rotateLeft(b, 4);
        b += a;
        a += k[3];
        c ^= b;
        c -= Integer.rotateLeft(b, 14);
        a ^= c;
        a -= Integer.rotateLeft(c, 11);
        b ^= a;
        b -= Integer.rotateLeft(a, 25);
        c ^= b;
        c -= Integer.rotateLeft(b, 16);
        a ^= c;
        a -= Integer.rotateLeft(c, 4);
        b ^= a;
        b -= Integer.rotateLeft(a, 14);
        c ^= b;
        c -= Integer.rotateLeft(b, 24);
        return c;
    }
}
