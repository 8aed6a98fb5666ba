package io.lasthop.edge.integration;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lasthop.edge.auth.JwksServer;
import io.lasthop.edge.config.EdgeConfig;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.NodeProject;
import io.lasthop.edge.testing.WsClient;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tokens minted by a second, independent JOSE library, {@code jose} in Node
 * ({@code edge/src/test/node/issuer-tokens.mjs}), against edges that take that issuer's keys from a
 * JWKS URL (a server in this test), a JWKS file, and PEM files: each access token opens a session
 * whose rights come from its {@code lasthop} claim, and each forged or expired one gets its 401.
 */
class IssuerTokensIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ISSUER = "https://issuer.test/realms/lasthop";
    private static final String AUDIENCE = "lasthop";
    private static final String REPLY_SECRET = "issuer-tokens-it-reply-secret-0123456789";
    private static final long SCRIPT_TIMEOUT_SECONDS = 60;

    static JsonNode minted;
    static JwksServer issuer;
    static final Map<String, Edge> edges = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        Path nodeDir = NodeProject.locate("issuer-tokens.mjs");
        NodeProject.install(nodeDir);
        new Broker().close(); // fails with how to start RabbitMQ when it is not running
        minted = mint(nodeDir);

        issuer = JwksServer.start();
        issuer.publishRaw(minted.get("jwks").toString());
        Path dir = Files.createTempDirectory("lasthop-issuer-keys");
        dir.toFile().deleteOnExit();
        Path jwksFile =
                Files.writeString(dir.resolve("jwks.json"), minted.get("jwks").toString());
        Set<String> pemFiles = new LinkedHashSet<>();
        Set<String> pemAlgorithms = new LinkedHashSet<>();
        for (JsonNode pem : minted.get("pems")) {
            String alg = pem.get("alg").asText();
            pemFiles.add(
                    Files.writeString(dir.resolve(alg + ".pem"), pem.get("pem").asText())
                            .toString());
            pemAlgorithms.add(alg);
        }
        edges.put("JWKS URL", new Edge(c -> issuerSettings(c).set(Settings.JWT_JWKS_URL, issuer.url())));
        edges.put("JWKS file", new Edge(c -> issuerSettings(c)
                .set(Settings.JWT_PUBLIC_KEYS, Set.of(jwksFile.toString()))));
        // PEM keys carry neither kid nor alg: the allowlist names the algorithms.
        edges.put("PEM files", new Edge(c -> issuerSettings(c)
                .set(Settings.JWT_PUBLIC_KEYS, pemFiles)
                .set(Settings.JWT_ALGORITHMS, pemAlgorithms)));
    }

    /** An edge configured as for a real issuer: public keys only, so a reply-token secret of its own. */
    private static EdgeConfig.Builder issuerSettings(EdgeConfig.Builder c) {
        return c.set(Settings.JWT_HS256_SECRET, null)
                .set(Settings.REPLY_TOKEN_SECRET, REPLY_SECRET)
                .set(Settings.JWT_ISSUER, ISSUER)
                .set(Settings.JWT_AUDIENCE, AUDIENCE)
                .set(Settings.AMQP_CONNECTIONS, 1);
    }

    @AfterAll
    static void stop() {
        edges.values().forEach(Edge::close);
        if (issuer != null) {
            issuer.close();
        }
    }

    static Stream<Arguments> tokens() {
        List<Arguments> out = new ArrayList<>();
        for (String edge : edges.keySet()) {
            for (JsonNode t : minted.get("tokens")) {
                out.add(Arguments.of(edge, t.get("name").asText(), t));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("tokens")
    void eachTokenIsAnsweredAsItsIssuerMeantIt(String edgeName, String name, JsonNode t) throws Exception {
        Edge edge = edges.get(edgeName);
        String token = t.get("token").asText();
        String expect = t.get("expect").asText();
        if (!expect.equals("ok")) {
            HttpResponse<String> res = edge.get("/lasthop/sse?token=" + token);
            assertEquals(401, res.statusCode(), res.body());
            assertEquals(expect, JSON.readTree(res.body()).get("error").asText(), res.body());
            return;
        }
        String sub = t.get("sub").asText();
        try (WsClient ws = WsClient.connect(edge, token, null)) {
            ws.next("hello");
            // The claim jose put in: user.{sub}.# for this sub, and nobody else's.
            ws.send("{\"t\":\"sub\",\"ref\":1,\"topic\":\"user." + sub + ".inbox\"}");
            assertEquals(1, ws.next("ok").get("ref").asInt());
            ws.send("{\"t\":\"sub\",\"ref\":2,\"topic\":\"user.someone-else.inbox\"}");
            JsonNode error = ws.next("error");
            assertEquals(2, error.get("ref").asInt());
            assertEquals("forbidden", error.get("code").asText());
        }
    }

    /**
     * The URL edge read the key set at start; tokens are verified from memory, and a burst of tokens
     * naming an unknown kid makes it look again at most once per jwt.keys.refresh.min.interval (10 s).
     */
    @Test
    void theIssuerIsNotAskedPerToken() throws Exception {
        Edge edge = edges.get("JWKS URL");
        String good = null;
        String unknownKid = null;
        for (JsonNode t : minted.get("tokens")) {
            if (t.get("name").asText().equals("ES256 access token")) {
                good = t.get("token").asText();
            } else if (t.get("name").asText().equals("unknown kid")) {
                unknownKid = t.get("token").asText();
            }
        }
        int before = issuer.requests();
        for (int i = 0; i < 20; i++) {
            try (WsClient ws = WsClient.connect(edge, good, null)) {
                ws.next("hello");
            }
        }
        assertEquals(before, issuer.requests(), "good tokens were verified from the cached keys");
        for (int i = 0; i < 50; i++) {
            assertEquals(401, edge.get("/lasthop/sse?token=" + unknownKid).statusCode());
        }
        assertTrue(issuer.requests() - before <= 1, (issuer.requests() - before) + " fetches for 50 unknown kids");
    }

    /** Runs the script and reads its one line of JSON. */
    private static JsonNode mint(Path nodeDir) throws IOException, InterruptedException {
        Path out = Files.createTempFile("lasthop-issuer-tokens", ".json");
        Path err = Files.createTempFile("lasthop-issuer-tokens", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(NodeProject.node(), "issuer-tokens.mjs")
                    .directory(nodeDir.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().put("ISSUER", ISSUER);
            pb.environment().put("AUDIENCE", AUDIENCE);
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new AssertionError(
                        "node is not installed or not on PATH (" + e.getMessage() + "). Install Node.js 18 or newer",
                        e);
            }
            if (!p.waitFor(SCRIPT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(
                        "issuer-tokens.mjs ran over " + SCRIPT_TIMEOUT_SECONDS + " s:\n" + Files.readString(err));
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("issuer-tokens.mjs exited " + p.exitValue() + ":\n" + Files.readString(err));
            }
            return JSON.readTree(Files.readString(out, UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
