package io.simproc.sysctl;

import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTestSupport;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.simproc.proc.ProcTestSupport.file;
import static io.simproc.proc.ProcTestSupport.read;
import static io.simproc.proc.ProcTestSupport.sample;
import static io.simproc.proc.ProcTestSupport.shared;
import static io.simproc.proc.ProcTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * net.netfilter (nf_conntrack_standalone.c) against the guest kernel's table (reference-6.18/proc/sys/net/
 * netfilter.txt: mode, name, value of every file under it, read once on a 24 GiB guest of the same build, whose
 * sizing above 4 GiB is the default machine's too), and each handler's answer to bad writes.
 */
class NetfilterSysctlTest {
    private static final String DIR = "/sys/net/netfilter/";

    @Test
    void theTableIsTheGuestKernels() {
        List<String> got = new ArrayList<>();
        for (String line : sample("proc/sys/net/netfilter.txt").lines().toList()) {
            String name = line.split(" ")[1];
            got.add(Integer.toOctalString(file(shared(), DIR + name).mode()) + " " + name + " "
                    + read(shared(), DIR + name).strip());
        }
        assertEquals(sample("proc/sys/net/netfilter.txt").lines().toList(), got);
        assertEquals(sample("proc/sys/net/nf_conntrack_max.txt").strip(), Integer.toOctalString(
                file(shared(), "/sys/net/nf_conntrack_max").mode()) + " nf_conntrack_max "
                + read(shared(), "/sys/net/nf_conntrack_max").strip());
    }

    @Test
    void conntrackMaxTakesZeroToIntMaxInBothPlaces() {
        ProcFs fs = ProcTestSupport.bootDefault();
        assertEquals(5, write(fs, DIR + "nf_conntrack_max", "65536", 0));
        assertEquals("65536\n", read(fs, "/sys/net/nf_conntrack_max"), "one variable, two files");
        assertEquals(-Errno.EINVAL, write(fs, DIR + "nf_conntrack_max", "-1\n", 0));
        assertEquals(-Errno.EINVAL, write(fs, "/sys/net/nf_conntrack_max", "2147483648\n", 0));
        assertEquals(2, write(fs, "/sys/net/nf_conntrack_max", "0\n", 0));
        assertEquals("0\n", read(fs, DIR + "nf_conntrack_max"));
        assertEquals(-Errno.EINVAL, write(fs, DIR + "nf_conntrack_expect_max", "0\n", 0), "expect_max from 1");
        assertEquals("4096\n", read(fs, DIR + "nf_conntrack_expect_max"));
    }

    @Test
    void bucketsResizeTheTable() {
        ProcFs fs = ProcTestSupport.bootDefault();
        assertEquals(5, write(fs, DIR + "nf_conntrack_buckets", "1000\n", 0));
        assertEquals("1024\n", read(fs, DIR + "nf_conntrack_buckets"), "rounded up to a page of buckets");
        assertEquals(-Errno.EINVAL, write(fs, DIR + "nf_conntrack_buckets", "0\n", 0));
        assertEquals(-Errno.ENOMEM, write(fs, DIR + "nf_conntrack_buckets", "-1\n", 0), "UINT_MAX buckets");
        assertEquals(-Errno.EINVAL, write(fs, DIR + "nf_conntrack_buckets", "lots\n", 0));
        assertEquals("1024\n", read(fs, DIR + "nf_conntrack_buckets"));
        assertEquals("262144\n", read(fs, DIR + "nf_conntrack_max"));
    }

    @Test
    void countIsReadOnlyEvenForRoot() {
        ProcFs fs = ProcTestSupport.bootDefault();
        assertEquals(-Errno.EACCES, ProcFs.permission(file(fs, DIR + "nf_conntrack_count"),
                io.simproc.uapi.Credentials.ROOT, ProcFs.MAY_WRITE));
    }

