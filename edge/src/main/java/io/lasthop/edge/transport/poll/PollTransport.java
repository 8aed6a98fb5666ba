package io.lasthop.edge.transport.poll;

import io.lasthop.edge.http.HttpResponses;
import io.lasthop.edge.metrics.EdgeMetrics;
import io.lasthop.edge.session.Session;
import io.lasthop.edge.session.SessionRegistry;
import io.lasthop.edge.session.Transport;
import io.lasthop.edge.transport.SessionOpener;
import io.lasthop.edge.transport.TransportRoute;
import io.lasthop.protocol.CloseCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Long-polling (Pushpin's "response hold"): frames queue here between requests; a poll that finds
 * frames is answered at once with all of them as a JSON array, else it is held until one arrives
 * or the poll timeout passes. The session outlives single requests: it ends when no poll comes for
 * the linger time after an answer. Event-loop confined to the session's loop.
 */
public final class PollTransport implements Transport {
    public static final String NAME = "poll";
    public static final String PATH = "/lasthop/poll";
    /** Frames held for the next poll before delivery pauses, in bytes: well below connection.max.output.bytes. */
    static final int MAX_QUEUED_BYTES = 512 << 10;
    /** Unused capacity a queued frame may keep. */
    private static final int SLACK_BYTES = 64;

    /** The session a long-poll serves, as the transport sees it. */
    interface Owner {
        EventLoop eventLoop();

        /** The session's queue, which with the connection's id names its farewell. */
        String queue();

        /** The connection's id; null before hello. */
        String connectionId();

        /** An answer made room for more frames. */
        void writabilityChanged();

        /** No poll came within the linger time after an answer: the connection is gone. */
        void lingerExpired();
    }

    private final Owner session;
    private final long timeoutMillis;
    private final long lingerMillis;
    private final ArrayDeque<ByteBuf> queued = new ArrayDeque<>();
    private int queuedBytes;
    private ChannelHandlerContext held;
    private boolean heldKeepAlive;
    private int answerAt = 1;
    private volatile long answers;
    private ScheduledFuture<?> pollTimer;
    private ScheduledFuture<?> lingerTimer;
    private boolean closed;

    private final Farewells farewells;
    private final LongAdder pending;

    /** @param pending what every long-poll connection of the node holds, in bytes */
    PollTransport(Owner session, long timeoutMillis, long lingerMillis, Farewells farewells, LongAdder pending) {
        this.session = session;
        this.farewells = farewells;
        this.pending = pending;
        this.timeoutMillis = timeoutMillis;
        this.lingerMillis = lingerMillis;
    }

    /**
     * {@code GET|POST /lasthop/poll}.
     *
     * @param timeoutMillis how long a poll is held when nothing waits
     * @param lingerMillis  how long the session outlives an answer that no poll followed
     */
    public static TransportRoute route(
            SessionOpener opener,
            SessionRegistry sessions,
            EdgeMetrics metrics,
            long timeoutMillis,
            long lingerMillis) {
        return new TransportRoute(
                NAME, PATH, new PollEndpoint(opener, sessions, metrics.pollQueuedBytes(), timeoutMillis, lingerMillis));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean unidirectional() {
        return true;
    }

    @Override
    public boolean wantsPings() {
        return false;
    }

    @Override
    public ByteBufAllocator alloc() {
        return ByteBufAllocator.DEFAULT;
    }

    @Override
    public boolean isWritable() {
        return queuedBytes < MAX_QUEUED_BYTES;
    }

    @Override
    public long pendingBytes() {
        return queuedBytes;
    }

    @Override
    public void write(ByteBuf json) {
        if (closed) {
            json.release();
            return;
        }
        if (json.capacity() > json.readableBytes() + SLACK_BYTES) {
            // A frame waits here until the next poll, maybe many of them: not in a buffer sized for
            // whatever frame, as encoding makes them (a 12-byte pong in 256 bytes).
            ByteBuf exact = alloc().buffer(json.readableBytes(), json.readableBytes());
            exact.writeBytes(json);
            json.release();
            json = exact;
        }
        queued.add(json);
        queuedBytes += json.capacity();
        pending.add(json.capacity());
    }

    @Override
    public void flush() {
        if (held != null && queued.size() >= answerAt) {
            answer();
        }
    }

    @Override
    public void close(CloseCode code, ByteBuf closeFrame) {
        if (closeFrame != null) {
            write(closeFrame);
        }
        closed = true;
        cancel(lingerTimer);
        if (held != null) {
            answer();
        } else {
            if (closeFrame != null && session.connectionId() != null) {
                ByteBuf last = queued.peekLast();
                farewells.put(session.queue(), session.connectionId(), ByteBufUtil.getBytes(last));
            }
            releaseQueued();
        }
    }

    /** How many polls this connection answered; each answer names its number in {@link #ANSWER_HEADER}. */
    public long answers() {
        return answers;
    }

    /** Header of every answer: its number on this connection, which the next poll names back. */
    public static final String ANSWER_HEADER = "X-Lasthop-Answer";

    /**
     * Holds a poll request: answered now if frames wait, else when one arrives or at the timeout.
     * A poll already held is answered first, with what there is: a client has one poll in flight.
     */
    public void hold(ChannelHandlerContext ctx, boolean keepAlive) {
        hold(ctx, keepAlive, 1);
    }

    /**
     * Holds until {@code frames} frames wait. A session that just moved here holds its first poll
     * for more than its hello: answering with the hello alone would send the client on to the next
     * node before any delivery, and polls alternating between nodes would never see one.
     */
    public void hold(ChannelHandlerContext ctx, boolean keepAlive, int frames) {
        if (held != null) {
            answer();
        }
        cancel(lingerTimer);
        held = ctx;
        heldKeepAlive = keepAlive;
        answerAt = frames;
        if (queued.size() >= frames || closed) {
            answer();
            return;
        }
        pollTimer = session.eventLoop().schedule(this::answer, timeoutMillis, TimeUnit.MILLISECONDS);
        ctx.channel().closeFuture().addListener(f -> session.eventLoop().execute(() -> {
            if (held == ctx) {
                held = null;
                cancel(pollTimer);
                linger();
            }
        }));
    }

    private void answer() {
        ChannelHandlerContext ctx = held;
        if (ctx == null) {
            return;
        }
        held = null;
        answerAt = 1;
        cancel(pollTimer);
        CompositeByteBuf body = ctx.alloc().compositeBuffer(queued.size() * 2 + 2);
        body.addComponent(true, Unpooled.wrappedBuffer(OPEN));
        boolean first = true;
        for (ByteBuf frame; (frame = queued.poll()) != null; ) {
            if (!first) {
                body.addComponent(true, Unpooled.wrappedBuffer(COMMA));
            }
            body.addComponent(true, frame);
            first = false;
        }
        body.addComponent(true, Unpooled.wrappedBuffer(CLOSE));
        pending.add(-queuedBytes);
        queuedBytes = 0;
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        res.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .set(ANSWER_HEADER, Long.toString(++answers));
        HttpUtil.setContentLength(res, body.readableBytes());
        HttpResponses.send(ctx, heldKeepAlive, res);
        if (!closed) {
            linger();
            session.writabilityChanged();
        }
    }

    private void linger() {
        cancel(lingerTimer);
        lingerTimer = session.eventLoop()
                .schedule(
                        () -> {
                            if (held == null && !closed) {
                                session.lingerExpired();
                            }
                        },
                        lingerMillis,
                        TimeUnit.MILLISECONDS);
    }

    private void releaseQueued() {
        for (ByteBuf b; (b = queued.poll()) != null; ) {
            b.release();
        }
        pending.add(-queuedBytes);
        queuedBytes = 0;
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    /** {@code s} as its long-poll transport sees it. */
    static Owner ownedBy(Session s) {
        return new Owner() {
            @Override
            public EventLoop eventLoop() {
                return s.eventLoop();
            }

            @Override
            public String queue() {
                return s.queue();
            }

            @Override
            public String connectionId() {
                return s.connectionId();
            }

            @Override
            public void writabilityChanged() {
                s.writabilityChanged();
            }

            @Override
            public void lingerExpired() {
                s.close(null, null);
            }
        };
    }

    private static final byte[] OPEN = {'['};
    private static final byte[] COMMA = {','};
    private static final byte[] CLOSE = {']'};
}
