package io.lasthop.edge.session;

import io.lasthop.edge.amqp.BrokerConnections;
import io.lasthop.edge.amqp.ControlPlane;
import io.lasthop.protocol.ClientFrameDecoder;
import io.lasthop.protocol.FrameException;
import java.nio.charset.StandardCharsets;
import io.lasthop.edge.amqp.SessionLink;
import io.lasthop.edge.amqp.SessionQueues;
import io.lasthop.edge.auth.Principal;
import io.lasthop.edge.amqp.Publisher;
import io.lasthop.edge.auth.ReplyTokens;
import io.lasthop.edge.auth.TokenVerifier;
import io.lasthop.edge.config.EdgeConfig;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.metrics.EdgeMetrics;
import io.lasthop.protocol.AmqpNames;
import io.lasthop.protocol.CloseCode;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens, finds and recovers this node's sessions. The only state is the set of sessions connected
 * here, keyed by queue name; everything that outlives a connection lives in the broker.
 */
public final class SessionManager {
    private static final Logger log = LoggerFactory.getLogger(SessionManager.class);
    private static final long RECOVERY_TICK_MS = 100;

    /** Per-session limits on what a browser sends. */
    public record Limits(int rate, int burst, int maxBytes, int maxSubscriptions) {
        public static Limits of(EdgeConfig config) {
            return new Limits(config.get(Settings.INBOUND_RATE), config.get(Settings.INBOUND_BURST),
                    config.get(Settings.INBOUND_MAX_BYTES), config.get(Settings.MAX_SUBSCRIPTIONS));
        }
    }

    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Session> toRecover = new ConcurrentLinkedQueue<>();
    private final BrokerConnections broker;
    private final SessionQueues queues;
    private final TokenVerifier tokens;
    private final ReplyTokens replyTokens;
    private final Publisher publisher;
    private final Limits limits;
    private final Presence presence;
    private final EdgeMetrics metrics;
    private final Executor amqpPool;
    private final String nodeId;
    private volatile ControlPlane control;
    private final long heartbeatMillis;
    private final long ackTimeoutNanos;
    private final long leewayMillis;
    private final int recoveriesPerTick;

    public SessionManager(EdgeConfig config, SessionQueues queues, BrokerConnections broker, Publisher publisher,
                          TokenVerifier tokens, ReplyTokens replyTokens, EdgeMetrics metrics, Executor amqpPool,
                          ScheduledExecutorService scheduler, String nodeId) {
        this.broker = broker;
        this.queues = queues;
        this.publisher = publisher;
        this.tokens = tokens;
        this.replyTokens = replyTokens;
        this.limits = Limits.of(config);
        this.presence = new Presence(publisher, nodeId, config.get(Settings.PRESENCE_EVENTS));
        this.metrics = metrics;
        this.amqpPool = amqpPool;
        this.nodeId = nodeId;
        this.heartbeatMillis = config.get(Settings.HEARTBEAT).toMillis();
        this.ackTimeoutNanos = config.get(Settings.ACK_TIMEOUT).toNanos();
        // Nimbus checks exp with whole seconds of leeway; the expiry timer uses the same.
        this.leewayMillis = config.get(Settings.JWT_LEEWAY).toSeconds() * 1000;
        this.recoveriesPerTick = Math.max(1, (int) (config.get(Settings.RECOVERY_RATE) * RECOVERY_TICK_MS / 1000));
        metrics.bindSessions(sessions::size);
        scheduler.scheduleWithFixedDelay(this::recoverSome, RECOVERY_TICK_MS, RECOVERY_TICK_MS, TimeUnit.MILLISECONDS);
    }

    public Session newSession(EventLoop loop, Principal principal) {
        return new Session(this, loop, principal);
    }

    /**
     * Attaches {@code s} to the broker: resumes {@code requestedId} if its queue still exists, else
     * starts a new session. A session of the same id connected here is closed first, and its
     * channel closed, so the queue's deliveries are requeued before this one consumes: in order.
     * Completes on an AMQP worker thread.
     */
    public CompletableFuture<Session> open(Session s, String requestedId) {
        CompletableFuture<Session> result = new CompletableFuture<>();
        CompletableFuture<Void> before = CompletableFuture.completedFuture(null);
        if (requestedId != null) {
            Session old = sessions.get(AmqpNames.sessionQueue(s.userId(), requestedId));
            if (old != null) {
                old.eventLoop().execute(() -> old.close(CloseCode.SESSION_TAKEN_OVER,
                        "another connection resumed this session"));
                before = old.released();
            }
        }
        before.whenComplete((v, e) -> s.amqp.execute(() -> attach(s, requestedId, result)));
        return result;
    }

    private void attach(Session s, String requestedId, CompletableFuture<Session> result) {
        try {
            SessionLink link = null;
            if (requestedId != null) {
                String queue = AmqpNames.sessionQueue(s.userId(), requestedId);
                try {
                    link = SessionLink.attach(broker, queues, s.amqp, s.userId(), queue, false, s);
                    s.sessionId = requestedId;
                    s.queue = queue;
                    s.resumed = true;
                } catch (SessionLink.SessionGoneException gone) {
                    log.debug("session {} of {} expired; starting a new one", requestedId, s.userId());
                }
            }
            if (link == null) {
                String id = AmqpNames.newSessionId();
                String queue = AmqpNames.sessionQueue(s.userId(), id);
                link = SessionLink.attach(broker, queues, s.amqp, s.userId(), queue, true, s);
                s.sessionId = id;
                s.queue = queue;
                s.resumed = false;
            }
            s.link = link;
            sessions.put(s.queue, s);
            result.complete(s);
        } catch (IOException | SessionLink.SessionGoneException | RuntimeException e) {
            result.completeExceptionally(e);
        }
    }

