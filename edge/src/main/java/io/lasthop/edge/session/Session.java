package io.lasthop.edge.session;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.LongString;
import com.rabbitmq.client.ShutdownSignalException;
import io.lasthop.edge.amqp.SerialExecutor;
import io.lasthop.edge.amqp.SessionLink;
import io.lasthop.edge.auth.AuthException;
import io.lasthop.edge.auth.Principal;
import io.lasthop.edge.transport.Transport;
import io.lasthop.protocol.AmqpNames;
import io.lasthop.protocol.ClientFrame;
import io.lasthop.protocol.ClientFrameDecoder;
import io.lasthop.protocol.CloseCode;
import io.lasthop.protocol.ErrorCode;
import io.lasthop.protocol.FrameException;
import io.lasthop.protocol.MessageFrame;
import io.lasthop.protocol.MessageIds;
import io.lasthop.protocol.ServerFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One client session on this node: the bridge between its AMQP channel and its connection.
 *
 * <p>Threading: all state below is confined to the connection's event loop. amqp-client calls the
 * {@link SessionLink.Handler} methods on its own threads; they only hand over to the event loop.
 * Blocking AMQP calls run on {@link #amqp}, this session's serial executor.
 *
 * <p>Flow control: the broker sends at most {@code prefetch} unacked deliveries, so {@link #unacked}
 * (which holds the frames not yet written while the socket is not writable) is bounded whatever
 * the client does.
 */
public final class Session implements SessionLink.Handler {
    enum State { OPENING, OPEN, CLOSED }

    private final SessionManager manager;
    private final EventLoop loop;
    private final String userId;
    final SerialExecutor amqp;
    private final CompletableFuture<Void> released = new CompletableFuture<>();

    // Written on the serial executor, before the open future completes or by recovery.
    volatile String sessionId;
    volatile String queue;
    volatile boolean resumed;
    volatile SessionLink link;
    volatile boolean closed;

    private volatile String connectionId;
    private Principal principal;
    private final SessionRequests requests;
    private State state = State.OPENING;
    private volatile Transport transport;
    private long nextSeq;
    private long lastWrittenSeq;
    private final ArrayDeque<Inflight> unacked = new ArrayDeque<>();
    private int unwritten;
    private boolean paused;
    private long lastInboundNanos = System.nanoTime();
    private ScheduledFuture<?> heartbeatTimer;
    private ScheduledFuture<?> tokenTimer;
    private ScheduledFuture<?> ackTimer;

    Session(SessionManager manager, EventLoop loop, Principal principal) {
        this.manager = manager;
        this.loop = loop;
        this.userId = principal.userId();
        this.principal = principal;
        this.amqp = new SerialExecutor(manager.amqpPool());
        this.requests = new SessionRequests(this, manager);
    }

    public String id() {
        return sessionId;
    }

    public String userId() {
        return userId;
    }

    public boolean resumed() {
        return resumed;
    }

    /** The transport this session writes to; null until attached. */
    public Transport transport() {
        return transport;
    }

    /** The id of the connection this session object serves; null until attached. */
    public String connectionId() {
        return connectionId;
    }

    public EventLoop eventLoop() {
        return loop;
    }

    /** The identity and rights of the newest token the client presented. Event loop only. */
    Principal principal() {
        return principal;
    }

    /** Completes once this session's AMQP channel is closed and its deliveries requeued. */
    CompletableFuture<Void> released() {
        return released;
    }

    // ---- connection side: event loop only ----

    /**
     * Starts sending on {@code t}: the hello frame, then whatever arrived while the connection was
     * being set up. The transport's channel must be open.
     */
    public void attach(Transport t) {
        assert loop.inEventLoop();
        if (state != State.OPENING) {
            t.close(null, null);
            return;
        }
        transport = t;
        connectionId = AmqpNames.newConnectionId();
        state = State.OPEN;
        manager.metrics().connections(t.name()).incrementAndGet();
        (resumed ? manager.metrics().sessionsResumed : manager.metrics().sessionsNew).increment();
        manager.presence().opened(this);
        transport.write(encode(out -> ServerFrames.writeHello(out, sessionId, connectionId, resumed, userId,
                manager.nodeId(), t.name(), manager.heartbeatMillis(), manager.prefetch())));
        writePending();
        transport.flush();
        long hb = manager.heartbeatMillis();
        heartbeatTimer = loop.scheduleAtFixedRate(this::heartbeat, hb, hb, TimeUnit.MILLISECONDS);
        scheduleTokenExpiry();
    }

    /** The client's socket became writable again (or not). */
    public void writabilityChanged() {
        if (state == State.OPEN && transport.isWritable()) {
            writePending();
            transport.flush();
        }
    }

    /** One frame as the client sent it, as JSON bytes. */
    public void onClientFrame(byte[] json) {
        lastInboundNanos = System.nanoTime();
        ClientFrame frame;
        try {
            frame = ClientFrameDecoder.decode(json);
        } catch (FrameException e) {
            sendError(e.code(), e.getMessage());
            return;
        }
        onClientFrames(List.of(frame));
    }

    /** Frames already decoded, e.g. from a POST. */
    public void onClientFrames(List<ClientFrame> frames) {
        lastInboundNanos = System.nanoTime();
        if (state != State.OPEN) {
            return;
        }
        for (ClientFrame f : frames) {
            if (f instanceof ClientFrame.Ack a) {
                ack(a.seq());
            } else if (f instanceof ClientFrame.Ping) {
                send(ServerFrames::writePong);
            } else if (f instanceof ClientFrame.Auth a) {
                refreshToken(a.token());
            } else if (f instanceof ClientFrame.Request r) {
                requests.handle(r);
            }
            if (state != State.OPEN) {
                return;
            }
        }
        transport.flush();
    }

    /** Any sign of life from the client, e.g. a WebSocket pong. */
    public void touch() {
        lastInboundNanos = System.nanoTime();
    }

    /** Answers request {@code ref} with {@code ok}. */
    void answerOk(long ref) {
        if (state == State.OPEN) {
            send(out -> ServerFrames.writeOk(out, ref));
            transport.flush();
        }
    }

    /** Answers request {@code ref} (none when negative) with an error. */
    void answerError(long ref, ErrorCode code, String message) {
        manager.metrics().clientError(code);
        if (state == State.OPEN) {
            send(out -> ServerFrames.writeError(out, ref, code, message));
            transport.flush();
        }
    }

    /** Reports an error to the client without closing. */
    public void sendError(ErrorCode code, String message) {
        answerError(-1, code, message);
    }

    /**
     * Ends the session on this node: tells the client why (unless {@code code} is null, when the
     * connection is already gone), then closes its AMQP channel, which requeues what it held.
     */
    public void close(CloseCode code, String message) {
        close(code, message, 0);
    }

    /** As {@link #close(CloseCode, String)}, telling the client to wait before reconnecting. */
    public void close(CloseCode code, String message, long reconnectAfterMillis) {
        assert loop.inEventLoop();
        if (state == State.CLOSED) {
            return;
        }
        boolean wasOpen = state == State.OPEN;
        state = State.CLOSED;
        closed = true;
        cancel(heartbeatTimer);
        cancel(tokenTimer);
        cancel(ackTimer);
        manager.metrics().acksPending(-(unacked.size() - unwritten));
        unacked.clear();
        unwritten = 0;
        if (wasOpen) {
            manager.presence().closed(this, code);
            manager.metrics().connections(transport.name()).decrementAndGet();
            if (code != null) {
                manager.metrics().closed(code);
                transport.close(code, encode(out -> ServerFrames.writeClose(out, code, message, reconnectAfterMillis)));
            } else {
                transport.close(null, null);
            }
        }
        // On the serial executor, so it runs after an attach that may still be under way.
        amqp.execute(() -> {
            SessionLink l = link;
            if (l != null) {
                l.close();
            }
            manager.unregister(this);
            released.complete(null);
        });
    }

    // ---- broker side: amqp-client threads hand over to the event loop ----

    @Override
    public void delivery(SessionLink from, long tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
        loop.execute(() -> onDelivery(from, tag, envelope, props, body));
    }

    @Override
    public void cancelled(SessionLink from) {
        loop.execute(() -> close(CloseCode.SESSION_EXPIRED, "the session's queue was deleted"));
    }

    @Override
    public void lost(SessionLink from, ShutdownSignalException cause) {
        loop.execute(() -> onLinkLost(from));
    }

    private void onDelivery(SessionLink from, long tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
        if (state == State.CLOSED || !from.alive()) {
            return; // the channel is closing or lost: the broker requeues this delivery
        }
        long seq = ++nextSeq;
        Long ts = props.getTimestamp() == null ? null : props.getTimestamp().getTime();
        String id = MessageIds.of(props.getMessageId(), envelope.getExchange(), envelope.getRoutingKey(), ts,
                props.getCorrelationId(), body);
        String replyToken = props.getReplyTo() == null ? null
                : manager.replyTokens().mint(userId, props.getReplyTo(), props.getCorrelationId());
        MessageFrame frame = new MessageFrame(seq, id, envelope.isRedeliver(), envelope.getExchange(),
                envelope.getRoutingKey(), props.getContentType(), props.getType(), ts, headers(props), body, replyToken);
        boolean first = unacked.isEmpty();
        unacked.add(new Inflight(seq, tag, from, System.nanoTime(), frame));
        unwritten++;
        if (first) {
            scheduleAckDeadline();
        }
        if (state == State.OPEN) {
            writePending();
            transport.flush();
        }
    }

    private void onLinkLost(SessionLink from) {
        if (state == State.CLOSED) {
            return;
        }
        // Everything the lost channel delivered is back in the queue and comes again, redelivered.
        dropDeliveriesOf(from);
        manager.recover(this);
    }

    void recovered() {
        manager.metrics().sessionRecoveries.increment();
    }

    // ---- internals ----

    private void writePending() {
        if (unwritten == 0) {
            return;
        }
        // Unwritten entries are the newest; skip to the oldest of them.
        int skip = unacked.size() - unwritten;
        Iterator<Inflight> it = unacked.iterator();
        for (int i = 0; i < skip; i++) {
            it.next();
        }
        long now = System.nanoTime();
        while (it.hasNext()) {
            if (!transport.isWritable()) {
                if (!paused) {
                    paused = true;
                    manager.metrics().backpressurePauses.increment();
                }
                return;
            }
            Inflight f = it.next();
            MessageFrame frame = f.frame;
            f.frame = null;
            f.writtenNanos = now;
            unwritten--;
            lastWrittenSeq = f.seq;
            transport.write(encode(out -> ServerFrames.writeMessage(out, frame)));
            manager.metrics().deliveries.increment();
            if (frame.redelivered()) {
                manager.metrics().redeliveries.increment();
            }
            manager.metrics().acksPending(1);
        }
        paused = false;
    }

    private void ack(long seq) {
        if (seq > lastWrittenSeq) {
            sendError(ErrorCode.UNKNOWN_DELIVERY, "no delivery " + seq + " was made on this connection (last is "
                    + lastWrittenSeq + ")");
            return;
        }
        Inflight last = null;
        int n = 0;
        long now = System.nanoTime();
        while (!unacked.isEmpty() && unacked.peekFirst().seq <= seq) {
            Inflight f = unacked.pollFirst();
            n++;
            if (f.link.alive()) {
                last = f;
            }
        }
        if (n == 0) {
            return; // acked before, or delivered by a lost channel and coming again
        }
        manager.metrics().acksPending(-n);
        manager.metrics().acked.increment(n);
        if (last != null) {
            manager.metrics().ackDelay.record((now - last.writtenNanos) / 1e9);
            // Safe with multiple=true: the channel is this session's alone.
            last.link.ack(last.tag);
        }
        cancel(ackTimer);
        ackTimer = null;
        if (!unacked.isEmpty()) {
            scheduleAckDeadline();
        }
    }

    private void dropDeliveriesOf(SessionLink dead) {
        int written = 0;
        for (Iterator<Inflight> it = unacked.iterator(); it.hasNext(); ) {
            Inflight f = it.next();
            if (f.link == dead) {
                it.remove();
                if (f.frame == null) {
                    written++;
                } else {
                    unwritten--;
                }
            }
        }
        manager.metrics().acksPending(-written);
        if (unacked.isEmpty()) {
            cancel(ackTimer);
            ackTimer = null;
        }
    }

    private void scheduleAckDeadline() {
        Inflight oldest = unacked.peekFirst();
        long deadline = oldest.arrivedNanos + manager.ackTimeoutNanos() - System.nanoTime();
        ackTimer = loop.schedule(this::checkAckDeadline, Math.max(deadline, 0), TimeUnit.NANOSECONDS);
    }

    private void checkAckDeadline() {
        ackTimer = null;
        Inflight oldest = unacked.peekFirst();
        if (state == State.CLOSED || oldest == null) {
            return;
        }
        if (System.nanoTime() - oldest.arrivedNanos >= manager.ackTimeoutNanos()) {
            close(CloseCode.ACK_TIMEOUT, "delivery " + oldest.seq + " was not acked within "
                    + manager.ackTimeoutNanos() / 1_000_000 + " ms; unacked deliveries were requeued");
        } else {
            scheduleAckDeadline();
        }
    }

    private void heartbeat() {
        if (state != State.OPEN) {
            return;
        }
        if (!transport.unidirectional()
                && System.nanoTime() - lastInboundNanos > 3 * manager.heartbeatMillis() * 1_000_000L) {
            close(CloseCode.HEARTBEAT_TIMEOUT, "nothing received for 3 heartbeat intervals");
            return;
        }
        if (transport.wantsPings()) {
            send(ServerFrames::writePing);
            transport.flush();
        }
    }

    private void refreshToken(String token) {
        Principal p;
        try {
            p = manager.tokens().verify(token);
        } catch (AuthException e) {
            manager.metrics().authFailure(e.code());
            sendError(e.code(), e.getMessage());
            return;
        }
        if (!p.userId().equals(userId)) {
            manager.metrics().authFailure(ErrorCode.TOKEN_INVALID);
            sendError(ErrorCode.TOKEN_INVALID, "the new token is for another subject; a connection keeps its user");
            return;
        }
        principal = p;
        cancel(tokenTimer);
        scheduleTokenExpiry();
        send(out -> ServerFrames.writeAuthOk(out, p.expiresAt().toEpochMilli()));
    }

    private void scheduleTokenExpiry() {
        long delay = principal.expiresAt().toEpochMilli() + manager.leewayMillis() - System.currentTimeMillis();
        tokenTimer = loop.schedule(() -> close(CloseCode.TOKEN_EXPIRED,
                "the token expired; reconnect with a fresh one, or send it in an auth frame before expiry"),
                Math.max(delay, 0), TimeUnit.MILLISECONDS);
    }

    private void send(FrameWriter writer) {
        transport.write(encode(writer));
    }

    private ByteBuf encode(FrameWriter writer) {
        ByteBuf buf = transport.alloc().buffer();
        try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
            writer.write(out);
        } catch (IOException e) {
            buf.release();
            throw new UncheckedIOException(e);
        }
        return buf;
    }

    private static Map<String, Object> headers(AMQP.BasicProperties props) {
        Map<String, Object> in = props.getHeaders();
        if (in == null || in.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : in.entrySet()) {
            Object v = e.getValue();
            if (v instanceof LongString ls) {
                out.put(e.getKey(), ls.toString());
            } else if (v instanceof String || v instanceof Number || v instanceof Boolean) {
                out.put(e.getKey(), v);
            }
        }
        return out;
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    @FunctionalInterface
    private interface FrameWriter {
        void write(OutputStream out) throws IOException;
    }
}
