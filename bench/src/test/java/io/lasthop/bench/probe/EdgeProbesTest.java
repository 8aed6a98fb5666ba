package io.lasthop.bench.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
