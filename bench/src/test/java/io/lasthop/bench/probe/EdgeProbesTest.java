package io.lasthop.bench.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EdgeProbesTest {
    @Test
    void gaugeSumsLabelSetsAndIgnoresLookalikes() {
        String text = "# HELP lasthop_sessions Sessions connected to this node\n# TYPE lasthop_sessions gauge\n"
                + "lasthop_sessions 12.0\nlasthop_sessions_opened_total{resumed=\"true\"} 40.0\n"
                + "lasthop_connections{transport=\"websocket\"} 3.0\nlasthop_connections{transport=\"sse\"} 2.0\n";
        assertEquals(12.0, EdgeProbes.parseGauge(text, "lasthop_sessions"));
        assertEquals(5.0, EdgeProbes.parseGauge(text, "lasthop_connections"));
        assertTrue(Double.isNaN(EdgeProbes.parseGauge(text, "lasthop_missing")));
    }

    @Test
    void byLabelReadsEachLabelValueOfOneMetricOnly() {
        String text = "# HELP lasthop_closes_total Connections the edge ended, by reason\n"
                + "# TYPE lasthop_closes_total counter\n"
                + "lasthop_closes_total{reason=\"slow_consumer\",} 7.0\n"
                + "lasthop_closes_total{reason=\"heartbeat_timeout\",} 2.0\n"
                + "lasthop_closes_total_other{reason=\"slow_consumer\",} 99.0\n"
                + "lasthop_refusals_total{reason=\"pipelining\",} 3.0\n"
                + "lasthop_closes_total{node=\"n1\"} 5.0\n";
        assertEquals(
                Map.of("slow_consumer", 7.0, "heartbeat_timeout", 2.0),
                EdgeProbes.byLabel(text, "lasthop_closes_total", "reason"));
        assertEquals(Map.of("pipelining", 3.0), EdgeProbes.byLabel(text, "lasthop_refusals_total", "reason"));
        assertEquals(Map.of(), EdgeProbes.byLabel(text, "lasthop_missing_total", "reason"));
    }
}
