package io.lasthop.edge.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An issuer's JWKS endpoint on loopback: the test publishes keys (rotating them), makes it misbehave,
 * or stops it, and counts the requests it got.
 */
public final class JwksServer implements AutoCloseable {
    public static final String PATH = "/.well-known/jwks.json";
    /** Longest a HANG answer is held: far past any timeout under test, and bounded. */
    private static final long HANG_SECONDS = 30;

    public enum Mode {
        /** The published keys. */
        SERVE,
        /** HTTP 500. */
        ERROR,
        /** 200 with a body that is not JSON. */
        GARBAGE,
        /** 200 with {"keys":[]}. */
        EMPTY,
        /** Never answers (until closed, or HANG_SECONDS). */
        HANG
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "test-jwks-server");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger requests = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile String body = "{\"keys\":[]}";
    private volatile Mode mode = Mode.SERVE;

    private JwksServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext(PATH, this::handle);
        server.start();
    }

    /** A server publishing the public parts of {@code keys}. */
    public static JwksServer start(JWK... keys) throws IOException {
        JwksServer s = new JwksServer();
        s.publish(keys);
        return s;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    /** Replaces the published keys with the public parts of these. */
    public void publish(JWK... keys) {
        body = new JWKSet(List.of(keys)).toPublicJWKSet().toString();
        mode = Mode.SERVE;
    }

    /** Publishes this JSON as it is, e.g. a key set another library wrote. */
    public void publishRaw(String json) {
        body = json;
        mode = Mode.SERVE;
    }

    public void mode(Mode mode) {
        this.mode = mode;
    }

    public int requests() {
        return requests.get();
    }

    /** Closes the port: from now on connections are refused, as with an issuer that is down. */
    public void stop() {
        closed.countDown();
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        try (ex) {
            switch (mode) {
                case ERROR -> reply(ex, 500, "internal error");
                case GARBAGE -> reply(ex, 200, "<html>login page</html>");
                case EMPTY -> reply(ex, 200, "{\"keys\":[]}");
                case HANG -> {
                    try {
                        closed.await(HANG_SECONDS, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                default -> reply(ex, 200, body);
            }
        }
    }

    private static void reply(HttpExchange ex, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        stop();
        threads.shutdownNow();
    }
}
