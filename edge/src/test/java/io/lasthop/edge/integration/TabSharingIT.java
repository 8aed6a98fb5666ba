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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tabs sharing one session and one connection (the JavaScript client's {@code share}), in real
 * headless Chromium: one browser context, several pages, against an edge of its own in dev mode
 * and the real broker: {@code edge/src/test/node/tabs.e2e.mjs}. The edge is this test's alone,
 * because the suite counts the edge's open connections in {@code /metrics}. The suite prints its
 * figures (take-over time, redeliveries dropped, connections and bytes for 1, 5 and 10 tabs).
 */
class TabSharingIT {
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void tabsShareOneConnectionInChromium() throws Exception {
        assertTrue(
                Files.isExecutable(CHROMIUM),
                "Chromium is not installed at " + CHROMIUM
                        + ": apt-get install -y chromium (.ci/run installs it), or set CHROMIUM");
        Path dir = NodeProject.locate("tabs.e2e.mjs");
        NodeProject.install(dir);
        Path bundle = dir.resolve("../../../../js/dist/lasthop.iife.min.js").normalize();
        assertTrue(
                Files.isRegularFile(bundle) || getClass().getResource("/demo/lasthop.iife.min.js") != null,
                "the client bundle is missing: build from the repository root (mvn verify builds js/ first)");
        try (Edge edge = new Edge(c -> c.set(Settings.DEV, true).set(Settings.JWT_HS256_SECRET, null))) {
            Path log = Files.createTempFile("lasthop-tabs-e2e", ".log");
            ProcessBuilder pb = new ProcessBuilder(NodeProject.node(), "--test", "--test-reporter=spec", "tabs.e2e.mjs")
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("EDGE_URL", edge.http());
            pb.environment().put("AMQP_URL", Broker.URI.replace("/%2F", ""));
            pb.environment().put("CHROMIUM", CHROMIUM.toString());
            Process p = pb.start();
            boolean done = p.waitFor(5, TimeUnit.MINUTES);
            if (!done) {
                p.destroyForcibly();
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            System.out.println(out);
            assertTrue(done, "the tab-sharing suite did not finish in time:\n" + out);
            assertEquals(0, p.exitValue(), "the tab-sharing suite failed:\n" + out);
        }
    }
}
