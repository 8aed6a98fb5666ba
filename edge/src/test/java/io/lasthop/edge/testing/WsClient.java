package io.lasthop.edge.testing;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A WebSocket client that records frames and the close code; it answers pings like a real client. */
public final class WsClient extends Frames implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final CompletableFuture<int[]> closed = new CompletableFuture<>();
    private final CompletableFuture<String> closeReason = new CompletableFuture<>();
    private final boolean reading;
    private final boolean answerPings;
    private WebSocket ws;
    private final StringBuilder partial = new StringBuilder();

    private WsClient(boolean reading, boolean answerPings) {
        this.reading = reading;
        this.answerPings = answerPings;
    }

    public static WsClient connect(EdgeAddress edge, String token, String session) {
        return connect(edge, token, session, true, true);
    }

    /** Connects with extra query parameters, e.g. {@code &session=..&node=..}. */
    public static WsClient connectWith(EdgeAddress edge, String token, String extraQuery) {
        return open(
                new WsClient(true, true),
                edge.ws() + "/lasthop/ws?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + extraQuery);
    }

    /**
     * @param reading      false to stop reading after the handshake, like a stalled browser tab,
     *                     so TCP backpressure reaches the edge
     * @param answerPings  false to behave like a dead client
     */
    public static WsClient connect(
            EdgeAddress edge, String token, String session, boolean reading, boolean answerPings) {
        String uri = edge.ws() + "/lasthop/ws?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)
                + (session == null ? "" : "&session=" + URLEncoder.encode(session, StandardCharsets.UTF_8));
        return open(new WsClient(reading, answerPings), uri);
    }

    private static WsClient open(WsClient c, String uri) {
        try {
            c.ws = HTTP.newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(URI.create(uri), c.listener())
                    .get(15, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new HandshakeRefused(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("WebSocket connect failed: " + e, e);
        }
        return c;
    }

    /** The HTTP status and body of a refused upgrade. */
    public static final class HandshakeRefused extends RuntimeException {
        public final int status;
        public final String body;

        HandshakeRefused(Throwable cause) {
            super("WebSocket upgrade refused: " + cause, cause);
            if (cause instanceof WebSocketHandshakeException h) {
                status = h.getResponse().statusCode();
                Object b = h.getResponse().body();
                body = b == null ? "" : b.toString();
            } else {
                status = -1;
                body = "";
            }
        }
    }

    private WebSocket.Listener listener() {
        return new WebSocket.Listener() {
            @Override
            public void onOpen(WebSocket webSocket) {
                webSocket.request(1);
            }

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    String json = partial.toString();
                    partial.setLength(0);
                    record(json);
                    if (answerPings && json.contains("\"t\":\"ping\"")) {
                        webSocket.sendText("{\"t\":\"pong\"}", true);
                    }
                }
                if (reading) {
                    webSocket.request(1);
                }
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closeReason.complete(reason);
                closed.complete(new int[] {statusCode});
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                closeReason.complete(String.valueOf(error));
                closed.complete(new int[] {-1});
            }
        };
    }

    public void send(String json) {
        ws.sendText(json, true).join();
    }

    public void sendBinary(byte[] data) {
        ws.sendBinary(ByteBuffer.wrap(data), true).join();
    }

    public void ack(long seq) {
        send("{\"t\":\"ack\",\"seq\":" + seq + "}");
    }

    /** The close code the edge sent, waiting for it. */
    public int awaitClose() {
        try {
            return closed.get(Broker.timeout().toMillis(), TimeUnit.MILLISECONDS)[0];
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("the connection did not close: " + e, e);
        }
    }

    public String closeReason() {
        return closeReason.getNow(null);
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** Drops the TCP connection without a close handshake, as a lost network would. */
    public void abort() {
        ws.abort();
    }

    @Override
    public void close() {
        if (!ws.isOutputClosed()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        ws.abort();
    }
}
