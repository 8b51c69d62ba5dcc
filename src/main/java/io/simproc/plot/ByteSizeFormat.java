package io.simproc.plot;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;

/**
 * Tick labels of a byte axis in binary units, as free(1) -h prints them: {@code 0}, {@code 512 KiB},
 * {@code 1.5 GiB}. At most two decimals, trailing zeros dropped; the same text on any host (no locale).
 */
final class ByteSizeFormat extends NumberFormat {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    @Override
    public StringBuffer format(double bytes, StringBuffer to, FieldPosition pos) {
        if (bytes == 0 || Double.isNaN(bytes) || Double.isInfinite(bytes)) {
            return to.append(bytes == 0 ? "0" : String.valueOf(bytes));
        }
        double v = Math.abs(bytes);
        int unit = 0;
        while (unit < UNITS.length - 1 && v >= 1024) {
            v /= 1024;
            unit++;
        }
        BigDecimal rounded = BigDecimal.valueOf(v).setScale(2, RoundingMode.HALF_EVEN).stripTrailingZeros();
        return to.append(bytes < 0 ? "-" : "").append(rounded.toPlainString()).append(' ').append(UNITS[unit]);
    }

    @Override
    public StringBuffer format(long bytes, StringBuffer to, FieldPosition pos) {
        return format((double) bytes, to, pos);
    }

    /** Tick labels are only printed, never read back. */
    @Override
    public Number parse(String source, ParsePosition pos) {
        throw new UnsupportedOperationException("byte sizes of chart ticks are not parsed");
    }
}
