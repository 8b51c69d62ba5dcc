package io.simproc.sysctl;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.NfLog;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The rest of init_net's net.netfilter table: nf_log/N per protocol family and nf_log_all_netns
 * (net/netfilter/nf_log.c), and nf_hooks_lwtunnel (net/netfilter/nf_hooks_lwtunnel.c).
 */
final class NfLogSysctls {
    private NfLogSysctls() {
    }

    static void add(List<Sysctl> e) {
        for (int pf = 0; pf < NfLog.NFPROTO_NUMPROTO; pf++) {
            e.add(new Logger(pf));
        }
        e.add(new IntSysctl("net/netfilter/nf_log_all_netns", 0644, null, null, k -> log(k).allNetns(),
                (k, v) -> log(k).setAllNetns(v)));
        e.add(new LwtunnelHooks());
    }

    private static NfLog log(Kernel k) {
        return k.initNet().nfLog();
    }

    /**
     * nf_log/N (nf_log_proc_dostring()): the bound logger's name or NONE; a write is taken as proc_dostring()
     * takes it (up to a newline or NUL, at most NFLOGGER_NAME_LEN - 1 characters, nothing at a non-zero offset)
     * and bound, or refused with ENOENT when the family has no such logger.
     */
    private static final class Logger extends Sysctl {
        /** NFLOGGER_NAME_LEN. */
        private static final int NAME_LEN = 64;
        private final int pf;

        Logger(int pf) {
            super("net/netfilter/nf_log/" + pf, 0644);
            this.pf = pf;
        }

        @Override
        public byte[] read(Kernel kernel) {
            return (log(kernel).bound(pf) + "\n").getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public int write(Kernel kernel, byte[] data, long pos, Credentials writer) {
            StringBuilder name = new StringBuilder();
            for (int i = 0; pos == 0 && i < data.length && name.length() < NAME_LEN - 1; i++) {
                if (data[i] == 0 || data[i] == '\n') {
                    break;
                }
                name.append((char) (data[i] & 0xff));
            }
            int err = log(kernel).bind(pf, name.toString());
            return err != 0 ? err : data.length;
        }
    }

    /**
     * nf_hooks_lwtunnel: proc_dointvec_minmax of 0 or 1 on a copy of the static key; 1 enables the hooks for good,
     * 0 once they are on is EBUSY.
     */
    private static final class LwtunnelHooks extends Sysctl {
        LwtunnelHooks() {
            super("net/netfilter/nf_hooks_lwtunnel", 0644);
        }

        @Override
        public byte[] read(Kernel kernel) {
            return ProcDoIntVec.format(log(kernel).lwtunnelHooks() ? 1 : 0);
        }

        @Override
        public int write(Kernel kernel, byte[] data, long pos, Credentials writer) {
            int[] value = new int[1];
            ProcDoIntVec.Result r = ProcDoIntVec.write(data, pos, 1, false, (i, magnitude, negative) -> {
                Integer v = ProcDoIntVec.toInt(magnitude, negative);
                if (v == null || v < 0 || v > 1) {
                    return -Errno.EINVAL;
                }
                value[0] = v;
                return 0;
            });
            if (!r.ok()) {
                return r.returned();
            }
            int err = log(kernel).setLwtunnelHooks(value[0]);
            return err != 0 ? err : r.returned();
        }
    }
}
