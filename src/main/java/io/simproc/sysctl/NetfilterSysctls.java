package io.simproc.sysctl;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.NfConntrack;
import io.simproc.uapi.Credentials;

import java.util.List;

/**
 * The net.netfilter table of init_net (net/netfilter/nf_conntrack_standalone.c nf_ct_sysctl_table) and the
 * global net.nf_conntrack_max (nf_ct_netfilter_table), with their handlers: nf_conntrack_max and
 * nf_conntrack_expect_max proc_dointvec_minmax (0 or 1 up to INT_MAX, since 6.15), nf_conntrack_count read-only,
 * nf_conntrack_buckets resizing the hash table (nf_conntrack_hash_sysctl), the switches proc_dou8vec_minmax and
 * the timeouts proc_dointvec_jiffies; and IPv6 reassembly's nf_conntrack_frag6_* (net/ipv6/netfilter/
 * nf_conntrack_reasm.c nf_ct_frag6_sysctl_table: thresholds proc_doulongvec_minmax bounded by each other). In
 * init_net all are writable by root.
 */
final class NetfilterSysctls {
    private static final String DIR = "net/netfilter/";

    private NetfilterSysctls() {
    }

    static void add(List<Sysctl> e) {
        e.add(new IntSysctl(DIR + "nf_conntrack_max", 0644, 0, Integer.MAX_VALUE, k -> ct(k).max(),
                (k, v) -> ct(k).setMax(v)));
        e.add(new IntSysctl("net/nf_conntrack_max", 0644, 0, Integer.MAX_VALUE, k -> ct(k).max(),
                (k, v) -> ct(k).setMax(v)));
        e.add(new StringSysctl(DIR + "nf_conntrack_count", k -> Integer.toString(ct(k).count())));
        e.add(new Buckets());
        e.add(new IntSysctl(DIR + "nf_conntrack_expect_max", 0644, 1, Integer.MAX_VALUE, k -> ct(k).expectMax(),
                (k, v) -> ct(k).setExpectMax(v)));
        for (NfConntrack.Switch s : NfConntrack.Switch.values()) {
            e.add(new U8Sysctl(DIR + s.procname(), 0, s.max(), k -> ct(k).get(s), (k, v) -> ct(k).set(s, v)));
        }
        e.add(new ULongMinSysctl(DIR + "nf_conntrack_frag6_high_thresh", 0644, 0, k -> ct(k).frag6HighThresh(),
                (k, v) -> ct(k).setFrag6HighThresh(v)));
        e.add(new ULongMinSysctl(DIR + "nf_conntrack_frag6_low_thresh", 0644, 0, k -> ct(k).frag6LowThresh(),
                (k, v) -> ct(k).setFrag6LowThresh(v)));
        e.add(new JiffiesSysctl(DIR + "nf_conntrack_frag6_timeout", k -> ct(k).frag6TimeoutJiffies(),
                (k, v) -> ct(k).setFrag6TimeoutJiffies(v)));
        for (String name : NfConntrack.timeoutNames()) {
            e.add(new JiffiesSysctl(DIR + name, k -> ct(k).timeoutJiffies(name),
                    (k, v) -> ct(k).setTimeoutJiffies(name, v)));
        }
    }

    private static NfConntrack ct(Kernel k) {
        return k.initNet().conntrack();
    }

    /**
     * nf_conntrack_buckets: proc_dointvec into an unsigned int, then nf_conntrack_hash_resize() to the value
     * written (rounded up to whole pages); the resize's error (EINVAL for 0, ENOMEM past the largest table) is
     * the write's.
     */
    private static final class Buckets extends Sysctl {
        Buckets() {
            super(DIR + "nf_conntrack_buckets", 0644);
        }

        @Override
        public byte[] read(Kernel kernel) {
            return ProcDoIntVec.format(ct(kernel).htableSize());
        }

        @Override
        public int write(Kernel kernel, byte[] data, long pos, Credentials writer) {
            long[] value = {ct(kernel).htableSize()};
            ProcDoIntVec.Result r = ProcDoIntVec.write(data, pos, 1, false, (i, magnitude, negative) -> {
                Integer v = ProcDoIntVec.toInt(magnitude, negative);
                if (v == null) {
                    return -io.simproc.uapi.Errno.EINVAL;
                }
                value[0] = Integer.toUnsignedLong(v);
                return 0;
            });
            if (!r.ok()) {
                return r.returned();
            }
            int err = ct(kernel).hashResize(value[0]);
            return err != 0 ? err : r.returned();
        }
    }
}
