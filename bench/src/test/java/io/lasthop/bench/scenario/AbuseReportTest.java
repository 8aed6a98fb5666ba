package io.lasthop.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lasthop.bench.LatencySummary;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The latency target's verdict: under abuse, p50 and p99 within ×1.5 of the idle run's. */
class AbuseReportTest {
    private static LatencySummary latency(long p50Us, long p99Us) {
        return new LatencySummary(1_000, p50Us, p50Us, p99Us, p99Us, p99Us, p50Us);
    }

    @Test
    void metWhenBothPercentilesStayWithinTheBound() {
        assertEquals(
                "met (p50 ×1.50, p99 ×0.80; bound ×1.5)",
                AbuseReport.verdict(latency(1_000, 10_000), latency(1_500, 8_000), 1.5));
    }

    @Test
    void notMetNamesEachPercentileThatMissed() {
        assertEquals(
                "not met (p99 ×2.00; bound ×1.5)",
                AbuseReport.verdict(latency(1_000, 10_000), latency(1_200, 20_000), 1.5));
        assertEquals(
                "not met (p50 ×3.00, p99 ×1.60; bound ×1.5)",
                AbuseReport.verdict(latency(1_000, 10_000), latency(3_000, 16_000), 1.5));
    }

    @Test
    void lateProbesAreCountedFromTheCumulativeBucketsOfTheWindow() {
        Map<String, Double> before = Map.of("0.005", 90.0, "0.01", 95.0, "0.05", 99.0, "0.1", 100.0, "+Inf", 100.0);
        Map<String, Double> after = Map.of("0.005", 180.0, "0.01", 192.0, "0.05", 198.0, "0.1", 199.0, "+Inf", 200.0);
        assertEquals(
                Map.of("all", 100.0, "0.005", 10.0, "0.01", 3.0, "0.05", 1.0, "0.1", 1.0),
                AbuseScenario.lateProbes(before, after));
        assertEquals(Map.of(), AbuseScenario.lateProbes(Map.of(), Map.of()), "an edge without the histogram");
    }

    @Test
    void withoutDeliveriesThereIsNoVerdict() {
        assertEquals("not measured", AbuseReport.verdict(new LatencySummary(0, 0, 0, 0, 0, 0, 0), latency(1, 1), 1.5));
    }
}