    @Test
    void switchesAreU8sWithinTheirBounds() {
        ProcFs fs = ProcTestSupport.bootDefault();
        assertEquals(2, write(fs, DIR + "nf_conntrack_checksum", "0\n", 0));
        assertEquals("0\n", read(fs, DIR + "nf_conntrack_checksum"));
        assertEquals(-Errno.EINVAL, write(fs, DIR + "nf_conntrack_checksum", "2\n", 0), "extra2 SYSCTL_ONE");
        assertEquals(-Errno.EINVAL, write(fs, DIR + "nf_conntrack_events", "-1\n", 0));
        assertEquals(4, write(fs, DIR + "nf_conntrack_log_invalid", "255\n", 0));
        assertEquals(-Errno.EINVAL, write(fs, DIR + "nf_conntrack_log_invalid", "256\n", 0), "a u8");
        assertEquals("255\n", read(fs, DIR + "nf_conntrack_log_invalid"));
        assertEquals("0\n", read(fs, DIR + "nf_conntrack_checksum"));
    }

    @Test
    void loggersBindByNameOrNone() {
        ProcFs fs = ProcTestSupport.bootDefault();
        String ipv4 = DIR + "nf_log/2";
        assertEquals(5, write(fs, ipv4, "NONE\n", 0));
        assertEquals("NONE\n", read(fs, ipv4));
        assertEquals(-Errno.ENOENT, write(fs, ipv4, "nf_log_ipv6\n", 0), "another family's logger");
        assertEquals(14, write(fs, ipv4, "NFNETLINK_LOG\n", 0), "strncasecmp over the logger's name");
        assertEquals("nfnetlink_log\n", read(fs, ipv4));
        assertEquals(-Errno.ENOENT, write(fs, ipv4, "nf_log_ipv4", 3), "nothing is taken past offset 0");
        assertEquals(-Errno.ENOENT, write(fs, DIR + "nf_log/0", "nf_log_ipv4\n", 0));
        assertEquals("NONE\n", read(fs, DIR + "nf_log/0"));
    }

    @Test
    void lwtunnelHooksCanBeEnabledButNotDisabled() {
        ProcFs fs = ProcTestSupport.bootDefault();
        String hooks = DIR + "nf_hooks_lwtunnel";
        assertEquals(2, write(fs, hooks, "0\n", 0));
        assertEquals(-Errno.EINVAL, write(fs, hooks, "2\n", 0));
        assertEquals(2, write(fs, hooks, "1\n", 0));
        assertEquals(-Errno.EBUSY, write(fs, hooks, "0\n", 0));
        assertEquals("1\n", read(fs, hooks));
    }

    @Test
    void frag6ThresholdsBoundEachOther() {
        ProcFs fs = ProcTestSupport.bootDefault();
        assertEquals(-Errno.EINVAL, write(fs, DIR + "nf_conntrack_frag6_low_thresh", "4194305\n", 0));
        assertEquals(-Errno.EINVAL, write(fs, DIR + "nf_conntrack_frag6_high_thresh", "3145727\n", 0));
        assertEquals(8, write(fs, DIR + "nf_conntrack_frag6_high_thresh", "8388608\n", 0));
        assertEquals(8, write(fs, DIR + "nf_conntrack_frag6_low_thresh", "4194305\n", 0));
        assertEquals("4194305\n", read(fs, DIR + "nf_conntrack_frag6_low_thresh"));
    }

    @Test
    void timeoutsAreSecondsHeldInJiffies() {
        ProcFs fs = ProcTestSupport.bootDefault();
        String established = DIR + "nf_conntrack_tcp_timeout_established";
        assertEquals(6, write(fs, established, "86400\n", 0));
        assertEquals("86400\n", read(fs, established));
        assertEquals(86400 * io.simproc.kernel.Clock.HZ,
                fs.kernel().initNet().conntrack().timeoutJiffies("nf_conntrack_tcp_timeout_established"));
        String tooLong = Integer.toString(Integer.MAX_VALUE / io.simproc.kernel.Clock.HZ + 1);
        assertEquals(-Errno.EINVAL, write(fs, established, tooLong, 0), "past INT_MAX jiffies");
        assertEquals("86400\n", read(fs, established));
    }
}
