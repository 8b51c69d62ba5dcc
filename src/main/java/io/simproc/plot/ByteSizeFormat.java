package io.simproc.plot;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /**
     * The inverse of {@link #format}: {@code 1.5 GiB} → 1610612736.0 (bytes, a Double), read from {@code pos}; as
     * NumberFormat's contract asks, null with {@code pos}'s error index set when the text there is not a size.
     */
    @Override
    public Number parse(String source, ParsePosition pos) {
        Matcher m = SIZE.matcher(source);
        m.region(pos.getIndex(), source.length());
        if (!m.lookingAt()) {
            pos.setErrorIndex(pos.getIndex());
            return null;
        }
        double v = new BigDecimal(m.group(1)).doubleValue();
        if (m.group(2) != null) {
            v *= Math.pow(1024, java.util.Arrays.asList(UNITS).indexOf(m.group(2)));
        }
        pos.setIndex(m.end());
        return v;
    }

    /** A number, optionally signed, and its unit after one space. */
    private static final Pattern SIZE = Pattern.compile("(-?[0-9]+(?:\\.[0-9]+)?)(?: (B|KiB|MiB|GiB|TiB|PiB|EiB))?");
}
