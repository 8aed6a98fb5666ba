package io.lasthop.edge.testing;

import com.nimbusds.jwt.JWTClaimsSet;
import io.lasthop.edge.auth.DevTokens;
import io.lasthop.edge.config.EdgeConfig;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.server.EdgeServer;
import io.lasthop.protocol.AmqpNames;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/** An edge node started in-process on a free port, against the real broker. */
public final class Edge implements EdgeAddress, AutoCloseable {
    public static final String SECRET = "test-secret-test-secret-test-secret-0123456789";
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final EdgeServer server;

    /** @param customize applied after the test defaults, so it may override any of them */
    public Edge(Consumer<EdgeConfig.Builder> customize) {
        this(customize, true);
    }

    /** An edge that may never get ready (a broker it cannot reach): the caller checks, and closes it. */
    public static Edge startUnready(Consumer<EdgeConfig.Builder> customize) {
        return new Edge(customize, false);
    }

    private Edge(Consumer<EdgeConfig.Builder> customize, boolean awaitReady) {
        EdgeConfig.Builder config = EdgeConfig.newBuilder()
                .set(Settings.HTTP_PORT, 0)
                .set(Settings.HTTP_HOST, "127.0.0.1")
                .set(Settings.AMQP_URI, Broker.URI)
                .set(Settings.JWT_HS256_SECRET, SECRET)
                // Every test client comes from 127.0.0.1, and some open a thousand sessions at once.
                .set(Settings.NEW_SESSION_RATE, 1_000_000)
                .set(Settings.NEW_SESSION_RATE_PER_ADDRESS, 1_000_000);
        customize.accept(config);
        EdgeConfig c = config.build();
        try {
            server = new EdgeServer(c).start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (awaitReady) {
            awaitReady();
        }
    }

    public static Edge start() {
        return new Edge(c -> {});
    }

    public void awaitReady() {
        Await.until(
                server::ready,
                Broker.timeout(),
                "the edge to connect to RabbitMQ at " + Broker.URI
                        + "; if it is not running, start it with: rabbitmq-server -detached && rabbitmqctl await_startup");
    }

    public EdgeServer server() {
        return server;
    }

    @Override
    public String http() {
        return "http://127.0.0.1:" + server.port();
    }

    @Override
    public String ws() {
        return "ws://127.0.0.1:" + server.port();
    }

    public static String token(String user) {
        return DevTokens.mint(SECRET.getBytes(StandardCharsets.UTF_8), user, Duration.ofMinutes(10));
    }

    /** A token whose {@code lasthop} claim allows these subscribe and send patterns. */
    public static String token(String user, List<String> subscribe, List<String> send) {
        return DevTokens.mint(
                SECRET.getBytes(StandardCharsets.UTF_8),
                new JWTClaimsSet.Builder()
                        .subject(user)
                        .expirationTime(Date.from(Instant.now().plus(Duration.ofMinutes(10))))
                        .claim("lasthop", Map.of("subscribe", subscribe, "send", send))
                        .build());
    }

    public static String token(String user, Duration ttl) {
        return DevTokens.mint(SECRET.getBytes(StandardCharsets.UTF_8), user, ttl);
    }

    /** A user id no other test uses, so tests never see each other's messages. */
    public static String newUser() {
        return "user-" + UUID.randomUUID();
    }

    public static String queueOf(String user, String session) {
        return AmqpNames.sessionQueue(user, session);
    }

    public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(http() + pathAndQuery))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String pathAndQuery, String body) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(http() + pathAndQuery))
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A metric's value from this node's scrape, e.g. {@code lasthop_client_output_pending_bytes} or
     * {@code lasthop_refusals_total{reason="connections"}}; fails when the node has no such metric.
     */
    public double metric(String nameAndLabels) {
        for (String line : server.metrics().scrape().split("\n")) {
            if (line.startsWith(nameAndLabels + " ")) {
                return Double.parseDouble(
                        line.substring(nameAndLabels.length() + 1).trim());
            }
        }
        throw new AssertionError("no metric " + nameAndLabels);
    }

    @Override
    public void close() {
        server.close();
    }
}
