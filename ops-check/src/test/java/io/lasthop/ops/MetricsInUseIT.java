package io.lasthop.ops;

import static io.lasthop.ops.OpsKit.OPS;
import static io.lasthop.ops.OpsKit.dashboardExprs;
import static io.lasthop.ops.OpsKit.yaml;
import static io.lasthop.ops.PromQl.EXTERNAL;
import static io.lasthop.ops.PromQl.metricNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.WsClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Live check: every metric the dashboard and the alert rules use is one a running edge exports. */
class MetricsInUseIT {
    @Test
    void dashboardAndAlertsUseOnlyMetricsTheEdgeExports() throws Exception {
        Set<String> exported = new TreeSet<>();
        try (Edge edge = Edge.start();
                // lasthop_connections{transport} appears once a transport has had a connection
                WsClient ws = WsClient.connect(edge, Edge.token(Edge.newUser()), null)) {
            ws.next("hello");
            HttpResponse<String> scrape = edge.get("/metrics");
            assertEquals(200, scrape.statusCode());
            for (String line : scrape.body().lines().toList()) {
                if (line.startsWith("# TYPE ")) {
                    exported.add(line.split(" ")[2]);
                } else if (!line.isBlank() && !line.startsWith("#")) {
                    exported.add(line.split("[{ ]", 2)[0]);
                }
            }
        }
        Map<String, List<String>> uses = new LinkedHashMap<>();
        for (String e : dashboardExprs()) {
            uses.computeIfAbsent("dashboard", k -> new ArrayList<>()).add(e);
        }
        for (JsonNode group : yaml(OPS.resolve("prometheus/alerts.yml")).get(0).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                uses.computeIfAbsent("alert " + rule.path("alert").asText(), k -> new ArrayList<>())
                        .add(rule.path("expr").asText());
            }
        }
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<String, List<String>> use : uses.entrySet()) {
            for (String expr : use.getValue()) {
                Set<String> metrics = metricNames(expr);
                assertFalse(metrics.isEmpty(), use.getKey() + " uses no metric: " + expr);
                for (String m : metrics) {
                    if (EXTERNAL.matcher(m).matches()) {
                        continue; // HAProxy's, RabbitMQ's and Prometheus' own series
                    }
                    checked++;
                    if (!exported.contains(m) && !exported.contains(m.replaceAll("_(bucket|count|sum|max)$", ""))) {
                        missing.add(use.getKey() + ": " + m);
                    }
                }
            }
        }
        assertTrue(
                missing.isEmpty(),
                "metrics used but not exported by the edge:\n  " + String.join("\n  ", missing) + "\nexported: "
                        + exported.stream()
                                .filter(m -> m.startsWith("lasthop_"))
                                .toList());
        assertTrue(checked > 20, "checked " + checked + " metric uses");
    }
}
