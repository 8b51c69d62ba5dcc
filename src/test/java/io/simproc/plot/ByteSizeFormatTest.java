package io.simproc.plot;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ByteSizeFormatTest {
    private final ByteSizeFormat format = new ByteSizeFormat();

    @Test
    void printsTheLargestBinaryUnitWithAtMostTwoDecimals() {
        assertEquals("0", format.format(0));
        assertEquals("1023 B", format.format(1023));
        assertEquals("1 KiB", format.format(1024));
        assertEquals("512 MiB", format.format(512L << 20));
        assertEquals("1.5 GiB", format.format(3L << 29));
        assertEquals("1.25 GiB", format.format(5L << 28));
        assertEquals("-256 MiB", format.format(-(256L << 20)));
        assertEquals("2 TiB", format.format(2.0 * (1L << 40)));
        assertEquals("1.33 GiB", format.format((4L << 30) / 3.0));
    }

    @Test
    void readsBackWhatItPrintsAndRefusesOtherText() throws Exception {
        for (double bytes : new double[] {0, 1023, 1024, 512L << 20, 3L << 29, -(256L << 20), 2.0 * (1L << 40)}) {
            assertEquals(bytes, format.parse(format.format(bytes)).doubleValue(), format.format(bytes));
        }
        java.text.ParsePosition pos = new java.text.ParsePosition(0);
        assertEquals(null, format.parse("lots", pos));
        assertEquals(0, pos.getErrorIndex());
        assertThrows(java.text.ParseException.class, () -> format.parse("MiB 3"));
    }
}
