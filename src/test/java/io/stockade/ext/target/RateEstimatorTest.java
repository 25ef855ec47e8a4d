package io.stockade.ext.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** gen_estimator's EWMA on packet time, checked against values worked out by hand from est_timer. */
class RateEstimatorTest {
    private static final long S = 1_000_000_000L;

    @Test
    void oneTickByHand() {
        RateEstimator e = new RateEstimator();
        e.configure(0, 1);                   // 1 s period (intvl_log 2), ewma_log 1
        e.add(10 * S, 1000);                 // starts the timer: first tick at 11 s
        assertEquals(0, e.bps(10 * S + S / 2));
        // tick at 11 s: brate = 1000 << (10 - 2) = 256000; avbps = (256000 >> 1) - 0 = 128000; bps = 500
        assertEquals(500, e.bps(11 * S));
        // pps: 1 << 8 = 256 >> 1 = 128 -> 0 packets/s after >> 8
        assertEquals(0, e.pps(11 * S));
        // tick at 12 s without traffic: avbps = 128000 + (0 - 64000) = 64000; bps 250
        assertEquals(250, e.bps(12 * S + 1));
    }

    @Test
    void steadyTrafficConvergesAndIdleDecays() {
        RateEstimator e = new RateEstimator();
        e.configure(-2, 2);                  // 250 ms, ewma_log 2
        long t = 0;
        for (int i = 0; i < 20_000; i++) {   // 1000 packets/s of 100 bytes for 20 s
            e.add(t, 100);
            t += S / 1000;
        }
        long bps = e.bps(t);
        long pps = e.pps(t);
        assertTrue(bps > 95_000 && bps <= 100_000, "bps " + bps);
        assertTrue(pps > 950 && pps <= 1000, "pps " + pps);
        // an hour later the averages have decayed to their integer floor
        assertEquals(0, e.pps(t + 3600 * S));
        assertTrue(e.bps(t + 3600 * S) < 1, "bps after idle");
    }

    @Test
    void reconfiguringStartsAfresh() {
        RateEstimator e = new RateEstimator();
        e.configure(0, 1);
        e.add(0, 1000);
        assertEquals(500, e.bps(S));
        e.configure(0, 1);                   // same parameters: kept
        assertEquals(500, e.bps(S));
        e.configure(1, 1);                   // other parameters: a new estimator
        assertEquals(0, e.bps(S));
    }
}
