package io.lasthop.bench.client;

import io.lasthop.bench.Fanout;
import io.lasthop.bench.Ledgers;
import io.lasthop.bench.Tokens;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The event-driven load generator of one process: holds browser-like sessions on a few event-loop
 * threads (epoll when available), never a thread per connection.
 *
 * <p>Longer than most classes here, and one class on purpose: it is one concept, the sessions of a
 * process and their lifecycle (open, drop, resume, subscribe, close), around state they all share
 * (the event loops, the live sessions, the dropped ones, token and source-address settings).
 * What stands apart from that state is elsewhere: batch pacing in {@link InFlight}, each
 * transport's protocol in its {@link ClientSession} subclass.
 */
public final class ClientPool implements AutoCloseable {
    static final int MAX_FRAME = 1 << 20;
    static final long HELLO_TIMEOUT_MS = 20_000;

    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelClass;
    private final boolean epoll;
    private final String host;
    private final int port;
    private final InetSocketAddress remote;
    private final byte[] secret;
    private final Duration tokenTtl;
    private final SourceAddresses sources;
    private final AtomicLong connections = new AtomicLong();
    final Ledgers ledgers;
    final ClientStats stats = new ClientStats();
    private final Set<ClientSession> live = ConcurrentHashMap.newKeySet();
    /** Sessions dropped by {@link #dropAll}, waiting for {@link #resumeAll}. */
    private final List<ClientSession> dropped = new ArrayList<>();
    /** Longest wait before a pending cumulative ack goes out. */
    volatile long ackDelayMs = AckBatcher.DELAY_MS;
    /**
     * broker-failover: a session closed with 4101 {@code session_expired} or 4102 {@code session_lost}
     * starts a new session for its user, as the JS client does (and emits {@code gap}); the closes
     * and the new sessions' {@code hello}s are recorded with their time, and deliveries go through a
     * per-user window of the last {@link #DEDUPE_WINDOW} message ids, as the JS client's.
     */
    volatile boolean gapMode;

    private volatile boolean stopped;
    /** The JS client's default {@code dedupeWindow}. */
    static final int DEDUPE_WINDOW = 1_000;
    /** A gap signal the client saw ({@code code} 4101/4102), or a new session's hello after one ({@code code} 0). */
    public record GapEvent(String user, int code, long atUs) {}

    public final java.util.concurrent.ConcurrentLinkedQueue<GapEvent> gaps =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    public final java.util.concurrent.ConcurrentLinkedQueue<GapEvent> reopened =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    public final java.util.concurrent.atomic.LongAdder reopenFailures = new java.util.concurrent.atomic.LongAdder();
    /** Second arrivals of a message that the per-user window no longer remembered: the application would see them. */
    public final java.util.concurrent.atomic.LongAdder shownDuplicates = new java.util.concurrent.atomic.LongAdder();
    /** Second arrivals the per-user window dropped, as the JS client does. */
    public final java.util.concurrent.atomic.LongAdder droppedDuplicates = new java.util.concurrent.atomic.LongAdder();

    private final Map<String, java.util.LinkedHashSet<Long>> windows = new ConcurrentHashMap<>();

    /** Topic patterns the sessions' tokens allow them to subscribe to; none by default. */
    private volatile List<String> subscribeGrants = List.of();
    /** TLS for every connection of this pool, or null for plain TCP (see {@link #tls}). */
    private volatile SslContext tls;
    /** SSE and HTTP streaming sessions over shared HTTP/2 connections, or null (see {@link #http2}). */
    private volatile Http2Connections h2;

