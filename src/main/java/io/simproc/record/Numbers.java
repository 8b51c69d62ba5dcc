package io.simproc.record;

import java.math.BigDecimal;

/**
 * Recorded values as text, exact and stable: whole numbers without a fraction, others in the shortest decimal that
 * reads back as the same double, never in exponent form, so that a seed reproduces a file byte for byte.
 */
final class Numbers {
    private Numbers() {
    }

    /** {@code v} × 10^{@code shift} (shift ≤ 0: µs to s is -6), computed in decimal so it stays exact. */
    static String format(double v, int shift) {
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 0x1p53) {
            BigDecimal d = BigDecimal.valueOf((long) v).movePointLeft(-shift);
            return shift == 0 ? Long.toString((long) v) : plain(d);
        }
        return plain(new BigDecimal(Double.toString(v)).movePointLeft(-shift));
    }

    private static String plain(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0).toPlainString() : s.toPlainString();
    }

    /** Milliseconds as seconds with three decimals: {@code 1500} → {@code 1.500}. */
    static String seconds(long millis) {
        long abs = Math.abs(millis);
        return (millis < 0 ? "-" : "") + abs / 1000 + "." + String.format(java.util.Locale.ROOT, "%03d", abs % 1000);
    }
}
