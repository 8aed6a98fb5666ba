package io.lasthop.ops;

import static io.lasthop.ops.OpsKit.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.lasthop.edge.testing.Broker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Clients that reach the edges by URL, through HAProxy (the harness's clients connect to an edge
 * directly), and HAProxy's own view of the edges.
 */
final class ThroughHaproxy {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private ThroughHaproxy() {}

    /** True when HAProxy's exporter shows {@code server} of backend {@code edges} in {@code state}. */
    static boolean serverState(int statsPort, String server, String state) {
        try {
            String body = HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + "/metrics"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            return body.contains(
                    "haproxy_server_status{proxy=\"edges\",server=\"" + server + "\",state=\"" + state + "\"} 1");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static int status(String url) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
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
            ws = HTTP.newWebSocketBuilder()
                    .buildAsync(
                            URI.create(base.replace("http:", "ws:") + "/lasthop/ws?token="
                                    + URLEncoder.encode(token, StandardCharsets.UTF_8)),
                            new WebSocket.Listener() {
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
                            })
                    .get(15, TimeUnit.SECONDS);
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
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "")
                        .orTimeout(5, TimeUnit.SECONDS)
                        .exceptionally(e -> null)
                        .join();
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
            Thread t = new Thread(
                    () -> {
                        try (BufferedReader r =
                                new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                            for (String line; (line = r.readLine()) != null; ) {
                                if (line.startsWith("data: ") && !line.contains("\"t\":\"ping\"")) {
                                    data.add(line.substring(6));
                                }
                            }
                        } catch (IOException e) {
                            // closed
                        }
                    },
                    "opskit-sse");
            t.setDaemon(true);
            t.start();
        }

        static SseLines open(String url) throws IOException, InterruptedException {
            return new SseLines(HTTP.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .header("Accept", "text/event-stream")
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream()));
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
}
