package io.simproc.proc;

/**
 * Connection tracking's /proc/net files (net/netfilter/nf_conntrack_standalone.c, CONFIG_NF_CONNTRACK_PROCFS):
 * nf_conntrack, the table (empty: no packet is simulated), and stat/nf_conntrack, the per-CPU statistics.
 */
final class ProcNetConntrack {
    /** ct_cpu_seq_show()'s header. */
    static final String STAT_HEADER = "entries  clashres found new invalid ignore delete chainlength insert"
            + " insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart";

    private ProcNetConntrack() {
    }

    /**
     * ct_cpu_seq_show(): the header, then per possible CPU the entry count and its 16 counters as "%08x", two spaces
     * after the first and the thirteenth field. Nothing is tracked, so every field is 0.
     */
    static byte[] stat(ProcContext ctx) {
        int cpus = ctx.kernel().cpuStat().nrCpus();
        int entries = ctx.kernel().initNet().conntrack().count();
        Seq s = new Seq(160 * (cpus + 1)).put(STAT_HEADER).nl();
        for (int cpu = 0; cpu < cpus; cpu++) {
            s.hex(entries, 8).put(' ');
            for (int i = 1; i < 17; i++) {
                s.put(' ').hex(0, 8);
                if (i == 12) {
                    s.put(' ');
                }
            }
            s.nl();
        }
        return s.bytes();
    }

    /** ct_seq_show() per tracked connection: none. */
    static byte[] table(ProcContext ctx) {
        return new byte[0];
    }
}
