package io.lasthop.edge.server;

import io.lasthop.edge.amqp.BrokerConnections;
import io.lasthop.edge.amqp.BrokerEndpoint;
import io.lasthop.edge.amqp.Publisher;
import io.lasthop.edge.amqp.SessionQueueSettings;
import io.lasthop.edge.amqp.Topology;
import io.lasthop.edge.auth.DevTokens;
import io.lasthop.edge.auth.ReplyTokens;
import io.lasthop.edge.auth.Revocations;
import io.lasthop.edge.auth.TokenVerifier;
import io.lasthop.edge.cluster.SessionRouter;
import io.lasthop.edge.config.EdgeConfig;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.demo.DemoServices;
import io.lasthop.edge.http.Cors;
import io.lasthop.edge.http.Endpoint;
import io.lasthop.edge.http.HttpResponses;
import io.lasthop.edge.http.OriginPolicy;
import io.lasthop.edge.metrics.EdgeMetrics;
import io.lasthop.edge.session.FloodPenalties;
import io.lasthop.edge.session.Presence;
import io.lasthop.edge.session.SessionAttacher;
import io.lasthop.edge.session.SessionContext;
import io.lasthop.edge.session.SessionRegistry;
import io.lasthop.edge.session.SessionSettings;
import io.lasthop.edge.transport.FramesEndpoint;
import io.lasthop.edge.transport.SessionAdmission;
import io.lasthop.edge.transport.SessionOpener;
import io.lasthop.edge.transport.TransportRoute;
import io.lasthop.edge.transport.poll.PollTransport;
import io.lasthop.edge.transport.sse.SseTransport;
import io.lasthop.edge.transport.stream.StreamTransport;
import io.lasthop.edge.transport.websocket.WebSocketTransport;
import io.lasthop.protocol.CloseCode;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One edge node: the HTTP listener, its broker connections and its sessions. About 300 lines because
 * it is the node's wiring: what is built in which order, and closed in the reverse order, reads in one
 * place; each part it wires lives in its own package.
 */