    /** Set once at start: where requests for sessions held by other nodes go. */
    public void bindControl(ControlPlane control) {
        this.control = control;
    }

    /**
     * Hands client frames to the node that holds the session (the one named by the client's last
     * hello, or every node when unknown): acks must reach the channel that holds the deliveries.
     */
    public void forward(String userId, String sessionId, String connection, String node, String framesJson) {
        control.send(node, new ControlPlane.Message("frames", AmqpNames.sessionQueue(userId, sessionId), connection,
                framesJson, control.nodeId()));
    }

    /**
     * Asks the node holding the session (or every node) to close it, so it can move here without
     * waiting for the old connection to time out. Closing its channel requeues in order and hands
     * the single active consumer to the one waiting here.
     *
     * @param connection the connection to release; null for whichever holds the session
     */
    public void release(String userId, String sessionId, String connection, String node) {
        control.send(node, new ControlPlane.Message("release", AmqpNames.sessionQueue(userId, sessionId), connection,
                null, control.nodeId()));
    }

    /** This node's id, as clients see it in hello. */
    public String node() {
        return nodeId;
    }

    /** A control message from another node, for a session that may be here. */
    public void onControl(ControlPlane.Message m) {
        Session s = sessions.get(m.queue());
        if (s == null) {
            return;
        }
        s.eventLoop().execute(() -> {
            if (m.connection() != null && !m.connection().equals(s.connectionId())) {
                return;
            }
            if (m.op().equals("frames") && m.frames() != null) {
                try {
                    s.onClientFrames(ClientFrameDecoder.decodeBatch(m.frames().getBytes(StandardCharsets.UTF_8)));
                } catch (FrameException e) {
                    log.debug("forwarded frames for {} unreadable: {}", m.queue(), e.getMessage());
                }
            } else if (m.op().equals("release")) {
                s.close(CloseCode.SESSION_TAKEN_OVER, "the session moved to node " + m.from());
            }
        });
    }

    /** The session connected here with this id, if it belongs to {@code userId}; else null. */
    public Session find(String userId, String sessionId) {
        return sessions.get(AmqpNames.sessionQueue(userId, sessionId));
    }

    /** Queues a session whose channel was lost, to re-attach at a paced rate once the broker is back. */
    void recover(Session s) {
        toRecover.add(s);
    }

    private void recoverSome() {
        if (!broker.ready()) {
            return;
        }
        for (int i = 0; i < recoveriesPerTick; i++) {
            Session s = toRecover.poll();
            if (s == null) {
                return;
            }
            if (!s.closed) {
                s.amqp.execute(() -> reattach(s));
            }
        }
    }

    private void reattach(Session s) {
        if (s.closed) {
            return;
        }
        try {
            s.link = SessionLink.attach(broker, queues, s.amqp, s.userId(), s.queue, false, s);
            s.eventLoop().execute(s::recovered);
        } catch (SessionLink.SessionGoneException gone) {
            s.eventLoop().execute(() -> s.close(CloseCode.SESSION_EXPIRED,
                    "the session's queue expired while the broker was unreachable"));
        } catch (IOException | RuntimeException e) {
            log.debug("re-attaching session {} failed, will retry: {}", s.id(), e.toString());
            toRecover.add(s);
        }
    }

    void unregister(Session s) {
        if (s.queue != null) {
            sessions.remove(s.queue, s);
        }
    }

    public int size() {
        return sessions.size();
    }

    /** Closes every session here, e.g. at shutdown; their deliveries are requeued. */
    public CompletableFuture<Void> closeAll(CloseCode code, String message) {
        return closeAll(code, message, 0);
    }

    /**
     * Closes every session here, each told to reconnect after a random delay below
     * {@code spreadMillis}, so they do not all land on the other nodes at once. Completes once
     * their channels are closed and their deliveries requeued.
     */
    public CompletableFuture<Void> closeAll(CloseCode code, String message, long spreadMillis) {
        List<CompletableFuture<Void>> released = new java.util.ArrayList<>();
        for (Session s : sessions.values()) {
            released.add(s.released());
            long delay = spreadMillis <= 0 ? 0 : java.util.concurrent.ThreadLocalRandom.current().nextLong(spreadMillis);
            s.eventLoop().execute(() -> s.close(code, message, delay));
        }
        return CompletableFuture.allOf(released.toArray(CompletableFuture[]::new));
    }

    EdgeMetrics metrics() {
        return metrics;
    }

    TokenVerifier tokens() {
        return tokens;
    }

    ReplyTokens replyTokens() {
        return replyTokens;
    }

    Publisher publisher() {
        return publisher;
    }

    Limits limits() {
        return limits;
    }

    Presence presence() {
        return presence;
    }

    Executor amqpPool() {
        return amqpPool;
    }

    String nodeId() {
        return nodeId;
    }

    long heartbeatMillis() {
        return heartbeatMillis;
    }

    long ackTimeoutNanos() {
        return ackTimeoutNanos;
    }

    long leewayMillis() {
        return leewayMillis;
    }

    int prefetch() {
        return queues.prefetch();
    }
}
