package io.simproc.record;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RecordingTest {
    private static Recording twoSeries() {
        return new Recording(List.of(new Recording.Series("meminfo.MemFree", "bytes", "memory"),
                new Recording.Series("vmstat.pswpout", "pages", "swap")), Map.of("vm.swappiness", "10"));
    }

    @Test
    void keepsEverySampleInOrderPastTheInitialCapacity() {
        Recording r = twoSeries();
        for (int i = 0; i < 1000; i++) {
            r.add(100L * i, new double[] {i, 2.0 * i});
        }
        assertEquals(1000, r.samples());
        assertEquals(99_900, r.millis(999));
        assertEquals(999, r.value(0, 999));
        assertEquals(1998, r.value(1, 999));
        assertEquals(0, r.value(1, 0));
    }

    @Test
    void refusesSamplesOutOfOrderOrOfTheWrongWidth() {
        Recording r = twoSeries();
        r.add(100, new double[] {1, 2});
        assertThrows(IllegalArgumentException.class, () -> r.add(100, new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> r.add(200, new double[] {1}));
        assertThrows(IndexOutOfBoundsException.class, () -> r.value(0, 1));
        assertEquals(1, r.samples());
    }
}
