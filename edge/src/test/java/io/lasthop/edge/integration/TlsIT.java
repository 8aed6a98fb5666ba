package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Await;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.RawSocket;
import io.lasthop.edge.testing.TestCertificates;
import io.lasthop.protocol.AmqpNames;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The edge serving TLS from PEM files, with HTTP/2 by ALPN: every HTTP transport over HTTP/2 with
 * many sessions on one connection, WebSocket over TLS, a certificate replaced under an open
 * session, and a client hello that never completes.
 */
class TlsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestCertificates certs;
    private static TestCertificates.Pair served;
    private static Edge edge;
    private static Broker broker;
    private static HttpClient http2;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCertificates.create();
        TestCertificates.Pair pair = certs.server(TestCertificates.Key.RSA_PKCS1);
        // The edge reads these two files; the test replaces them to rotate the certificate.
        served = new TestCertificates.Pair(
                pair.cert().resolveSibling("served.pem"), pair.key().resolveSibling("served.key"));
        Files.copy(pair.cert(), served.cert());
        Files.copy(pair.key(), served.key());
        broker = new Broker();
        edge = new Edge(c -> c.set(Settings.TLS_CERT_FILE, served.cert().toString())
                .set(Settings.TLS_KEY_FILE, served.key().toString())
                .set(Settings.REQUEST_TIMEOUT, Duration.ofSeconds(2)));
        http2 = HttpClient.newBuilder()
                .sslContext(certs.trustingContext())
                .version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        edge.close();
        broker.close();
        certs.close();
    }

    private static String https() {
        return "https://127.0.0.1:" + edge.server().port();
    }

    @Test
    void healthAndReadinessOverHttp2() throws Exception {
        HttpResponse<String> r = http2.send(
                HttpRequest.newBuilder(URI.create(https() + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
    }

    /** Ten SSE sessions and their POSTed acks on one HTTP/2 connection, each receiving its own messages. */
    @Test
    void manySseSessionsShareOneHttp2Connection() throws Exception {
        List<Stream> streams = new ArrayList<>();
        double connectionsBefore = edge.metric("lasthop_client_connections");
        try {
            for (int i = 0; i < 10; i++) {
                streams.add(Stream.open("/lasthop/sse"));
            }
            assertTrue(
                    edge.metric("lasthop_client_connections") <= connectionsBefore + 1,
                    "one TCP connection carries the ten streams");
            for (Stream s : streams) {
                broker.publishJson(AmqpNames.USER_EXCHANGE, s.user, "m-" + s.user, "{}");
            }
            for (Stream s : streams) {
                JsonNode msg = s.next("msg");
                assertEquals("m-" + s.user, msg.get("id").asText());
                HttpResponse<String> ack = http2.send(
                        HttpRequest.newBuilder(URI.create(https() + "/lasthop/frames?token=" + s.token + "&session="
                                        + s.session + "&connection=" + s.connection))
                                .POST(HttpRequest.BodyPublishers.ofString("{\"t\":\"ack\",\"seq\":1}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(204, ack.statusCode(), ack.body());
            }
            for (Stream s : streams) {
                Await.until(
                        () -> broker.ready(Edge.queueOf(s.user, s.session)) == 0
                                && broker.consumers(Edge.queueOf(s.user, s.session)) == 1,
                        Broker.timeout(),
                        "acked");
            }
        } finally {
            streams.forEach(Stream::close);
        }
    }

    @Test
    void streamingAndLongPollingOverHttp2() throws Exception {
        try (Stream s = Stream.open("/lasthop/stream")) {
            broker.publishJson(AmqpNames.USER_EXCHANGE, s.user, "ndjson", "{}");
            assertEquals("ndjson", s.next("msg").get("id").asText());
        }
        String token = Edge.token(Edge.newUser());
        HttpResponse<String> poll = http2.send(
                HttpRequest.newBuilder(URI.create(https() + "/lasthop/poll?token=" + token))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, poll.version());
        assertEquals("hello", JSON.readTree(poll.body()).get(0).get("t").asText());
    }

    @Test
    void webSocketOverTls() throws Exception {
        String user = Edge.newUser();
        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        HttpClient h1 =
                HttpClient.newBuilder().sslContext(certs.trustingContext()).build();
        WebSocket ws = h1.newWebSocketBuilder()
                .buildAsync(
                        URI.create("wss://127.0.0.1:" + edge.server().port() + "/lasthop/ws?token=" + Edge.token(user)),
                        new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                                frames.add(data.toString());
                                w.request(1);
                                return null;
                            }
                        })
                .get(10, TimeUnit.SECONDS);
        try {
            assertTrue(frames.poll(10, TimeUnit.SECONDS).contains("\"hello\""));
            broker.publishJson(AmqpNames.USER_EXCHANGE, user, "wss", "{}");
            assertTrue(frames.poll(10, TimeUnit.SECONDS).contains("\"wss\""));
        } finally {
            ws.abort();
        }
    }

    /** A new certificate in the files serves new connections; a session opened before goes on. */
    @Test
    void aReplacedCertificateIsServedWithoutDroppingOpenSessions() throws Exception {
        try (Stream open = Stream.open("/lasthop/sse")) {
            X509Certificate before = peerCertificate();
            TestCertificates.Pair next = certs.server(TestCertificates.Key.EC_SEC1);
            Files.copy(next.key(), served.key(), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(next.cert(), served.cert(), StandardCopyOption.REPLACE_EXISTING);
            Await.until(
                    () -> !peerCertificateUnchecked().getSerialNumber().equals(before.getSerialNumber()),
                    Duration.ofSeconds(30),
                    "the new certificate to be served");
            assertNotEquals(before.getSerialNumber(), peerCertificate().getSerialNumber());
            broker.publishJson(AmqpNames.USER_EXCHANGE, open.user, "after-reload", "{}");
            assertEquals("after-reload", open.next("msg").get("id").asText());
        }
    }

    @Test
    void aClientHelloThatNeverCompletesIsClosed() throws Exception {
        try (RawSocket s = RawSocket.connect(edge.server().port(), 0)) {
            s.write(new byte[] {0x16, 0x03, 0x01, 0x00}, Duration.ofSeconds(5)); // a record header, no more
            assertNotNull(s.readToEnd(Duration.ofSeconds(10)), "closed by the handshake timeout");
        }
        assertEquals(
                200,
                http2.send(
                                HttpRequest.newBuilder(URI.create(https() + "/healthz"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode());
    }

    private static X509Certificate peerCertificate() throws Exception {
        try (SSLSocket socket = (SSLSocket) certs.trustingContext()
                .getSocketFactory()
                .createSocket("127.0.0.1", edge.server().port())) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private static X509Certificate peerCertificateUnchecked() {
        try {
            return peerCertificate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** One chunked-response session over the shared HTTP/2 client, read line by line. */
    private static final class Stream implements AutoCloseable {
        final String user = Edge.newUser();
        final String token = Edge.token(user);
        final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        final CompletableFuture<HttpResponse<java.io.InputStream>> response;
        String session;
        String connection;

        private Stream(String path) {
            response = http2.sendAsync(
                    HttpRequest.newBuilder(URI.create(https() + path + "?token=" + token))
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            response.thenAccept(r -> {
                Thread reader = new Thread(() -> read(r), "tls-it-reader");
                reader.setDaemon(true);
                reader.start();
            });
        }

        static Stream open(String path) throws Exception {
            Stream s = new Stream(path);
            assertEquals(
                    HttpClient.Version.HTTP_2,
                    s.response.get(10, TimeUnit.SECONDS).version());
            JsonNode hello = s.next("hello");
            s.session = hello.get("session").asText();
            s.connection = hello.get("connection").asText();
            return s;
        }

        private void read(HttpResponse<java.io.InputStream> r) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    String json = line.startsWith("data: ") ? line.substring(6) : line;
                    if (json.startsWith("{")) {
                        frames.add(JSON.readTree(json));
                    }
                }
            } catch (Exception e) {
                // the stream ended
            }
        }

        JsonNode next(String type) throws InterruptedException {
            long deadline = System.nanoTime() + Broker.timeout().toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode f = frames.poll(100, TimeUnit.MILLISECONDS);
                if (f != null && type.equals(f.path("t").asText())) {
                    return f;
                }
            }
            throw new AssertionError("no " + type + " frame");
        }

        @Override
        public void close() {
            response.thenAccept(r -> {
                try {
                    r.body().close();
                } catch (Exception e) {
                    // gone already
                }
            });
        }
    }
}
