package io.lasthop.ops;

import static io.lasthop.ops.PromQl.metricNames;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class PromQlTest {
    @Test
    void metricNamesAreTheSeriesAnExpressionReads() {
        assertEquals(
                Set.of("lasthop_redeliveries_total", "lasthop_deliveries_total"),
                metricNames(
                        "sum by (instance) (rate(lasthop_redeliveries_total{instance=~\"$instance\", code!=\"x\"}[$__rate_interval]))"
                                + " / sum by (instance) (rate(lasthop_deliveries_total[5m] offset 1h)) > 0.05 and on (instance) 1e-9 < 2"));
        assertEquals(
                Set.of("up", "lasthop_broker_connected"),
                metricNames("lasthop_broker_connected == 0 or count(up{job=\"lasthop-edge\"} == 1)"));
        assertEquals(
                Set.of("lasthop_acks_pending", "lasthop_sessions"),
                metricNames(
                        "lasthop_acks_pending / clamp_min(lasthop_sessions, 1) > 16 and deriv(lasthop_acks_pending[15m]) > 0"));
    }
}
