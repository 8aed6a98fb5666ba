package io.lasthop.ops;

import static io.lasthop.ops.OpsKit.OPS;
import static io.lasthop.ops.OpsKit.ROOT;
import static io.lasthop.ops.OpsKit.fieldNames;
import static io.lasthop.ops.OpsKit.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Static checks of what deploys the edge: docker-compose.yml, the Dockerfile and the Kubernetes
 * manifests parse and hold what they should. No edge runs; the YAML is read with PyYAML.
 */
class DeploymentFilesIT {
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
            assertEquals(
                    "ops/docker/Dockerfile", e.path("build").path("dockerfile").asText(), edge + " build");
            assertEquals(
                    "service_healthy",
                    e.path("depends_on").path("rabbitmq").path("condition").asText(),
                    edge + " waits for a healthy broker");
            JsonNode env = e.path("environment");
            nodeIds.add(env.path("LASTHOP_NODE_ID").asText());
            secrets.add(env.path("LASTHOP_JWT_HS256_SECRET").asText());
            assertTrue(
                    env.path("LASTHOP_AMQP_URI").asText().contains("@rabbitmq:5672"),
                    edge + " uses the rabbitmq service");
        }
        assertEquals(
                2, nodeIds.size(), "edge nodes need distinct LASTHOP_NODE_ID (each has an exclusive control queue)");
        assertEquals(1, secrets.size(), "edge nodes must share LASTHOP_JWT_HS256_SECRET: " + secrets);
        // ops/dev-token.sh signs with the same dev default as the compose file.
        String composeDefault = secrets.iterator().next().replaceAll("^\\$\\{LASTHOP_JWT_HS256_SECRET:-(.*)}$", "$1");
        assertTrue(
                Files.readString(OPS.resolve("dev-token.sh")).contains(composeDefault),
                "ops/dev-token.sh and docker-compose.yml must default to the same dev secret");

        JsonNode haproxy = services.path("haproxy");
        assertEquals("haproxy:2.8", haproxy.path("image").asText());
        assertTrue(haproxy.path("ports").toString().contains("8080:8080"), "HAProxy serves :8080");
        assertTrue(
                haproxy.path("volumes").toString().contains("./ops/haproxy/haproxy.cfg:"),
                "HAProxy uses ops/haproxy/haproxy.cfg");
        assertTrue(
                services.path("demo-publisher").path("command").toString().contains("lasthop-edge.jar publish"),
                "the demo publisher uses the bundled publisher");
        assertTrue(services.path("prometheus").path("volumes").toString().contains("./ops/prometheus:"));
        assertTrue(services.path("grafana").path("volumes").toString().contains("./ops/grafana/provisioning:"));

        // Every file or folder the stack mounts from the repository exists.
        for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> s = it.next();
            for (JsonNode v : s.getValue().path("volumes")) {
                String source = v.asText().split(":")[0];
                if (source.startsWith("./")) {
                    assertTrue(
                            Files.exists(ROOT.resolve(source.substring(2))),
                            s.getKey() + " mounts a missing " + source);
                }
            }
        }
    }

    @Test
    void dockerfileBuildsANonRootImageThatDrainsOnSigterm() throws Exception {
        String df = Files.readString(OPS.resolve("docker/Dockerfile"));
        List<String> lines =
                df.lines().map(String::strip).filter(l -> !l.startsWith("#")).toList();
        assertTrue(lines.contains("FROM maven:3.9-eclipse-temurin-17 AS build"), "build stage");
        assertTrue(lines.contains("FROM eclipse-temurin:17-jre"), "run stage");
        assertTrue(lines.contains("STOPSIGNAL SIGTERM"));
        assertTrue(lines.contains("EXPOSE 8080"));
        assertTrue(
                lines.stream().anyMatch(l -> l.matches("USER [1-9][0-9]*(:[1-9][0-9]*)?")),
                "runs as a numeric non-root uid");
        assertTrue(df.contains("HEALTHCHECK") && df.contains("/healthz"), "HEALTHCHECK on /healthz");
        assertTrue(
                df.contains("-pl edge -am") && df.contains("edge/target/lasthop-edge.jar"),
                "builds the edge's fat jar");
        assertTrue(Files.exists(OPS.resolve("docker/Dockerfile.dockerignore")));
    }

    @Test
    void kubernetesManifestsDeclareTheExpectedKinds() throws Exception {
        Map<String, JsonNode> byKind = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(OPS.resolve("k8s"))) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                for (JsonNode doc : yaml(f)) {
                    assertTrue(
                            doc.hasNonNull("apiVersion")
                                    && doc.hasNonNull("kind")
                                    && doc.path("metadata").has("name"),
                            f + ": every document is a manifest with apiVersion, kind and metadata.name");
                    byKind.put(doc.get("kind").asText(), doc);
                }
            }
        }
        assertEquals(
                Set.of(
                        "Deployment",
                        "Service",
                        "PodDisruptionBudget",
                        "HorizontalPodAutoscaler",
                        "RabbitmqCluster",
                        "Ingress",
                        "PodMonitor"),
                byKind.keySet());

        JsonNode deployment = byKind.get("Deployment");
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        JsonNode edge = pod.path("containers").get(0);
        assertEquals(3, deployment.path("spec").path("replicas").asInt());
        assertEquals(60, pod.path("terminationGracePeriodSeconds").asInt());
        assertEquals(
                "/readyz",
                edge.path("readinessProbe").path("httpGet").path("path").asText());
        assertEquals(
                "/healthz",
                edge.path("livenessProbe").path("httpGet").path("path").asText());
        assertTrue(edge.path("lifecycle").path("preStop").size() > 0, "preStop hook");
        assertTrue(edge.path("resources").path("requests").has("memory"), "resources");
        Map<String, JsonNode> env = new LinkedHashMap<>();
        edge.path("env").forEach(e -> env.put(e.path("name").asText(), e));
        assertTrue(
                env.get("LASTHOP_JWT_HS256_SECRET").path("valueFrom").has("secretKeyRef"), "JWT secret from a Secret");
        assertEquals(
                "metadata.name",
                env.get("LASTHOP_NODE_ID")
                        .path("valueFrom")
                        .path("fieldRef")
                        .path("fieldPath")
                        .asText(),
                "each pod gets a unique node id");

        assertEquals(
                "lasthop_connections",
                byKind.get("HorizontalPodAutoscaler")
                        .path("spec")
                        .path("metrics")
                        .get(0)
                        .path("pods")
                        .path("metric")
                        .path("name")
                        .asText());
        JsonNode rabbit = byKind.get("RabbitmqCluster");
        assertEquals("rabbitmq.com/v1beta1", rabbit.path("apiVersion").asText());
        assertEquals(3, rabbit.path("spec").path("replicas").asInt());
        String rabbitText = Files.readString(OPS.resolve("k8s/rabbitmq.yaml"));
        assertTrue(
                rabbitText.contains("LASTHOP_SESSION_QUEUE_TYPE=quorum") && rabbitText.contains("drop-head"),
                "rabbitmq.yaml explains quorum session queues");
        assertFalse(byKind.get("Service").path("spec").has("sessionAffinity"), "no stickiness");

        JsonNode adapter =
                yaml(OPS.resolve("k8s/prometheus-adapter/values.yaml")).get(0);
        assertTrue(adapter.path("rules").path("custom").toString().contains("lasthop_connections"));
    }
}
