package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.NodeProject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JavaScript client in real headless Chromium (Debian's package, driven by playwright-core),
 * against an edge in dev mode and the real broker: {@code edge/src/test/node/browser.e2e.mjs}.
 * Every transport forced in turn, fallback behind hostile proxies, and bytes on the wire, which
 * it writes to {@code bench/results/bytes-on-the-wire.md}.
 */
class BrowserEndToEndIT {
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void clientInChromiumOverEveryTransport() throws Exception {
        assertTrue(
                Files.isExecutable(CHROMIUM),
                "Chromium is not installed at " + CHROMIUM
                        + ": apt-get install -y chromium (.ci/run installs it), or set CHROMIUM");
        Path dir = NodeProject.locate("browser.e2e.mjs");
        NodeProject.install(dir);
        Path bundle = dir.resolve("../../../../js/dist/lasthop.iife.min.js").normalize();
        assertTrue(
                Files.isRegularFile(bundle) || getClass().getResource("/demo/lasthop.iife.min.js") != null,
                "the client bundle is missing: build from the repository root (mvn verify builds js/ first)");
        Path report =
                dir.resolve("../../../../bench/results/bytes-on-the-wire.md").normalize();
        Files.createDirectories(report.getParent());
        try (Edge edge = new Edge(c -> c.set(Settings.DEV, true)
                .set(Settings.JWT_HS256_SECRET, null)
                .set(Settings.POLL_TIMEOUT, Duration.ofSeconds(5))
                .set(Settings.POLL_LINGER, Duration.ofSeconds(3)))) {
            Path log = Files.createTempFile("lasthop-browser-e2e", ".log");
            ProcessBuilder pb = new ProcessBuilder(
                            NodeProject.node(), "--test", "--test-reporter=spec", "browser.e2e.mjs")
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("EDGE_URL", edge.http());
            pb.environment().put("AMQP_URL", Broker.URI.replace("/%2F", ""));
            pb.environment().put("CHROMIUM", CHROMIUM.toString());
            pb.environment().put("BYTES_REPORT", report.toString());
            Process p = pb.start();
            boolean done = p.waitFor(9, TimeUnit.MINUTES);
            if (!done) {
                p.destroyForcibly();
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            System.out.println(out);
            assertTrue(done, "the browser suite did not finish in time:\n" + out);
            assertEquals(0, p.exitValue(), "the browser suite failed:\n" + out);
            if (Files.isRegularFile(report)) {
                System.out.println(Files.readString(report));
            }
        }
    }
}
