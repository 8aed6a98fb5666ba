package io.lasthop.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Await;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.Haproxy;
import io.lasthop.edge.testing.WsClient;
import io.lasthop.protocol.AmqpNames;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The operations kit (ops/ and docker-compose.yml) against the code it describes: every YAML file
 * parses and holds what it should, HAProxy and promtool accept the configs, the alert rules pass
 * their unit tests, every metric the dashboard and the alerts use exists on a live edge, and
 * HAProxy's local config balances two real edges and drains one. haproxy, promtool, PyYAML and
 * openssl are required: when one is missing the test fails and says how to install it (CI
 * installs them in .ci/run).
 */
class OpsKitIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path ROOT = repositoryRoot();
    static final Path OPS = ROOT.resolve("ops");

    // ---- (1) YAML: compose, Kubernetes, Prometheus, Grafana ----

    @Test
    void composeFileRunsTheWholeStack() throws Exception {
        JsonNode compose = yaml(ROOT.resolve("docker-compose.yml")).get(0);
        JsonNode services = compose.path("services");
        for (String s : List.of("rabbitmq", "edge-1", "edge-2", "haproxy", "demo-publisher", "prometheus", "grafana")) {
            assertTrue(services.has(s), "docker-compose.yml has no service " + s + ": " + fieldNames(services));
        }
        JsonNode rabbit = services.path("rabbitmq");
        assertEquals("rabbitmq:3.10-management", rabbit.path("image").asText());
        assertTrue(rabbit.path("ports").toString().contains("5672:5672"), "AMQP port published");
        assertTrue(rabbit.path("ports").toString().contains("15672:15672"), "management port published");
        assertTrue(rabbit.path("healthcheck").has("test"), "rabbitmq has a healthcheck");

        Set<String> nodeIds = new LinkedHashSet<>();
        Set<String> secrets = new LinkedHashSet<>();
        for (String edge : List.of("edge-1", "edge-2")) {
            JsonNode e = services.path(edge);
            assertEquals("ops/docker/Dockerfile", e.path("build").path("dockerfile").asText(), edge + " build");
            assertEquals("service_healthy", e.path("depends_on").path("rabbitmq").path("condition").asText(),
                    edge + " waits for a healthy broker");
            JsonNode env = e.path("environment");
            nodeIds.add(env.path("LASTHOP_NODE_ID").asText());
            secrets.add(env.path("LASTHOP_JWT_HS256_SECRET").asText());
            assertTrue(env.path("LASTHOP_AMQP_URI").asText().contains("@rabbitmq:5672"), edge + " uses the rabbitmq service");
        }
        assertEquals(2, nodeIds.size(), "edge nodes need distinct LASTHOP_NODE_ID (each has an exclusive control queue)");
        assertEquals(1, secrets.size(), "edge nodes must share LASTHOP_JWT_HS256_SECRET: " + secrets);
        // ops/dev-token.sh signs with the same dev default as the compose file.
        String composeDefault = secrets.iterator().next().replaceAll("^\\$\\{LASTHOP_JWT_HS256_SECRET:-(.*)}$", "$1");
        assertTrue(Files.readString(OPS.resolve("dev-token.sh")).contains(composeDefault),
                "ops/dev-token.sh and docker-compose.yml must default to the same dev secret");

        JsonNode haproxy = services.path("haproxy");
        assertEquals("haproxy:2.8", haproxy.path("image").asText());
        assertTrue(haproxy.path("ports").toString().contains("8080:8080"), "HAProxy serves :8080");
        assertTrue(haproxy.path("volumes").toString().contains("./ops/haproxy/haproxy.cfg:"), "HAProxy uses ops/haproxy/haproxy.cfg");
        assertTrue(services.path("demo-publisher").path("command").toString().contains("lasthop-edge.jar publish"),
                "the demo publisher uses the bundled publisher");
        assertTrue(services.path("prometheus").path("volumes").toString().contains("./ops/prometheus:"));
        assertTrue(services.path("grafana").path("volumes").toString().contains("./ops/grafana/provisioning:"));

        // Every file or folder the stack mounts from the repository exists.
        for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> s = it.next();
            for (JsonNode v : s.getValue().path("volumes")) {
                String source = v.asText().split(":")[0];
                if (source.startsWith("./")) {
                    assertTrue(Files.exists(ROOT.resolve(source.substring(2))), s.getKey() + " mounts a missing " + source);
                }
            }
        }
    }

    @Test
    void dockerfileBuildsANonRootImageThatDrainsOnSigterm() throws Exception {
        String df = Files.readString(OPS.resolve("docker/Dockerfile"));
        List<String> lines = df.lines().map(String::strip).filter(l -> !l.startsWith("#")).toList();
        assertTrue(lines.contains("FROM maven:3.9-eclipse-temurin-17 AS build"), "build stage");
        assertTrue(lines.contains("FROM eclipse-temurin:17-jre"), "run stage");
        assertTrue(lines.contains("STOPSIGNAL SIGTERM"));
        assertTrue(lines.contains("EXPOSE 8080"));
        assertTrue(lines.stream().anyMatch(l -> l.matches("USER [1-9][0-9]*(:[1-9][0-9]*)?")), "runs as a numeric non-root uid");
        assertTrue(df.contains("HEALTHCHECK") && df.contains("/healthz"), "HEALTHCHECK on /healthz");
        assertTrue(df.contains("-pl edge -am") && df.contains("edge/target/lasthop-edge.jar"), "builds the edge's fat jar");
        assertTrue(Files.exists(OPS.resolve("docker/Dockerfile.dockerignore")));
    }

    @Test
    void kubernetesManifestsDeclareTheExpectedKinds() throws Exception {
        Map<String, JsonNode> byKind = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(OPS.resolve("k8s"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                for (JsonNode doc : yaml(f)) {
                    assertTrue(doc.hasNonNull("apiVersion") && doc.hasNonNull("kind") && doc.path("metadata").has("name"),
                            f + ": every document is a manifest with apiVersion, kind and metadata.name");
                    byKind.put(doc.get("kind").asText(), doc);
                }
            }
        }
        assertEquals(Set.of("Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "RabbitmqCluster",
                "Ingress", "PodMonitor"), byKind.keySet());

        JsonNode deployment = byKind.get("Deployment");
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        JsonNode edge = pod.path("containers").get(0);
        assertEquals(3, deployment.path("spec").path("replicas").asInt());
        assertEquals(60, pod.path("terminationGracePeriodSeconds").asInt());
        assertEquals("/readyz", edge.path("readinessProbe").path("httpGet").path("path").asText());
        assertEquals("/healthz", edge.path("livenessProbe").path("httpGet").path("path").asText());
        assertTrue(edge.path("lifecycle").path("preStop").size() > 0, "preStop hook");
        assertTrue(edge.path("resources").path("requests").has("memory"), "resources");
        Map<String, JsonNode> env = new LinkedHashMap<>();
        edge.path("env").forEach(e -> env.put(e.path("name").asText(), e));
        assertTrue(env.get("LASTHOP_JWT_HS256_SECRET").path("valueFrom").has("secretKeyRef"), "JWT secret from a Secret");
        assertEquals("metadata.name", env.get("LASTHOP_NODE_ID").path("valueFrom").path("fieldRef").path("fieldPath").asText(),
                "each pod gets a unique node id");

        assertEquals("lasthop_connections", byKind.get("HorizontalPodAutoscaler").path("spec").path("metrics").get(0)
                .path("pods").path("metric").path("name").asText());
        JsonNode rabbit = byKind.get("RabbitmqCluster");
        assertEquals("rabbitmq.com/v1beta1", rabbit.path("apiVersion").asText());
        assertEquals(3, rabbit.path("spec").path("replicas").asInt());
        String rabbitText = Files.readString(OPS.resolve("k8s/rabbitmq.yaml"));
        assertTrue(rabbitText.contains("LASTHOP_SESSION_QUEUE_TYPE=quorum") && rabbitText.contains("drop-head"),
                "rabbitmq.yaml explains quorum session queues");
        assertFalse(byKind.get("Service").path("spec").has("sessionAffinity"), "no stickiness");

        JsonNode adapter = yaml(OPS.resolve("k8s/prometheus-adapter/values.yaml")).get(0);
        assertTrue(adapter.path("rules").path("custom").toString().contains("lasthop_connections"));
    }

    @Test
    void grafanaProvisioningPointsAtTheDashboard() throws Exception {
        JsonNode ds = yaml(OPS.resolve("grafana/provisioning/datasources/prometheus.yml")).get(0);
        assertEquals("prometheus", ds.path("datasources").get(0).path("type").asText());
        JsonNode providers = yaml(OPS.resolve("grafana/provisioning/dashboards/lasthop.yml")).get(0);
        String path = providers.path("providers").get(0).path("options").path("path").asText();
        JsonNode grafana = yaml(ROOT.resolve("docker-compose.yml")).get(0).path("services").path("grafana");
        assertTrue(grafana.path("volumes").toString().contains("./ops/grafana/dashboards:" + path),
                "the provider reads the folder compose mounts the dashboards into (" + path + ")");

        JsonNode dash = dashboard();
        Map<String, JsonNode> byTitle = new LinkedHashMap<>();
        Set<Integer> ids = new TreeSet<>();
        for (JsonNode p : panels(dash)) {
            assertTrue(ids.add(p.path("id").asInt()), "panel ids are unique: " + p.path("id"));
            byTitle.put(p.path("title").asText(), p);
            if (!p.path("type").asText().equals("row")) {
                assertEquals("${datasource}", p.path("datasource").path("uid").asText(), p.path("title") + " datasource");
            }
        }
        for (String title : List.of("Connections by transport", "Sessions", "Delivery rate (msg/s)",
                "End-to-end latency (write → ack)", "Redeliveries", "Acks pending", "Backpressure pauses",
                "Auth failures by code", "Broker connection state", "Closes by reason")) {
            assertTrue(byTitle.containsKey(title), "dashboard panel " + title + " in " + byTitle.keySet());
        }
        assertTrue(byTitle.get("End-to-end latency (write → ack)").path("description").asText().contains("write→ack"));
    }

    @Test
    void alertRulesCoverWhatMatters() throws Exception {
        Set<String> names = new TreeSet<>();
        for (JsonNode group : yaml(OPS.resolve("prometheus/alerts.yml")).get(0).path("groups")) {
            group.path("rules").forEach(r -> names.add(r.path("alert").asText()));
        }
        for (String a : List.of("LasthopBrokerDisconnected", "LasthopNodeNotReady", "LasthopEdgeDown",
                "LasthopAcksPendingGrowing", "LasthopAckTimeouts", "LasthopAbnormalCloses", "LasthopAuthFailuresSpike",
                "LasthopBackpressure", "LasthopRedeliveriesSpike")) {
            assertTrue(names.contains(a), "alert " + a + " in " + names);
        }
        JsonNode prom = yaml(OPS.resolve("prometheus/prometheus.yml")).get(0);
        Set<String> jobs = new TreeSet<>();
        prom.path("scrape_configs").forEach(j -> jobs.add(j.path("job_name").asText()));
        assertTrue(jobs.containsAll(Set.of("lasthop-edge", "rabbitmq")), "scrape jobs: " + jobs);
        assertTrue(prom.toString().contains("rabbitmq:15692"), "RabbitMQ's prometheus plugin port");
    }

    // ---- (2) HAProxy ----

    @Test
    void haproxyAcceptsBothConfigs() throws Exception {
        String haproxy = tool("haproxy", "apt-get install -y haproxy");
        Run local = run(List.of(haproxy, "-c", "-f", OPS.resolve("haproxy/haproxy-local.cfg").toString()));
        assertEquals(0, local.exit, local.output);
        assertFalse(local.output.contains("[WARNING]"), "haproxy-local.cfg checks without warnings:\n" + local.output);

        Run compose = run(List.of(haproxy, "-c", "-f", OPS.resolve("haproxy/haproxy.cfg").toString()));
        assertEquals(0, compose.exit, compose.output);
        // Only the compose service names may be unknown here: Docker's DNS resolves them.
        for (String line : compose.output.lines().filter(l -> l.contains("[WARNING]")).toList()) {
            assertTrue(line.contains("could not resolve address 'edge-"), "unexpected warning: " + line);
        }

        List<String> a = settings(OPS.resolve("haproxy/haproxy.cfg"));
        List<String> b = settings(OPS.resolve("haproxy/haproxy-local.cfg"));
        assertEquals(a, b, "haproxy.cfg and haproxy-local.cfg differ in more than addresses");
        String cfg = String.join("\n", a);
        for (String needed : List.of("balance roundrobin", "timeout tunnel 1h", "option httpchk",
                "http-check expect status 200", "option forwardfor", "slowstart", "inter ", "fall ", "rise ")) {
            assertTrue(cfg.contains(needed), "haproxy.cfg lacks " + needed);
        }
        assertTrue(cfg.contains("uri /readyz"), "health checks GET /readyz");
        for (String forbidden : List.of("shutdown-sessions", "cookie ", "stick ", "stick-table", "compression ",
                "http-server-close", "http-buffer-request")) {
            assertFalse(cfg.contains(forbidden), "haproxy.cfg must not use " + forbidden.strip());
        }
    }

    /**
     * The local config, on free ports, in front of two real edges: round-robin, streaming through,
     * and a drain (what SIGTERM does) that moves new connections to the other node at once.
     */
    @Test
    void haproxyLocalConfigBalancesTwoEdgesAndDrainsOne() throws Exception {
        tool("haproxy", "apt-get install -y haproxy");
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        try (Edge a = new Edge(c -> c.set(Settings.NODE_ID, "opskit-a-" + suffix));
                Edge b = new Edge(c -> c.set(Settings.NODE_ID, "opskit-b-" + suffix));
                Broker broker = new Broker()) {
            String nodeA = a.server().nodeId();
            String nodeB = b.server().nodeId();
            try (Haproxy lb = Haproxy.start(a.server().port(), b.server().port())) {
                int stats = lb.statsPort();
                Path log = lb.log();
                String base = lb.http();
                Await.until(() -> serverState(stats, "edge-1", "UP") && serverState(stats, "edge-2", "UP"),
                        Duration.ofSeconds(15), "HAProxy to see both edges ready:\n" + readQuietly(log));

                // Round-robin, no stickiness: consecutive WebSockets land on both nodes.
                Set<String> nodes = new TreeSet<>();
                for (int i = 0; i < 4; i++) {
                    try (Ws ws = Ws.open(base, Edge.token(Edge.newUser()))) {
                        nodes.add(ws.node());
                    }
                }
                assertEquals(new TreeSet<>(Set.of(nodeA, nodeB)), nodes);

                // SSE through HAProxy: the message arrives as an event, not held in a buffer.
                String user = Edge.newUser();
                try (SseLines sse = SseLines.open(base + "/lasthop/sse?token="
                        + URLEncoder.encode(Edge.token(user), StandardCharsets.UTF_8))) {
                    assertEquals(200, sse.status);
                    assertTrue(sse.nextData().contains("\"t\":\"hello\""));
                    broker.publishJson(AmqpNames.USER_EXCHANGE, AmqpNames.userRoutingKey(user), "opskit-" + suffix,
                            "{\"via\":\"haproxy\"}");
                    String msg = sse.nextData();
                    assertTrue(msg.contains("\"t\":\"msg\"") && msg.contains("haproxy"), msg);
                }

                assertEquals(404, status(base + "/metrics"), "/metrics is not served to browsers");
                assertEquals(200, status(base + "/readyz"));

                // Drain node A, as SIGTERM does, while a browser is connected to it.
                Ws onA = null;
                for (int i = 0; i < 6 && onA == null; i++) {
                    Ws ws = Ws.open(base, Edge.token(Edge.newUser()));
                    if (ws.node().equals(nodeA)) {
                        onA = ws;
                    } else {
                        ws.close();
                    }
                }
                assertTrue(onA != null, "round-robin gave no connection to " + nodeA);
                Thread drain = new Thread(a.server()::drain, "opskit-drain");
                drain.start();
                Await.until(() -> status(a.http() + "/readyz") == 503, Duration.ofSeconds(5), nodeA + " to report draining");
                // HAProxy's checks have not caught up yet, but a draining node's 503 is retried on
                // the other node (retry-on 503): no browser sees the refusal.
                for (int i = 0; i < 4; i++) {
                    try (Ws ws = Ws.open(base, Edge.token(Edge.newUser()))) {
                        assertEquals(nodeB, ws.node(), "new connections go to the node that is not draining");
                    }
                }
                // The drained node ends its own connections with 4000 going_away; HAProxy does not cut them.
                assertEquals(4000, onA.awaitClose(Duration.ofSeconds(15)));
                Await.until(() -> serverState(stats, "edge-1", "DOWN"), Duration.ofSeconds(20),
                        "HAProxy to mark the draining edge down (its /readyz is 503)");
                drain.join(30_000);
            }
        }
    }

    // ---- (3) promtool ----

    @Test
    void promtoolAcceptsTheConfigTheRulesAndTheirTests() throws Exception {
        String promtool = tool("promtool", "apt-get install -y --no-install-recommends prometheus");
        Path prom = OPS.resolve("prometheus");
        Run config = run(List.of(promtool, "check", "config", prom.resolve("prometheus.yml").toString()));
        assertEquals(0, config.exit, config.output);
        Run rules = run(List.of(promtool, "check", "rules", prom.resolve("alerts.yml").toString()));
        assertEquals(0, rules.exit, rules.output);
        Run tests = run(List.of(promtool, "test", "rules", prom.resolve("alerts_test.yml").toString()));
        assertEquals(0, tests.exit, tests.output);

        // The dashboard's queries are valid PromQL once Grafana has filled in its variables.
        StringBuilder rulesFile = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int n = 0;
        for (String expr : dashboardExprs()) {
            String filled = expr.replace("$__rate_interval", "1m").replace("${instance}", ".*").replace("$instance", ".*");
            rulesFile.append("      - record: lasthop_dashboard_query_").append(n++).append("\n        expr: ")
                    .append(JSON.writeValueAsString(filled)).append('\n');
        }
        Path tmp = Files.createTempFile("opskit-dashboard", ".yml");
        Files.writeString(tmp, rulesFile);
        Run dash = run(List.of(promtool, "check", "rules", tmp.toString()));
        Files.deleteIfExists(tmp);
        assertEquals(0, dash.exit, "dashboard queries:\n" + dash.output);
    }

    // ---- (4) metric names against a live edge ----

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
                        continue;  // HAProxy's, RabbitMQ's and Prometheus' own series
                    }
                    checked++;
                    if (!exported.contains(m) && !exported.contains(m.replaceAll("_(bucket|count|sum|max)$", ""))) {
                        missing.add(use.getKey() + ": " + m);
                    }
                }
            }
        }
        assertTrue(missing.isEmpty(), "metrics used but not exported by the edge:\n  " + String.join("\n  ", missing)
                + "\nexported: " + exported.stream().filter(m -> m.startsWith("lasthop_")).toList());
        assertTrue(checked > 20, "checked " + checked + " metric uses");
    }

    @Test
    void metricNamesAreTheSeriesAnExpressionReads() {
        assertEquals(Set.of("lasthop_redeliveries_total", "lasthop_deliveries_total"), metricNames(
                "sum by (instance) (rate(lasthop_redeliveries_total{instance=~\"$instance\", code!=\"x\"}[$__rate_interval]))"
                        + " / sum by (instance) (rate(lasthop_deliveries_total[5m] offset 1h)) > 0.05 and on (instance) 1e-9 < 2"));
        assertEquals(Set.of("up", "lasthop_broker_connected"),
                metricNames("lasthop_broker_connected == 0 or count(up{job=\"lasthop-edge\"} == 1)"));
        assertEquals(Set.of("lasthop_acks_pending", "lasthop_sessions"),
                metricNames("lasthop_acks_pending / clamp_min(lasthop_sessions, 1) > 16 and deriv(lasthop_acks_pending[15m]) > 0"));
    }

    @Test
    void devTokenScriptMintsATokenTheEdgeAccepts() throws Exception {
        tool("openssl", "apt-get install -y openssl");
        String user = Edge.newUser();
        ProcessBuilder pb = new ProcessBuilder("sh", OPS.resolve("dev-token.sh").toString(), user, "120");
        pb.environment().put("LASTHOP_JWT_HS256_SECRET", Edge.SECRET);
        Run token = run(pb);
        assertEquals(0, token.exit, token.output);
        try (Edge edge = Edge.start(); WsClient ws = WsClient.connect(edge, token.output.strip(), null)) {
            assertEquals(user, ws.next("hello").path("user").asText());
        }
    }

    // ---- helpers ----

    /** HAProxy's, RabbitMQ's, Kubernetes' and Prometheus' own series, which no edge exports. */
    static final Pattern EXTERNAL = Pattern.compile("up|(haproxy|rabbitmq|kube)_[a-z0-9_]+");
    static final Pattern IDENT = Pattern.compile("(?<![\\w.:])[a-zA-Z_:][a-zA-Z0-9_:]*");
    static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "inf", "nan", "offset");
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** The series a PromQL expression reads: what is left once labels, functions and durations are gone. */
    static Set<String> metricNames(String expr) {
        String bare = expr
                .replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")  // label values
                .replaceAll("\\$\\{?\\w+}?", "")  // Grafana variables
                .replaceAll("\\[[^\\]]*]", "")  // ranges
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")  // label lists
                .replaceAll("\\b[a-zA-Z_]\\w*\\s*(=~|!~|!=|=)(?!=)", " ")  // label matchers
                .replaceAll("\\b[a-zA-Z_]\\w*\\s*\\(", "(")  // functions and aggregations
                .replaceAll("\\boffset\\s+\\w+", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENT.matcher(bare);
        while (m.find()) {
            if (!KEYWORDS.contains(m.group())) {
                names.add(m.group());
            }
        }
        return names;
    }

    static JsonNode dashboard() throws IOException {
        return JSON.readTree(OPS.resolve("grafana/dashboards/lasthop.json").toFile());
    }

    static List<JsonNode> panels(JsonNode dash) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode p : dash.path("panels")) {
            all.add(p);
            p.path("panels").forEach(all::add);
        }
        return all;
    }

    static List<String> dashboardExprs() throws IOException {
        JsonNode dash = dashboard();
        List<String> exprs = new ArrayList<>();
        for (JsonNode p : panels(dash)) {
            p.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
        }
        for (JsonNode v : dash.path("templating").path("list")) {
            String def = v.path("definition").asText();
            Matcher m = Pattern.compile("label_values\\(([a-zA-Z_:][a-zA-Z0-9_:]*)").matcher(def);
            if (m.find()) {
                exprs.add(m.group(1));
            }
        }
        assertTrue(exprs.size() > 10, "dashboard queries: " + exprs);
        return exprs;
    }

    /** Non-comment lines of an HAProxy config, without what differs between the two variants. */
    static List<String> settings(Path cfg) throws IOException {
        List<String> out = new ArrayList<>();
        boolean inResolvers = false;
        for (String raw : Files.readAllLines(cfg)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (!raw.startsWith(" ")) {
                inResolvers = line.startsWith("resolvers ");
            }
            if (inResolvers || line.startsWith("bind ") || line.startsWith("server ")) {
                continue;
            }
            out.add(line);
        }
        return out;
    }

    /** True when HAProxy's exporter shows {@code server} of backend {@code edges} in {@code state}. */
    static boolean serverState(int statsPort, String server, String state) {
        try {
            String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            return body.contains("haproxy_server_status{proxy=\"edges\",server=\"" + server + "\",state=\"" + state + "\"} 1");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** A WebSocket opened through a URL of our choosing (the test helpers connect to an Edge directly). */
    static final class Ws implements AutoCloseable {
        private final CompletableFuture<String> hello = new CompletableFuture<>();
        private final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final WebSocket ws;

        private Ws(String base, String token) throws Exception {
            StringBuilder text = new StringBuilder();
            ws = HTTP.newWebSocketBuilder().buildAsync(URI.create(base.replace("http:", "ws:") + "/lasthop/ws?token="
                    + URLEncoder.encode(token, StandardCharsets.UTF_8)), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                            text.append(data);
                            if (last) {
                                hello.complete(text.toString());
                                text.setLength(0);
                            }
                            w.request(1);
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                            closed.complete(code);
                            return null;
                        }

                        @Override
                        public void onError(WebSocket w, Throwable error) {
                            closed.complete(-1);
                        }
                    }).get(15, TimeUnit.SECONDS);
        }

        static Ws open(String base, String token) throws Exception {
            return new Ws(base, token);
        }

        /** The node named by the connection's first frame, which must be hello. */
        String node() throws Exception {
            JsonNode h = JSON.readTree(hello.get(15, TimeUnit.SECONDS));
            assertEquals("hello", h.path("t").asText(), h.toString());
            return h.path("node").asText();
        }

        int awaitClose(Duration timeout) throws Exception {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            if (!closed.isDone()) {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
            }
        }
    }

    /** An SSE stream read line by line on its own thread. */
    static final class SseLines implements AutoCloseable {
        final int status;
        private final InputStream body;
        private final BlockingQueue<String> data = new LinkedBlockingQueue<>();

        private SseLines(HttpResponse<InputStream> res) {
            status = res.statusCode();
            body = res.body();
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        if (line.startsWith("data: ") && !line.contains("\"t\":\"ping\"")) {
                            data.add(line.substring(6));
                        }
                    }
                } catch (IOException e) {
                    // closed
                }
            }, "opskit-sse");
            t.setDaemon(true);
            t.start();
        }

        static SseLines open(String url) throws IOException, InterruptedException {
            return new SseLines(HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream")
                    .build(), HttpResponse.BodyHandlers.ofInputStream()));
        }

        String nextData() throws InterruptedException {
            String d = data.poll(Broker.timeout().toMillis(), TimeUnit.MILLISECONDS);
            if (d == null) {
                fail("no SSE event within " + Broker.timeout());
            }
            return d;
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    record Run(int exit, String output) {}

    static Run run(List<String> command) throws IOException, InterruptedException {
        return run(new ProcessBuilder(command));
    }

    static Run run(ProcessBuilder pb) throws IOException, InterruptedException {
        Path out = Files.createTempFile("opskit", ".out");
        Process p = pb.redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(pb.command() + " did not finish within 60 s");
        }
        String output = Files.readString(out);
        Files.deleteIfExists(out);
        return new Run(p.exitValue(), output);
    }

    /** The path of a command-line tool, or a failure that says how to install it. */
    static String tool(String name, String install) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin", "/usr/local/bin"));
        for (String d : dirs) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name).toString();
            }
        }
        return fail(name + " is not installed. The operations kit is checked with it; CI installs it in .ci/run. "
                + "Install it with: " + install);
    }

    /** Parses every YAML document of a file with PyYAML (no YAML parser is on the Maven classpath). */
    static List<JsonNode> yaml(Path file) throws IOException, InterruptedException {
        Run r = run(List.of(python(), "-c", "import json, sys, yaml\n"
                + "with open(sys.argv[1], encoding='utf-8') as f:\n"
                + "    json.dump(list(yaml.safe_load_all(f)), sys.stdout, default=str)\n", file.toString()));
        assertEquals(0, r.exit, file + " is not valid YAML:\n" + r.output);
        List<JsonNode> docs = new ArrayList<>();
        JSON.readTree(r.output).forEach(d -> {
            if (!d.isNull()) {
                docs.add(d);
            }
        });
        assertFalse(docs.isEmpty(), file + " is empty");
        return docs;
    }

    private static String python;

    static synchronized String python() throws IOException, InterruptedException {
        if (python == null) {
            for (String candidate : List.of("python3", "/usr/bin/python3")) {
                try {
                    if (run(List.of(candidate, "-c", "import yaml")).exit == 0) {
                        python = candidate;
                        break;
                    }
                } catch (IOException e) {
                    // not there
                }
            }
            if (python == null) {
                fail("python3 with PyYAML is needed to parse the kit's YAML; CI installs it in .ci/run. "
                        + "Install it with: apt-get install -y python3-yaml");
            }
        }
        return python;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static Path repositoryRoot() {
        Path p = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        for (Path d = p; d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("docker-compose.yml")) && Files.isDirectory(d.resolve("ops"))) {
                return d;
            }
        }
        throw new IllegalStateException("no docker-compose.yml and ops/ above " + p);
    }
}
