package io.lasthop.edge.session;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import io.lasthop.edge.amqp.AmqpMessages;
import io.lasthop.edge.amqp.SessionLink;
import io.lasthop.edge.auth.Principal;
import io.lasthop.protocol.AmqpNames;
import io.lasthop.protocol.ClientFrame;
import io.lasthop.protocol.CloseCode;
import io.lasthop.protocol.ErrorCode;
import io.lasthop.protocol.ServerFrames;
import io.netty.channel.EventLoop;
import java.util.List;

/**
 * One client session on this node: the bridge between its AMQP channel and its connection, and the
 * state machine OPENING → OPEN → CLOSED. Deliveries wait in its {@link Outbox}; requests go through
 * {@link SessionRequests}.
 *
 * <p>Threading: all state is confined to the connection's event loop, except the broker side, its
 * {@link SessionBinding}, which the {@link SessionAttacher} sets on the session's serial executor,
 * where every blocking AMQP call of the session runs, in order.
 */
public final class Session {
    private enum State {
        OPENING,
        OPEN,
        CLOSED
    }

    private final SessionContext ctx;
    private final SessionAttacher attacher;
    private final EventLoop loop;
    private final String userId;
    private final SessionBinding binding;
    private final SessionRequests requests;
    private final Outbox outbox;
    private final Heartbeat heartbeat;
    private final SessionToken token;
    private volatile String connectionId;
    private volatile Transport transport;
    private volatile State state = State.OPENING;

    Session(SessionContext ctx, SessionAttacher attacher, EventLoop loop, Principal principal) {
        this.ctx = ctx;
        this.attacher = attacher;
        this.loop = loop;
        this.userId = principal.userId();
        this.binding = new SessionBinding(this, ctx.amqpPool());
        this.token = new SessionToken(this, ctx, loop, principal);
        this.requests = new SessionRequests(this, token, ctx);
        this.outbox = new Outbox(
                ctx.metrics(),
                loop,
                ctx.settings().ackTimeoutNanos(),
                message -> close(CloseCode.ACK_TIMEOUT, message));
        this.heartbeat = new Heartbeat(this, ctx.settings().heartbeatMillis());
    }

    public String id() {
        return binding.sessionId();
    }

    public String userId() {
        return userId;
    }

    /** This session's queue; null until attached. */
    public String queue() {
        return binding.queue();
    }

    public boolean resumed() {
        return binding.resumed();
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

    SessionBinding binding() {
        return binding;
    }

    boolean isOpen() {
        return state == State.OPEN;
    }

    boolean isClosed() {
        return state == State.CLOSED;
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
        ctx.metrics().attached(t.name(), resumed());
        ctx.presence().opened(this);
        SessionSettings s = ctx.settings();
        send(
                out -> ServerFrames.writeHello(
                        out,
                        id(),
                        connectionId,
                        resumed(),
                        userId,
                        ctx.nodeId(),
                        t.name(),
                        s.heartbeatMillis(),
                        s.prefetch()),
                false);
        outbox.writePending(transport);
        heartbeat.start(loop);
        token.scheduleExpiry();
    }

    /** The client's socket became writable again (or not). */
    public void writabilityChanged() {
        if (state == State.OPEN && transport.isWritable()) {
            outbox.writePending(transport);
        }
    }

    /** Frames from the client, decoded. */
    public void onClientFrames(List<ClientFrame> frames) {
        touch();
        if (state != State.OPEN) {
            return;
        }
        for (ClientFrame f : frames) {
            if (f instanceof ClientFrame.Ack a) {
                ack(a.seq());
            } else if (f instanceof ClientFrame.Ping && requests.mayAnswer()) {
                send(ServerFrames::writePong, false);
            } else if (f instanceof ClientFrame.Auth a && requests.mayAnswer()) {
                token.refresh(a.token());
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
        heartbeat.touch();
    }

    /** Reports an error to the client without closing: answering request {@code ref}, or none (-1). */
    public void sendError(long ref, ErrorCode code, String message) {
        requests.answerError(ref, code, message);
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
        heartbeat.cancel();
        token.cancel();
        outbox.clear();
        if (wasOpen) {
            ctx.presence().closed(this, code);
            ctx.metrics().detached(transport.name(), code);
            if (code != null) {
                transport.close(
                        code,
                        FrameWriter.encode(
                                transport.alloc(),
                                out -> ServerFrames.writeClose(out, code, message, reconnectAfterMillis)));
            } else {
                transport.close(null, null);
            }
        }
        binding.release(() -> attacher.released(this));
    }

    // ---- broker side, handed over to the event loop by the binding ----

    void onDelivery(SessionLink from, long tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
        if (state == State.CLOSED || !from.alive()) {
            return; // the channel is closing or lost: the broker requeues this delivery
        }
        String replyToken = props.getReplyTo() == null
                ? null
                : ctx.replyTokens().mint(userId, props.getReplyTo(), props.getCorrelationId());
        outbox.add(tag, from, AmqpMessages.toFrame(outbox.nextSeq(), envelope, props, body, replyToken));
        if (state == State.OPEN) {
            outbox.writePending(transport);
        }
    }

    void onLinkLost(SessionLink from) {
        if (state == State.CLOSED) {
            return;
        }
        // Everything the lost channel delivered is back in the queue and comes again, redelivered.
        outbox.dropDeliveriesOf(from);
        if (from == binding.link()) {
            attacher.lost(this); // not for a channel already replaced: that would drop its successor
        }
    }

    // ---- internals ----

    private void ack(long seq) {
        if (!outbox.ack(seq)) {
            sendError(
                    -1,
                    ErrorCode.UNKNOWN_DELIVERY,
                    "no delivery " + seq + " was made on this connection (last is " + outbox.lastWrittenSeq() + ")");
        }
    }

    /**
     * Writes a frame, and flushes it when {@code flush}; closes the connection instead when the
     * client left more than the output bound unread. The session must be open.
     */
    void send(FrameWriter writer, boolean flush) {
        if (transport.pendingBytes() > ctx.settings().maxOutputBytes()) {
            ctx.metrics().refused("output_bound");
            close(
                    CloseCode.SLOW_CONSUMER,
                    "more than " + ctx.settings().maxOutputBytes()
                            + " bytes written to this connection were not read; unacked deliveries were requeued");
            return;
        }
        transport.write(FrameWriter.encode(transport.alloc(), writer));
        if (flush) {
            transport.flush();
        }
    }
}
