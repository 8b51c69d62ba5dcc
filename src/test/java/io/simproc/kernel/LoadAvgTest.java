package io.simproc.kernel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** calc_load(), fixed_power_int(), calc_load_n() and get_avenrun()'s printing, against values worked by hand. */
class LoadAvgTest {
    @Test
    void oneFoldTowardsOneTaskRoundsUpWhileRising() {
        // (0 * 1884 + 2048 * (2048 - 1884) + 2047) / 2048 = 337919 / 2048 = 164.99 -> 164 with the round-up term
        assertEquals(164, LoadAvg.calcLoad(0, LoadAvg.EXP_1, LoadAvg.FIXED_1));
        // falling: 2048 * 1884 / 2048 = 1884, no round-up
        assertEquals(1884, LoadAvg.calcLoad(LoadAvg.FIXED_1, LoadAvg.EXP_1, 0));
    }

    @Test
    void aSteadyTaskBringsTheLoadToExactlyOneAndNoTaskBackToZero() {
        LoadAvg l = new LoadAvg();
        for (int i = 0; i < 2000; i++) {
            l.update(1);
        }
        assertEquals("1.00 1.00 1.00", l.formatted());
        assertEquals(LoadAvg.FIXED_1, l.raw(0));
        for (int i = 0; i < 3000; i++) {
            l.update(0);
        }
        assertEquals("0.00 0.00 0.00", l.formatted());
        assertEquals(0, l.raw(2));
    }

    @Test
    void fixedPowerIntRoundsEveryProduct() {
        assertEquals(2048, LoadAvg.fixedPowerInt(1884, LoadAvg.FSHIFT, 0));
        assertEquals(1884, LoadAvg.fixedPowerInt(1884, LoadAvg.FSHIFT, 1));
        // (1884 * 1884 + 1024) >> 11 = 3550480 >> 11 = 1733
        assertEquals(1733, LoadAvg.fixedPowerInt(1884, LoadAvg.FSHIFT, 2));
        // x^3: result = 1884, then x = 1733, result = (1884 * 1733 + 1024) >> 11 = 3265996 >> 11 = 1594
        assertEquals(1594, LoadAvg.fixedPowerInt(1884, LoadAvg.FSHIFT, 3));
    }

    @Test
    void calcLoadNDecaysSeveralPeriodsAtOnce() {
        // 100 % (204800) decayed by EXP_10s^2: fixed_power_int(1677, 11, 2) = (1677^2 + 1024) >> 11 = 1373
        // calc_load(204800, 1373, 0) = 204800 * 1373 / 2048 = 137300
        assertEquals(1373, LoadAvg.fixedPowerInt(1677, LoadAvg.FSHIFT, 2));
        assertEquals(137300, LoadAvg.calcLoadN(204800, 1677, 0, 2));
    }

    @Test
    void printedWithTheOneTwoHundredthRounding() {
        LoadAvg l = new LoadAvg();
        l.update(3);
        // avenrun = (3 * 2048 * (2048 - 1884) + 2047) / 2048 = 492, printed with FIXED_1 / 200 (10) added
        long a0 = LoadAvg.calcLoad(0, LoadAvg.EXP_1, 3 * LoadAvg.FIXED_1);
        assertEquals(492, a0);
        // (492 + 10) = 502: 0 whole, (502 * 100) >> 11 = 24
        assertEquals("0.24", l.formatted().split(" ")[0]);
    }
}
