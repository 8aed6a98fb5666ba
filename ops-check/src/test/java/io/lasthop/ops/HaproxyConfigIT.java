package io.lasthop.ops;

import static io.lasthop.ops.OpsKit.OPS;
import static io.lasthop.ops.OpsKit.run;
import static io.lasthop.ops.OpsKit.tool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lasthop.ops.OpsKit.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Static checks of the two HAProxy configs: {@code haproxy -c} accepts both, they differ only in
 * addresses, and they hold the settings a long-lived, non-sticky edge needs. No edge runs.
 */
class HaproxyConfigIT {
    @Test
    void haproxyAcceptsBothConfigs() throws Exception {
        String haproxy = tool("haproxy", "apt-get install -y haproxy");
        Run local = run(List.of(
                haproxy, "-c", "-f", OPS.resolve("haproxy/haproxy-local.cfg").toString()));
        assertEquals(0, local.exit(), local.output());
        assertFalse(
                local.output().contains("[WARNING]"), "haproxy-local.cfg checks without warnings:\n" + local.output());

        Run compose = run(
                List.of(haproxy, "-c", "-f", OPS.resolve("haproxy/haproxy.cfg").toString()));
        assertEquals(0, compose.exit(), compose.output());
        // Only the compose service names may be unknown here: Docker's DNS resolves them.
        for (String line :
                compose.output().lines().filter(l -> l.contains("[WARNING]")).toList()) {
            assertTrue(line.contains("could not resolve address 'edge-"), "unexpected warning: " + line);
        }

        List<String> a = settings(OPS.resolve("haproxy/haproxy.cfg"));
        List<String> b = settings(OPS.resolve("haproxy/haproxy-local.cfg"));
        assertEquals(a, b, "haproxy.cfg and haproxy-local.cfg differ in more than addresses");
        String cfg = String.join("\n", a);
        for (String needed : List.of(
                "balance roundrobin",
                "timeout tunnel 1h",
                "option httpchk",
                "http-check expect status 200",
                "option forwardfor",
                "slowstart",
                "inter ",
                "fall ",
                "rise ")) {
            assertTrue(cfg.contains(needed), "haproxy.cfg lacks " + needed);
        }
        assertTrue(cfg.contains("uri /readyz"), "health checks GET /readyz");
        for (String forbidden : List.of(
                "shutdown-sessions",
                "cookie ",
                "stick ",
                "stick-table",
                "compression ",
                "http-server-close",
                "http-buffer-request")) {
            assertFalse(cfg.contains(forbidden), "haproxy.cfg must not use " + forbidden.strip());
        }
    }

    @Test
    void haproxyAcceptsTheTlsPassthroughConfig() throws Exception {
        String haproxy = tool("haproxy", "apt-get install -y haproxy");
        Path cfg = OPS.resolve("haproxy/haproxy-tls-passthrough.cfg");
        Run check = run(List.of(haproxy, "-c", "-f", cfg.toString()));
        assertEquals(0, check.exit(), check.output());
        for (String line :
                check.output().lines().filter(l -> l.contains("[WARNING]")).toList()) {
            assertTrue(line.contains("could not resolve address 'edge-"), "unexpected warning: " + line);
        }
        String text = Files.readString(cfg);
        for (String needed : List.of("mode tcp", "balance roundrobin", "check-ssl", "uri /readyz")) {
            assertTrue(text.contains(needed), "haproxy-tls-passthrough.cfg lacks " + needed);
        }
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
}
