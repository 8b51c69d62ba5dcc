package io.simproc.plot;

import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.TickUnits;

import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.NumberFormat;
import java.util.Locale;

/**
 * The value axis of a unit: bytes tick at powers of two and print as KiB, MiB, GiB; percent prints a {@code %};
 * counts, pages and the rest tick at 1, 2, 5 times a power of ten with thousands separated. Tick labels are the
 * same on every host: formats use {@link Locale#ROOT}, never the default locale.
 */
final class UnitAxis {
    static final String BYTES = "bytes";
    static final String PERCENT = "percent";

    private UnitAxis() {
    }

    /** A value axis for {@code unit}, labelled with the panel's {@code group}. */
    static NumberAxis of(String group, String unit) {
        NumberAxis axis = new NumberAxis(label(group, unit));
        axis.setAutoRangeIncludesZero(true);
        axis.setStandardTickUnits(switch (unit) {
            case BYTES -> binaryUnits();
            case PERCENT -> decimalUnits(-2, decimal("#,##0.##'%'"));
            default -> decimalUnits(integral(unit) ? 0 : -3, decimal("#,##0.###"));
        });
        return axis;
    }

    /** The time axis, in seconds of scenario time. */
    static NumberAxis time() {
        NumberAxis axis = new NumberAxis("scenario time (s)");
        axis.setAutoRangeIncludesZero(false);
        axis.setStandardTickUnits(decimalUnits(-3, decimal("#,##0.###")));
        return axis;
    }

    /** Bytes and percent say their unit on each tick; other units in the axis label. */
    static String label(String group, String unit) {
        return unit.equals(BYTES) || unit.equals(PERCENT) ? group : group + " (" + unit + ")";
    }

    private static boolean integral(String unit) {
        return unit.equals("pages") || unit.equals("count");
    }

    private static TickUnits binaryUnits() {
        TickUnits units = new TickUnits();
        ByteSizeFormat format = new ByteSizeFormat();
        for (int shift = 0; shift < 63; shift++) {
            units.add(new NumberTickUnit(Math.scalb(1.0, shift), format));
        }
        return units;
    }

    private static TickUnits decimalUnits(int fromExponent, NumberFormat format) {
        TickUnits units = new TickUnits();
        for (int e = fromExponent; e <= 18; e++) {
            double p = Math.pow(10, e);
            units.add(new NumberTickUnit(p, format));
            units.add(new NumberTickUnit(2 * p, format));
            units.add(new NumberTickUnit(5 * p, format));
        }
        return units;
    }

    private static DecimalFormat decimal(String pattern) {
        return new DecimalFormat(pattern, DecimalFormatSymbols.getInstance(Locale.ROOT));
    }
}