public final class EdgeServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EdgeServer.class);
    /** Session connections held however few sessions there are, with amqp.connections at 0. */
    private static final int AUTO_MIN_AMQP_CONNECTIONS = 2;
    /** How often the TLS certificate files are checked for a change; SIGHUP reloads at once. */
    private static final long TLS_RELOAD_SECONDS = 10;
    /** Connections the management listener takes at once: operators and scrapers, not browsers. */
    private static final int MANAGEMENT_CONNECTIONS = 64;

    private final EdgeConfig config;
    private final String nodeId;
    private final byte[] devSecret;
    private final EdgeMetrics metrics = new EdgeMetrics();
    private final EventLoops loops = new EventLoops();
    private final ExecutorService amqpPool;
    private final ScheduledExecutorService scheduler;
    private final BrokerConnections broker;
    private final Publisher publisher;
    private final TokenVerifier tokens;
    private final Revocations revocations;
    private final SessionRegistry sessions = new SessionRegistry();
    private final FloodPenalties floodPenalties;
    private final SessionAttacher attacher;
    private final SessionRouter router;
    private volatile Channel listener;
    private volatile Channel management;
    private volatile boolean draining;
    private final ReloadingSslContext tls;
    private DemoServices demo;

    public EdgeServer(EdgeConfig config) {
        this.config = config;
        String id = config.get(Settings.NODE_ID);
        this.nodeId = id != null && !id.isEmpty()
                ? id
                : "edge-" + UUID.randomUUID().toString().substring(0, 8);
        byte[] secret = signingSecret(config);
        this.devSecret = config.get(Settings.DEV) ? secret : null;
        this.tokens = TokenVerifier.fromConfig(config, secret);
        this.revocations = new Revocations(config.get(Settings.REVOCATION_RETENTION), Clock.systemUTC());
        this.tls = tls(config);
        SessionQueueSettings queues = new SessionQueueSettings(config);
        if (config.get(Settings.CORS_CREDENTIALS)
                && config.get(Settings.CORS_ORIGINS).contains("*")) {
            throw new IllegalArgumentException("cors.origins=* with cors.credentials=true would let any site "
                    + "make credentialed requests; list the origins instead");
        }
        amqpPool = Executors.newFixedThreadPool(
                config.get(Settings.AMQP_WORKER_THREADS), new DefaultThreadFactory("lasthop-amqp-call", true));
        scheduler = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("lasthop-broker", true));
        BrokerEndpoint endpoint = BrokerEndpoint.of(config);
        int fixed = config.get(Settings.AMQP_CONNECTIONS);
        broker = new BrokerConnections(
                endpoint,
                fixed > 0 ? fixed : AUTO_MIN_AMQP_CONNECTIONS,
                fixed > 0 ? 0 : ConnectionLimits.maxConnections(config),
                nodeId,
                new Topology(),
                scheduler);
        publisher = new Publisher(endpoint, nodeId, scheduler);
        ReplyTokens replyTokens = ReplyTokens.fromConfig(config, secret);
        floodPenalties = new FloodPenalties(config.get(Settings.FLOOD_PENALTY));
        SessionContext context = new SessionContext(
                nodeId,
                SessionSettings.of(config),
                metrics,
                tokens,
                revocations,
                replyTokens,
                publisher,
                new Presence(publisher, nodeId, config.get(Settings.PRESENCE_EVENTS)),
                floodPenalties,
                amqpPool);
        attacher =
                new SessionAttacher(context, sessions, broker, queues, scheduler, config.get(Settings.RECOVERY_RATE));
        router = new SessionRouter(sessions, attacher, revocations, nodeId, endpoint, scheduler);
        metrics.bindSessions(sessions::size);
        metrics.bindBrokerState(this::brokerConnected);
        metrics.bindBrokerConnections(broker::connections, broker::refusals, broker::connectFailures);
        metrics.bindReadiness(this::ready);
    }

    /** The TLS listener's certificate and key, or null for plain HTTP. */
    private static ReloadingSslContext tls(EdgeConfig config) {
        String cert = config.get(Settings.TLS_CERT_FILE);
        String key = config.get(Settings.TLS_KEY_FILE);
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException(
                    "TLS needs both " + Settings.TLS_CERT_FILE.env() + " and " + Settings.TLS_KEY_FILE.env());
        }
        return cert == null ? null : ReloadingSslContext.load(Path.of(cert), Path.of(key));
    }

    /**
     * The HMAC secret tokens are verified with: the configured one, the public dev secret in dev mode,
     * or null when only public keys (jwt.jwks.url, jwt.public.keys) verify them. Refuses, before any
     * thread starts, a configuration with no way to verify a token or to sign reply tokens.
     */
    private static byte[] signingSecret(EdgeConfig config) {
        String secret = config.get(Settings.JWT_HS256_SECRET);
        boolean dev = config.get(Settings.DEV);
        boolean hasSecret = secret != null && !secret.isEmpty();
        if (dev && hasSecret) {
            // /dev/token would mint real tokens for anyone.
            throw new IllegalArgumentException(
                    "dev mode signs with a public secret; unset " + Settings.JWT_HS256_SECRET.env() + " or drop --dev");
        }
        if (!dev && !hasSecret && !TokenVerifier.hasPublicKeys(config)) {
            throw new IllegalArgumentException("no key to verify tokens with: set " + Settings.JWT_HS256_SECRET.env()
                    + ", " + Settings.JWT_JWKS_URL.env() + " or " + Settings.JWT_PUBLIC_KEYS.env()
                    + " (or start with --dev for a local trial)");
        }
        byte[] bytes = TokenVerifier.secretBytes(dev ? DevTokens.DEV_SECRET : secret);
        ReplyTokens.key(config, bytes);
        return bytes;
    }

    public EdgeServer start() throws InterruptedException {
        broker.start();
        publisher.start();
        router.start();
        loops.measureDelay(metrics);
        int maxFrame = config.get(Settings.MAX_FRAME_BYTES);
        long requestTimeout = config.get(Settings.REQUEST_TIMEOUT).toNanos();
        OriginPolicy origins = new OriginPolicy(config.get(Settings.CORS_ORIGINS));
        Map<String, Endpoint> endpoints = clientEndpoints(origins, maxFrame);
        Map<String, Endpoint> ops = Map.of(
                "/healthz", OpsEndpoints.health(),
                "/readyz", OpsEndpoints.ready(this::ready, () -> draining ? "draining" : "broker not connected"),
                "/metrics", OpsEndpoints.metrics(metrics));
        int managementPort = config.get(Settings.MANAGEMENT_PORT);
        if (managementPort < 0) {
            endpoints.putAll(ops);
        } else {
            // Balancers check health on the client port; metrics are for the management listener only.
            endpoints.put("/healthz", ops.get("/healthz"));
            endpoints.put("/readyz", ops.get("/readyz"));
            management = loops.bind(
                    config.get(Settings.MANAGEMENT_HOST),
                    managementPort,
                    new EdgeChannelInitializer(
                            new HttpRouter(ops),
                            null,
                            maxFrame,
                            new ConnectionLimits(MANAGEMENT_CONNECTIONS, MANAGEMENT_CONNECTIONS),
                            metrics,
                            requestTimeout,
                            null,
                            false));
            log.info("node {} management listener on {}", nodeId, management.localAddress());
        }
        listener = loops.bind(
                config.get(Settings.HTTP_HOST),
                config.get(Settings.HTTP_PORT),
                new EdgeChannelInitializer(
                        new HttpRouter(endpoints),
                        Cors.config(
                                origins,
                                config.get(Settings.CORS_CREDENTIALS),
                                HttpHeaderNames.RETRY_AFTER,
                                PollTransport.ANSWER_HEADER),
                        maxFrame,
                        ConnectionLimits.of(config, metrics),
                        metrics,
                        requestTimeout,
                        tls,
                        config.get(Settings.WEBSOCKET_DEFLATE)));
        if (tls != null) {
            scheduler.scheduleWithFixedDelay(
                    () -> tls.reload(false), TLS_RELOAD_SECONDS, TLS_RELOAD_SECONDS, TimeUnit.SECONDS);
            Signals.onHangup(() -> scheduler.execute(() -> tls.reload(true)));
        }
        log.info("node {} listening on {}{}", nodeId, listener.localAddress(), tls == null ? "" : " (TLS)");
        return this;
    }

    /** The client listener's endpoints: the transports, POSTed frames, and in dev mode the demo. */
    private Map<String, Endpoint> clientEndpoints(OriginPolicy origins, int maxFrame) {
        SessionAdmission admission = new SessionAdmission(
                sessions,
                floodPenalties,
                metrics,
                config.get(Settings.MAX_SESSIONS_PER_USER),
                config.get(Settings.NEW_SESSION_RATE),
                config.get(Settings.NEW_SESSION_RATE_PER_ADDRESS));
        SessionOpener opener = new SessionOpener(
                attacher,
                router,
                admission,
                tokens,
                revocations,
                metrics,
                this::ready,
                config.get(Settings.TRUST_FORWARDED_FOR));
        Map<String, Endpoint> endpoints = new HashMap<>();
        for (TransportRoute t : List.of(
                WebSocketTransport.route(opener, origins, maxFrame, config.get(Settings.WEBSOCKET_DEFLATE)),
                SseTransport.route(opener),
                StreamTransport.route(opener),
                PollTransport.route(
                        opener,
                        sessions,
                        metrics,
                        config.get(Settings.POLL_TIMEOUT).toMillis(),
                        config.get(Settings.POLL_LINGER).toMillis()))) {
            endpoints.put(t.path(), t.endpoint());
            metrics.connections(t.name());
        }
        endpoints.put(FramesEndpoint.PATH, new FramesEndpoint(opener));
        endpoints.put("/favicon.ico", (ctx, req, q) -> HttpResponses.noContent(ctx, req));
        if (devSecret != null) {
            endpoints.put("/dev/token", OpsEndpoints.devToken(devSecret));
            Endpoint page = OpsEndpoints.resource("/demo/index.html", "text/html; charset=utf-8");
            endpoints.put("/demo", page);
            endpoints.put("/demo/", page);
            endpoints.put(
                    "/demo/lasthop.iife.min.js",
                    OpsEndpoints.resource("/demo/lasthop.iife.min.js", "text/javascript; charset=utf-8"));
            try {
                demo = DemoServices.start(config.get(Settings.AMQP_URI));
            } catch (Exception e) {
                log.warn("demo services not started ({}); /demo will show no ticker or chat", e.toString());
            }
        }
        return endpoints;
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The management listener's port, or -1 without one. */
    public int managementPort() {
        Channel m = management;
        return m == null ? -1 : ((InetSocketAddress) m.localAddress()).getPort();
    }

    public String nodeId() {
        return nodeId;
    }

    /** True while the broker is connected and the node takes new sessions. */
    public boolean ready() {
        return brokerConnected() && !draining;
    }

    /** True while every connection for sessions and the publisher's are open, and the topology declared. */
    private boolean brokerConnected() {
        return broker.ready() && publisher.connected();
    }

    /**
     * Leaves gracefully, as on SIGTERM: readiness goes false so balancers stop sending, new
     * sessions are refused, and every client is told to reconnect elsewhere after a jittered delay.
     * Closing their channels requeues their unacked deliveries. Returns once every session is gone
     * or {@code drain.timeout} has passed.
     */
    public void drain() {
        draining = true;
        long spread = config.get(Settings.DRAIN_SPREAD).toMillis();
        try {
            sessions.closeAll(CloseCode.GOING_AWAY, "this node is draining; reconnect, ideally to another node", spread)
                    .get(config.get(Settings.DRAIN_TIMEOUT).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            log.warn("drain deadline passed: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("node {} drained; {} session(s) left", nodeId, sessions.size());
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    public EdgeMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        for (Channel c : new Channel[] {listener, management}) {
            if (c != null) {
                c.close().syncUninterruptibly();
            }
        }
        sessions.closeAll(CloseCode.GOING_AWAY, "the node is shutting down");
        loops.close();
        amqpPool.shutdown();
        try {
            amqpPool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (demo != null) {
            demo.close();
        }
        publisher.close();
        router.close();
        broker.close();
        tokens.close();
        scheduler.shutdownNow();
    }
}
