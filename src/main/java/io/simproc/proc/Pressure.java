package io.simproc.proc;

import io.simproc.uapi.Errno;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * /proc/pressure/{io,memory,cpu} (kernel/sched/psi.c: psi_show(), psi_write()): the pressure stall information of
 * the whole system. Reading gives the "some" and "full" lines; writing registers a trigger ({@code some|full
 * THRESHOLD_US WINDOW_US}) checked as psi_trigger_create() checks it. A trigger lives as long as the file
 * descriptor it was written to and only signals through poll(2), which the simulated files do not offer: an
 * accepted trigger changes nothing else, a refused one fails with the kernel's errno.
 */
public final class Pressure {
    /** WINDOW_MIN_US and WINDOW_MAX_US. */
    static final long WINDOW_MIN_US = 500_000;
    static final long WINDOW_MAX_US = 10_000_000;
    /** psi_write()'s buffer: longer writes are cut, and its last byte is always the terminating NUL. */
    static final int BUF_SIZE = 32;

    private Pressure() {
    }

    /** The directory, mode 0555, with its three files, mode 0666 (psi_proc_init()). */
    public static ProcDir dir() {
        return ProcDir.of("pressure", List.of(file("cpu"), file("io"), file("memory")));
    }

    private static ProcFile file(String resource) {
        return new ProcFile(resource, 0666, 0, 0, ctx -> ctx.kernel().sched().pressure(resource)
                .getBytes(StandardCharsets.US_ASCII), (ctx, data, offset) -> write(ctx, data), false);
    }

    /**
     * psi_write(): EPERM without CAP_SYS_RESOURCE (psi_open() refuses such a writer), EINVAL for an empty write or
     * a trigger psi_trigger_create() rejects; else every byte is consumed.
     */
    static int write(ProcContext ctx, byte[] data) {
        if (!ctx.who().isRoot()) {
            return -Errno.EPERM;
        }
        if (data.length == 0) {
            return -Errno.EINVAL;
        }
        int size = Math.min(data.length, BUF_SIZE);
        int len = 0;
        while (len < size - 1 && data[len] != 0) {
            len++;
        }
        int err = trigger(new String(data, 0, len, StandardCharsets.ISO_8859_1));
        return err < 0 ? err : data.length;
    }

    /**
     * psi_trigger_create()'s checks of a trigger ({@code some|full THRESHOLD_US WINDOW_US}): 0 when it would be
     * created, -EINVAL when not. A cgroup's pressure files take the same triggers.
     */
    public static int trigger(String buf) {
        long[] args = scan(buf, "some");
        if (args == null) {
            args = scan(buf, "full");
        }
        if (args == null) {
            return -Errno.EINVAL;
        }
        long threshold = args[0];
        long window = args[1];
        if (window < WINDOW_MIN_US || window > WINDOW_MAX_US || threshold == 0 || threshold > window) {
            return -Errno.EINVAL;
        }
        return 0;
    }

    /**
     * sscanf(buf, "WORD %u %u"): the word literally, then two unsigned decimal numbers each after optional white
     * space (an unsigned conversion takes no sign), stored in 32 bits; null unless both convert.
     */
    static long[] scan(String buf, String word) {
        if (!buf.startsWith(word)) {
            return null;
        }
        int i = word.length();
        long[] out = new long[2];
        for (int n = 0; n < 2; n++) {
            while (i < buf.length() && isSpace(buf.charAt(i))) {
                i++;
            }
            if (i >= buf.length() || buf.charAt(i) < '0' || buf.charAt(i) > '9') {
                return null;
            }
            long v = 0;
            while (i < buf.length() && buf.charAt(i) >= '0' && buf.charAt(i) <= '9') {
                v = v * 10 + (buf.charAt(i) - '0');
                i++;
            }
            out[n] = v & 0xffff_ffffL;
        }
        return out;
    }

    /** isspace() of lib/ctype.c: space, \t \n \v \f \r. */
    private static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
