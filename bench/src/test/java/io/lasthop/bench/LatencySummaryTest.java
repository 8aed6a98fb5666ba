package io.lasthop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencySummaryTest {
    @Test
    void percentilesOfAKnownDistribution() {
        Histogram h = new Histogram(1, Ledger.MAX_LATENCY_US, 3);
        for (int i = 1; i <= 10_000; i++) {
            h.recordValue(i * 10L); // 10 µs … 100 ms, uniform
        }
        LatencySummary s = LatencySummary.of(h);
        assertEquals(10_000, s.count());
        assertWithin(50_000, s.p50Us());
        assertWithin(90_000, s.p90Us());
        assertWithin(99_000, s.p99Us());
        assertWithin(99_900, s.p999Us());
        assertWithin(100_000, s.maxUs());
    }

    private static void assertWithin(long expected, long actual) {
        assertTrue(Math.abs(actual - expected) <= expected / 500 + 1, "expected ~" + expected + ", got " + actual);
    }

    @Test
    void formatsMillisecondsWithFittingPrecision() {
        assertEquals("0.41", LatencySummary.ms(412));
        assertEquals("9.99", LatencySummary.ms(9_990));
        assertEquals("12.3", LatencySummary.ms(12_340));
        assertEquals("1235", LatencySummary.ms(1_234_600));
        LatencySummary s = new LatencySummary(5, 500, 900, 2_500, 15_000, 250_000, 700);
        assertEquals("0.50 / 0.90 / 2.50 / 15.0 / 250", s.format());
        assertEquals("no data", LatencySummary.of(new Histogram(3)).format());
    }

    @Test
    void histogramsSurviveEncoding() {
        Histogram h = new Histogram(1, Ledger.MAX_LATENCY_US, 3);
        h.recordValue(123);
        h.recordValue(4_567_890);
        Histogram back = LatencySummary.decode(LatencySummary.encode(h));
        assertEquals(h, back);
    }
}
