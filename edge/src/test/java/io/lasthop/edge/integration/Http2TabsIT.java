package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.NodeProject;
import io.lasthop.edge.testing.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ten browser tabs with SSE against one HTTPS origin share one HTTP/2 connection and all receive;
 * against a plain HTTP/1.1 origin Chromium's six connections per host hold four of them back.
 * Runs tabs-http2.e2e.mjs in headless Chromium.
 */
class Http2TabsIT {
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void tenSseTabsOverHttp2AndOverHttp1() throws Exception {
        assertTrue(
                Files.isExecutable(CHROMIUM),
                "Chromium is not installed at " + CHROMIUM
                        + ": apt-get install -y chromium (.ci/run installs it), or set CHROMIUM");
        Path dir = NodeProject.locate("tabs-http2.e2e.mjs");
        NodeProject.install(dir);
        try (TestCertificates certs = TestCertificates.create()) {
            TestCertificates.Pair pair = certs.server(TestCertificates.Key.EC_PKCS8);
            try (Edge tls = new Edge(
                            c -> c.set(Settings.TLS_CERT_FILE, pair.cert().toString())
                                    .set(Settings.TLS_KEY_FILE, pair.key().toString())
                                    .set(Settings.MANAGEMENT_PORT, 0));
                    Edge plain = new Edge(c -> c.set(Settings.MANAGEMENT_PORT, 0))) {
                List<String> users = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    String user = Edge.newUser();
                    users.add("{\"user\":\"" + user + "\",\"token\":\"" + Edge.token(user) + "\"}");
                }
                Path log = Files.createTempFile("lasthop-tabs-http2", ".log");
                ProcessBuilder pb = new ProcessBuilder(
                                NodeProject.node(), "--test", "--test-reporter=spec", "tabs-http2.e2e.mjs")
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile());
                pb.environment()
                        .put("EDGE_TLS_URL", "https://127.0.0.1:" + tls.server().port());
                pb.environment().put("EDGE_PLAIN_URL", plain.http());
                pb.environment()
                        .put(
                                "TLS_METRICS_URL",
                                "http://127.0.0.1:" + tls.server().managementPort());
                pb.environment()
                        .put(
                                "PLAIN_METRICS_URL",
                                "http://127.0.0.1:" + plain.server().managementPort());
                pb.environment().put("USERS", "[" + String.join(",", users) + "]");
                pb.environment().put("AMQP_URL", Broker.URI.replace("/%2F", ""));
                pb.environment().put("CHROMIUM", CHROMIUM.toString());
                Process p = pb.start();
                boolean done = p.waitFor(4, TimeUnit.MINUTES);
                if (!done) {
                    p.destroyForcibly();
                }
                String out = Files.readString(log, StandardCharsets.UTF_8);
                System.out.println(out);
                assertTrue(done, "the browser suite did not finish in time");
                assertEquals(0, p.exitValue(), "the browser suite failed; its output is above");
            }
        }
    }
}
