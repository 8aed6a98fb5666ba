package io.lasthop.ops;

import static io.lasthop.ops.OpsKit.JSON;
import static io.lasthop.ops.OpsKit.OPS;
import static io.lasthop.ops.OpsKit.ROOT;
import static io.lasthop.ops.OpsKit.dashboard;
import static io.lasthop.ops.OpsKit.dashboardExprs;
import static io.lasthop.ops.OpsKit.panels;
import static io.lasthop.ops.OpsKit.run;
import static io.lasthop.ops.OpsKit.tool;
import static io.lasthop.ops.OpsKit.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lasthop.ops.OpsKit.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Static checks of monitoring: Grafana's provisioning and dashboard, the alert rules and the
 * scrape config, and promtool's verdict on the config, the rules, their unit tests and the
 * dashboard's queries. No edge runs.
 */
class MonitoringConfigIT {
    @Test
    void grafanaProvisioningPointsAtTheDashboard() throws Exception {
        JsonNode ds = yaml(OPS.resolve("grafana/provisioning/datasources/prometheus.yml"))
                .get(0);
        assertEquals("prometheus", ds.path("datasources").get(0).path("type").asText());
        JsonNode providers =
                yaml(OPS.resolve("grafana/provisioning/dashboards/lasthop.yml")).get(0);
        String path =
                providers.path("providers").get(0).path("options").path("path").asText();
        JsonNode grafana =
                yaml(ROOT.resolve("docker-compose.yml")).get(0).path("services").path("grafana");
        assertTrue(
                grafana.path("volumes").toString().contains("./ops/grafana/dashboards:" + path),
                "the provider reads the folder compose mounts the dashboards into (" + path + ")");

        JsonNode dash = dashboard();
        Map<String, JsonNode> byTitle = new LinkedHashMap<>();
        Set<Integer> ids = new TreeSet<>();
        for (JsonNode p : panels(dash)) {
            assertTrue(ids.add(p.path("id").asInt()), "panel ids are unique: " + p.path("id"));
            byTitle.put(p.path("title").asText(), p);
            if (!p.path("type").asText().equals("row")) {
                assertEquals(
                        "${datasource}", p.path("datasource").path("uid").asText(), p.path("title") + " datasource");
            }
        }
        for (String title : List.of(
                "Connections by transport",
                "Sessions",
                "Delivery rate (msg/s)",
                "End-to-end latency (write → ack)",
                "Redeliveries",
                "Acks pending",
                "Backpressure pauses",
                "Auth failures by code",
                "Broker connection state",
                "Closes by reason",
                "Event-loop delay")) {
            assertTrue(byTitle.containsKey(title), "dashboard panel " + title + " in " + byTitle.keySet());
        }
        assertTrue(byTitle.get("End-to-end latency (write → ack)")
                .path("description")
                .asText()
                .contains("write→ack"));
    }

    @Test
    void alertRulesCoverWhatMatters() throws Exception {
        Set<String> names = new TreeSet<>();
        for (JsonNode group : yaml(OPS.resolve("prometheus/alerts.yml")).get(0).path("groups")) {
            group.path("rules").forEach(r -> names.add(r.path("alert").asText()));
        }
        for (String a : List.of(
                "LasthopBrokerDisconnected",
                "LasthopNodeNotReady",
                "LasthopEdgeDown",
                "LasthopAcksPendingGrowing",
                "LasthopAckTimeouts",
                "LasthopAbnormalCloses",
                "LasthopAuthFailuresSpike",
                "LasthopBackpressure",
                "LasthopRedeliveriesSpike")) {
            assertTrue(names.contains(a), "alert " + a + " in " + names);
        }
        JsonNode prom = yaml(OPS.resolve("prometheus/prometheus.yml")).get(0);
        Set<String> jobs = new TreeSet<>();
        prom.path("scrape_configs").forEach(j -> jobs.add(j.path("job_name").asText()));
        assertTrue(jobs.containsAll(Set.of("lasthop-edge", "rabbitmq")), "scrape jobs: " + jobs);
        assertTrue(prom.toString().contains("rabbitmq:15692"), "RabbitMQ's prometheus plugin port");
    }

    @Test
    void promtoolAcceptsTheConfigTheRulesAndTheirTests() throws Exception {
        String promtool = tool("promtool", "apt-get install -y --no-install-recommends prometheus");
        Path prom = OPS.resolve("prometheus");
        Run config = run(List.of(
                promtool, "check", "config", prom.resolve("prometheus.yml").toString()));
        assertEquals(0, config.exit(), config.output());
        Run rules = run(
                List.of(promtool, "check", "rules", prom.resolve("alerts.yml").toString()));
        assertEquals(0, rules.exit(), rules.output());
        Run tests = run(List.of(
                promtool, "test", "rules", prom.resolve("alerts_test.yml").toString()));
        assertEquals(0, tests.exit(), tests.output());

        // The dashboard's queries are valid PromQL once Grafana has filled in its variables.
        StringBuilder rulesFile = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int n = 0;
        for (String expr : dashboardExprs()) {
            String filled = expr.replace("$__rate_interval", "1m")
                    .replace("${instance}", ".*")
                    .replace("$instance", ".*");
            rulesFile
                    .append("      - record: lasthop_dashboard_query_")
                    .append(n++)
                    .append("\n        expr: ")
                    .append(JSON.writeValueAsString(filled))
                    .append('\n');
        }
        Path tmp = Files.createTempFile("opskit-dashboard", ".yml");
        Files.writeString(tmp, rulesFile);
        Run dash = run(List.of(promtool, "check", "rules", tmp.toString()));
        Files.deleteIfExists(tmp);
        assertEquals(0, dash.exit(), "dashboard queries:\n" + dash.output());
    }
}
