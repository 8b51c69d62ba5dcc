package io.simproc.proc;

import java.util.BitSet;

/**
 * The kernel's printing of CPU and node masks (lib/vsprintf.c bitmap_string and bitmap_list_string, the
 * {@code %*pb} and {@code %*pbl} of /proc/PID/status and of sysfs's cpumap, cpulist and node state files).
 */
public final class Bitmaps {
    private Bitmaps() {
    }

    /** The bits [from, to). */
    public static BitSet range(int from, int to) {
        BitSet b = new BitSet();
        if (to > from) {
            b.set(from, to);
        }
        return b;
    }

    /**
     * {@code %*pb} of a bitmap of nbits: 32-bit chunks in hex from the most significant, comma-separated, the first
     * one as many digits as its bits need, the others 8 (bitmap_string).
     */
    public static Seq mask(Seq s, BitSet bits, int nbits) {
        int chunk = nbits % 32 == 0 ? 32 : nbits % 32;
        boolean first = true;
        for (int i = ((nbits + 31) / 32) * 32 - 32; i >= 0; i -= 32) {
            long val = 0;
            for (int b = 0; b < chunk; b++) {
                if (bits.get(i + b)) {
                    val |= 1L << b;
                }
            }
            if (!first) {
                s.put(',');
            }
            first = false;
            s.hex(val, (chunk + 3) / 4);
            chunk = 32;
        }
        return s;
    }

    /** {@code %*pbl}: ranges of set bits, "0-3,8,10-11" (empty for no bits; bitmap_list_string). */
    public static Seq list(Seq s, BitSet bits) {
        boolean first = true;
        for (int from = bits.nextSetBit(0); from >= 0; ) {
            int to = bits.nextClearBit(from);
            if (!first) {
                s.put(',');
            }
            first = false;
            s.put(from);
            if (to - 1 > from) {
                s.put('-').put(to - 1);
            }
            from = bits.nextSetBit(to);
        }
        return s;
    }
}
