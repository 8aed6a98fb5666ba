package io.lasthop.edge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What the browser client does, over WebSocket, for load and failure tests: reconnects after every
 * close (honouring {@code reconnectAfterMs}), resumes its session naming its last connection and
 * node, acks each message, and shows each message id once. Records what the app would see.
 */
public final class ResilientClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int MAX_ATTEMPTS = 200;

    private final String token;
    private final Supplier<String> baseUrl;
    private final ScheduledExecutorService timer;
    private final Set<String> shown = new LinkedHashSet<>();
    private final List<String> duplicatesDropped = new ArrayList<>();
    private final AtomicInteger connects = new AtomicInteger();
    private volatile String session;
    private volatile String connection;
    private volatile String node;
    private volatile WebSocket ws;
    private volatile boolean open;
    private volatile boolean closed;
    private volatile long reconnectAfter;
    private int attempts;

    /** @param baseUrl the ws:// base to connect to, asked again on every reconnect */
    public ResilientClient(String token, Supplier<String> baseUrl, ScheduledExecutorService timer) {
        this.token = token;
        this.baseUrl = baseUrl;
        this.timer = timer;
        connect();
    }

    /** One client for each new user, all connecting to {@code baseUrl}; returns once every one is open. */
    public static List<ResilientClient> openMany(
            List<String> users, Supplier<String> baseUrl, ScheduledExecutorService timer) {
        List<ResilientClient> clients = new ArrayList<>(users.size());
        for (String user : users) {
            clients.add(new ResilientClient(Edge.token(user), baseUrl, timer));
        }
        Await.until(
                () -> clients.stream().allMatch(ResilientClient::isOpen),
                Duration.ofSeconds(60),
                users.size() + " clients to open");
        return clients;
    }

    /** {@code n} user ids no other test uses. */
    public static List<String> newUsers(int n) {
        List<String> users = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            users.add(Edge.newUser());
        }
        return users;
    }

    public static ScheduledExecutorService timer() {
        return Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "resilient-client");
            t.setDaemon(true);
            return t;
        });
    }

    private void connect() {
        if (closed) {
            return;
        }
        StringBuilder uri = new StringBuilder(baseUrl.get())
                .append("/lasthop/ws?token=")
                .append(URLEncoder.encode(token, StandardCharsets.UTF_8));
        if (session != null) {
            uri.append("&session=")
                    .append(session)
                    .append("&connection=")
                    .append(connection)
                    .append("&node=")
                    .append(URLEncoder.encode(node, StandardCharsets.UTF_8));
        }
        HTTP.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(3))
                .buildAsync(URI.create(uri.toString()), listener())
                .whenComplete((w, e) -> {
                    if (e != null) {
                        retry();
                    } else {
                        ws = w;
                    }
                });
    }

    private synchronized void retry() {
        open = false;
        if (closed || ++attempts > MAX_ATTEMPTS) {
            return;
        }
        long delay = reconnectAfter > 0
                ? reconnectAfter
                : ThreadLocalRandom.current().nextLong(50, 300);
        reconnectAfter = 0;
        timer.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private WebSocket.Listener listener() {
        return new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public void onOpen(WebSocket webSocket) {
                webSocket.request(1);
            }

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    handle(webSocket, partial.toString());
                    partial.setLength(0);
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                retry();
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                retry();
            }
        };
    }

    private void handle(WebSocket w, String text) {
        try {
            JsonNode f = JSON.readTree(text);
            switch (f.path("t").asText()) {
                case "hello" -> {
                    session = f.get("session").asText();
                    connection = f.get("connection").asText();
                    node = f.get("node").asText();
                    open = true;
                    connects.incrementAndGet();
                    synchronized (this) {
                        attempts = 0;
                    }
                }
                case "msg" -> {
                    String id = f.get("id").asText();
                    synchronized (shown) {
                        if (!shown.add(id)) {
                            duplicatesDropped.add(id);
                        }
                    }
                    w.sendText("{\"t\":\"ack\",\"seq\":" + f.get("seq").asLong() + "}", true);
                }
                case "ping" -> w.sendText("{\"t\":\"pong\"}", true);
                case "close" -> reconnectAfter = f.path("reconnectAfterMs").asLong(0);
                default -> {}
            }
        } catch (Exception e) {
            // unreadable frame: a test assertion on what was shown will tell
        }
    }

    /** The message ids the app saw, in order, each once. */
    public List<String> shown() {
        synchronized (shown) {
            return new ArrayList<>(shown);
        }
    }

    public int redeliveriesDropped() {
        synchronized (shown) {
            return duplicatesDropped.size();
        }
    }

    public boolean isOpen() {
        return open;
    }

    public String node() {
        return node;
    }

    public int connects() {
        return connects.get();
    }

    /**
     * A new client for the same session, as a browser tab reopened within the resume window: it
     * remembers what this one showed, and resumes this one's session.
     */
    public ResilientClient resumeAs(String token, Supplier<String> baseUrl, ScheduledExecutorService timer) {
        ResilientClient next = new ResilientClient(token, baseUrl, timer, session, connection, node, shown());
        return next;
    }

    private ResilientClient(
            String token,
            Supplier<String> baseUrl,
            ScheduledExecutorService timer,
            String session,
            String connection,
            String node,
            List<String> shownBefore) {
        this.token = token;
        this.baseUrl = baseUrl;
        this.timer = timer;
        this.session = session;
        this.connection = connection;
        this.node = node;
        this.shown.addAll(shownBefore);
        connect();
    }

    /** Drops the TCP connection without a close handshake; the client reconnects by itself. */
    public void dropConnection() {
        open = false;
        WebSocket w = ws;
        if (w != null) {
            w.abort();
        }
        retry();
    }

    @Override
    public void close() {
        closed = true;
        WebSocket w = ws;
        if (w != null) {
            w.abort();
        }
    }
}
