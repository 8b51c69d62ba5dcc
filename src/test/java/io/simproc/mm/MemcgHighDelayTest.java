package io.simproc.mm;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * memory.high's penalty (mm/memcontrol.c: calculate_overage(), calculate_high_delay()), worked by hand: the overage
 * is (usage - high) / high in 1/2^20 units; the penalty is overage² × HZ / 2^34 jiffies for a nominal batch of 64
 * pages, in proportion to the pages the task owes.
 */
class MemcgHighDelayTest {
    @Test
    void theOverageIsAFractionOfHighInTwoToTheTwentiethUnits() {
        assertEquals(0, MemcgHigh.calculateOverage(1000, 1000), "at high: none");
        assertEquals(0, MemcgHigh.calculateOverage(10, 1000), "below: none");
        assertEquals(1 << 17, MemcgHigh.calculateOverage(9 * 1024, 8 * 1024), "12.5% over is 2^17");
        assertEquals(1L << 20, MemcgHigh.calculateOverage(2, 0), "a high of 0 counts as 1 page: 100% over");
    }

    @Test
    void thePenaltyIsQuadraticInTheOverageAndProportionalToThePagesOwed() {
        long eighth = 1 << 17;
        // (2^17)^2 * 250 = 2^34 * 250; >> 20 >> 14 = 250 jiffies for 64 pages: one second at 12.5% over.
        assertEquals(250, MemcgHigh.calculateHighDelay(64, eighth));
        assertEquals(500, MemcgHigh.calculateHighDelay(128, eighth), "twice the pages owed, twice the sleep");
        assertEquals(31, MemcgHigh.calculateHighDelay(8, eighth), "250 * 8 / 64, rounded down");
        assertEquals(1000, MemcgHigh.calculateHighDelay(64, 2 * eighth), "twice the overage, four times the sleep");
        assertEquals(0, MemcgHigh.calculateHighDelay(64, 0));
    }
}