    public ClientPool(
            String host,
            int port,
            byte[] secret,
            Duration tokenTtl,
            Ledgers ledgers,
            SourceAddresses sources,
            int threads) {
        this.host = host;
        this.port = port;
        this.remote = new InetSocketAddress(host, port);
        if (!remote.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("the load generator targets loopback only, not " + host);
        }
        this.secret = secret.clone();
        this.tokenTtl = tokenTtl;
        this.ledgers = ledgers;
        this.sources = sources;
        this.epoll = Epoll.isAvailable();
        this.group = epoll ? new EpollEventLoopGroup(threads) : new NioEventLoopGroup(threads);
        this.channelClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    public ClientPool ackDelayMs(long ms) {
        this.ackDelayMs = Math.max(1, ms);
        return this;
    }

    /** Tokens minted from now on carry a {@code lasthop} claim allowing {@code sub} to these patterns. */
    public ClientPool grantSubscribe(List<String> patterns) {
        this.subscribeGrants = List.copyOf(patterns);
        return this;
    }

    /**
     * Every connection of this pool opens with a TLS handshake in this context. Each handler is made
     * without the peer's host and port, so the JDK's client finds no cached session to resume:
     * every connection is a full handshake.
     */
    public ClientPool tls(SslContext context) {
        this.tls = context;
        return this;
    }

    /**
     * SSE and HTTP streaming sessions carry their GET, and each ack POST, as streams of HTTP/2
     * connections (TLS with ALPN {@code h2}, so {@link #tls} must be set and offer {@code h2}), at
     * most {@code sessionsPerConnection} sessions per connection, as a browser multiplexes tabs.
     */
    public ClientPool http2(int sessionsPerConnection) {
        if (tls == null) {
            throw new IllegalStateException("HTTP/2 needs TLS: call tls() first");
        }
        this.h2 = new Http2Connections(this, sessionsPerConnection);
        return this;
    }

    /** The pool's HTTP/2 connections, or null when sessions use one HTTP/1.1 connection each. */
    Http2Connections http2() {
        return h2;
    }

    /** Adds the TLS handler to a new connection's pipeline, when the pool uses TLS. */
    void addTls(ChannelPipeline p) {
        SslContext t = tls;
        if (t != null) {
            p.addLast("tls", t.newHandler(p.channel().alloc()));
        }
    }

    /** Connections this pool opened over HTTP/2 so far, and the server's stream limit: for reports. */
    public Map<String, Object> http2Stats() {
        return h2 == null ? Map.of() : h2.stats();
    }

    /** Turns on {@link #gapMode}. */
    public ClientPool gapMode(boolean on) {
        this.gapMode = on;
        return this;
    }

    void onCloseFrame(ClientSession s, int code) {
        if (gapMode && (code == 4101 || code == 4102)) {
            s.gap = code;
            gaps.add(new GapEvent(s.user, code, io.lasthop.bench.EpochMicros.now()));
        }
    }

    /** After a socket closed: a session told of a gap starts anew, once. */
    void afterClose(ClientSession s) {
        if (s.gap == 0 || stopped) {
            return;
        }
        open(s.user, s.transport(), "").whenComplete((ns, e) -> {
            if (e == null) {
                reopened.add(new GapEvent(s.user, 0, io.lasthop.bench.EpochMicros.now()));
            } else {
                reopenFailures.increment();
            }
        });
    }

    /** The JS client's de-duplication by message id, per user (its client object outlives its sessions). */
    void dedupe(String user, int phase, long n, boolean first) {
        long key = ((long) phase << 40) | n;
        java.util.LinkedHashSet<Long> w = windows.computeIfAbsent(user, u -> new java.util.LinkedHashSet<>());
        synchronized (w) {
            if (!first) {
                if (w.contains(key)) {
                    droppedDuplicates.increment();
                } else {
                    shownDuplicates.increment();
                }
            }
            if (w.add(key) && w.size() > DEDUPE_WINDOW) {
                var it = w.iterator();
                it.next();
                it.remove();
            }
        }
    }

    public ClientStats stats() {
        return stats;
    }

    public boolean epoll() {
        return epoll;
    }

    /** One of this pool's event loops, in turn. */
    EventLoop nextLoop() {
        return group.next();
    }

    InetSocketAddress remote() {
        return remote;
    }

    String hostHeader() {
        return host + ":" + port;
    }

    Bootstrap bootstrap(EventLoop loop, ChannelInitializer<Channel> init) {
        Bootstrap b = new Bootstrap()
                .group(loop == null ? group : loop)
                .channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(init);
        if (epoll && sources.spread()) {
            // Let connect() pick the port per destination, so one source address serves its
            // ~28k ports to every destination instead of reserving each port at bind time.
            b.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
        }
        return b;
    }

    /**
     * For Web-STOMP: the queue each user subscribes to, and a step run before each connect (the
     * queue's declaration), counted in the connect time.
     */
    private Function<String, String> stompQueue;

    private Function<String, CompletableFuture<Void>> prepare;

    public ClientPool stomp(
            Function<String, String> queueOfUser, Function<String, CompletableFuture<Void>> beforeConnect) {
        this.stompQueue = queueOfUser;
        this.prepare = beforeConnect;
        return this;
    }

    /** Opens one session; completes at its {@code hello} (Web-STOMP: at its subscription's receipt). */
    public CompletableFuture<ClientSession> open(String user, Transport transport) {
        if (prepare != null) {
            return prepare.apply(user).thenCompose(v -> connect(user, transport, ""));
        }
        return connect(user, transport, "");
    }

    /**
     * Opens one session, or resumes one: {@code resume} is empty for a new session, else the query
     * parameters naming the session to resume ({@link ClientSession#resumeQuery()}).
     */
    CompletableFuture<ClientSession> open(String user, Transport transport, String resume) {
        return connect(user, transport, resume);
    }

    /**
     * @param resume empty for a new session, else the query parameters naming the session to
     *               resume ({@link ClientSession#resumeQuery()})
     */
    private CompletableFuture<ClientSession> connect(String user, Transport transport, String resume) {
        if (transport == Transport.STOMP) {
            return connectStomp(user);
        }
        String token = Tokens.mint(secret, user, tokenTtl, subscribeGrants);
        long k = connections.getAndAdd(transport.socketsPerSession());
        InetAddress local = sources.address(k);
        ClientSession s =
                switch (transport) {
                    case WEBSOCKET -> new WebSocketSession(this, user, token);
                    case SSE -> new SseSession(this, user, token, local);
                    case STREAM -> new StreamSession(this, user, token, local);
                    case POLL -> new PollSession(this, user, token);
                    case STOMP -> throw new IllegalStateException("web-stomp sessions open through connectStomp");
                };
        s.resume = resume;
        if (h2 != null && (transport == Transport.SSE || transport == Transport.STREAM)) {
            return h2.start(s, "no hello");
        }
        return start(s, local, "no hello");
    }

    private CompletableFuture<ClientSession> connectStomp(String user) {
        long k = connections.getAndAdd(1);
        InetAddress local = sources.address(k);
        return start(new StompSession(this, user, stompQueue.apply(user)), local, "not subscribed");
    }

    /** Fails the session unless it is ready within the hello timeout. */
    void helloTimeout(ClientSession s, String notReady) {
        s.channel
                .eventLoop()
                .schedule(
                        () -> {
                            if (!s.ready.isDone()) {
                                s.fail(notReady + " within " + HELLO_TIMEOUT_MS + " ms");
                                s.channel.close();
                            }
                        },
                        HELLO_TIMEOUT_MS,
                        TimeUnit.MILLISECONDS);
    }

    /** Tracks a session until it closes. */
    void track(ClientSession s) {
        live.add(s);
    }

    /** Connects the session's first socket; fails it unless it is ready within the hello timeout. */
    private CompletableFuture<ClientSession> start(ClientSession s, InetAddress local, String notReady) {
        ChannelInitializer<Channel> init = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new ByteCounter(stats));
                addTls(ch.pipeline());
                s.initPipeline(ch.pipeline());
            }
        };
        live.add(s);
        ChannelFuture cf =
                bootstrap(null, init).connect(remote, local == null ? null : new InetSocketAddress(local, 0));
        s.channel = cf.channel();
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                s.fail("connect: " + describe(f.cause()));
                forget(s);
                return;
            }
            s.connected();
            helloTimeout(s, notReady);
        });
        return s.ready;
    }

    void forget(ClientSession s) {
        live.remove(s);
    }

    /** Sessions currently open (hello received, not closed). */
    public List<ClientSession> sessions() {
        List<ClientSession> out = new ArrayList<>();
        for (ClientSession s : live) {
            if (s.ready.isDone() && !s.ready.isCompletedExceptionally()) {
                out.add(s);
            }
        }
        return out;
    }

    /** Names of the broker queues of the open sessions, for cleanup. */
    public List<String> sessionQueues() {
        List<String> out = new ArrayList<>();
        for (ClientSession s : sessions()) {
            if (s.sessionId != null) {
                out.add(io.lasthop.protocol.AmqpNames.sessionQueue(s.user, s.sessionId));
            }
        }
        return out;
    }

    /**
     * Opens a session for every user, at most {@code concurrency} handshakes in flight, within
     * {@code timeout}. Users not started by then count as not started.
     */
    public ConnectReport connectAll(List<String> users, Transport transport, int concurrency, Duration timeout)
            throws InterruptedException {
        return InFlight.run(users, concurrency, timeout, user -> open(user, transport));
    }

    /**
     * Drops every open session at once, as a network loss would (no close handshake), and keeps
     * what each needs to resume. Returns how many were dropped.
     */
    public int dropAll(Duration timeout) {
        List<ClientSession> open = sessions();
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (ClientSession s : open) {
            closing.add(s.drop());
        }
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // the sockets close anyway; the resume counts what came back
        }
        synchronized (dropped) {
            dropped.addAll(open);
        }
        return open.size();
    }

    /**
     * Resumes every dropped session at once (at most {@code concurrency} handshakes in flight). A
     * session the edge could not resume, and replaced by a new one, counts as a failure.
     */
    public ConnectReport resumeAll(int concurrency, Duration timeout) throws InterruptedException {
        List<ClientSession> todo;
        synchronized (dropped) {
            todo = new ArrayList<>(dropped);
            dropped.clear();
        }
        return InFlight.run(todo, concurrency, timeout, old -> connect(old.user, old.transport(), old.resumeQuery())
                .thenCompose(s -> s.resumed
                        ? CompletableFuture.completedFuture(s)
                        : CompletableFuture.failedFuture(
                                new IOException("not resumed: the edge started a new session"))));
    }

    /**
     * Subscribes each subscriber's open session to its topic: at most {@code concurrency}
     * {@code sub} requests in flight, within {@code timeout}. The report's "opened" counts the
     * {@code ok} answers; its failures are by error code, or say why no answer came.
     */
    public ConnectReport subscribeAll(List<Fanout.Subscriber> subscribers, int concurrency, Duration timeout)
            throws InterruptedException {
        Map<String, ClientSession> byUser = new HashMap<>();
        for (ClientSession s : sessions()) {
            byUser.put(s.user, s);
        }
        return InFlight.run(subscribers, concurrency, timeout, sub -> {
            ClientSession s = byUser.get(sub.user());
            if (s == null) {
                return CompletableFuture.failedFuture(new IOException("no open session"));
            }
            return CompletableFuture.supplyAsync(() -> s.subscribe(sub), s.channel.eventLoop())
                    .thenCompose(f -> f);
        });
    }

    /** Closes every session, as leaving browsers would, and waits for the sockets to close. */
    public int closeAll(Duration timeout) {
        stopped = true;
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (ClientSession s : new ArrayList<>(live)) {
            closing.add(s.close());
        }
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // counted below
        }
        if (h2 != null) {
            h2.closeAll();
        }
        return (int) closing.stream().filter(f -> !f.isDone()).count();
    }

    static String describe(Throwable e) {
        while (e.getCause() != null
                && (e instanceof java.util.concurrent.CompletionException
                        || e instanceof java.util.concurrent.ExecutionException)) {
            e = e.getCause();
        }
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        // Keep reasons countable: drop addresses and ports.
        m = m.replaceAll("/?127\\.\\d+\\.\\d+\\.\\d+(:\\d+)?", "<loopback>");
        return m.length() > 120 ? m.substring(0, 120) : m;
    }

    @Override
    public void close() {
        closeAll(Duration.ofSeconds(10));
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
