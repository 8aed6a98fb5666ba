package io.lasthop.bench.client;

import io.lasthop.bench.EpochMicros;
import io.lasthop.bench.Ledgers;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One browser-like session: reads frames, records messages in the ledger, acks like the real
 * client (see {@link AckBatcher}), answers pings. All methods run on the session's event loop.
 */
abstract class ClientSession {
    private static final ThreadLocal<FrameParser> PARSER = ThreadLocal.withInitial(FrameParser::new);
    private static final ThreadLocal<byte[][]> SCRATCH = ThreadLocal.withInitial(() -> new byte[][] {new byte[4096]});

    final ClientPool pool;
    final String user;
    final String token;
    final CompletableFuture<ClientSession> ready = new CompletableFuture<>();
    final AckBatcher acks = new AckBatcher();
    Channel channel;
    String sessionId;
    String connectionId;
    /** The latest {@code hello}'s node, URL-encoded for the queries that name it. */
    String node;
    volatile boolean closing;
    private ScheduledFuture<?> ackTimer;

    ClientSession(ClientPool pool, String user, String token) {
        this.pool = pool;
        this.user = user;
        this.token = token;
    }

    abstract Transport transport();

    /** Adds this session's handlers to its first connection's pipeline, after the byte counter. */
    abstract void initPipeline(ChannelPipeline p);

    /** The first connection is up: send what opens the session, if the handlers do not. */
    void connected() {
    }

    abstract void sendAck(long seq);

    abstract void sendPong();

    /** Closes the session as a leaving browser would; completes when its sockets are closed. */
    abstract CompletableFuture<Void> close();

    /** A WebSocket's close handshake, then the socket: what a leaving tab does. */
    final CompletableFuture<Void> closeWebSocket() {
        closing = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (channel == null) {
            done.complete(null);
            return done;
        }
        channel.closeFuture().addListener(f -> done.complete(null));
        if (channel.isActive()) {
            channel.writeAndFlush(new io.netty.handler.codec.http.websocketx.CloseWebSocketFrame(1000, "bye"))
                    .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
        return done;
    }

    /** This event loop's frame parser. */
    static FrameParser parser() {
        return PARSER.get();
    }

    /**
     * This event loop's scratch array of at least {@code len} bytes, for copying a direct buffer
     * out before parsing. Valid until the next call on this thread.
     */
    static byte[] scratch(int len) {
        byte[][] holder = SCRATCH.get();
        if (holder[0].length < len) {
            holder[0] = new byte[Math.max(len, holder[0].length * 2)];
        }
        return holder[0];
    }

    void onFrameBytes(ByteBuf buf) {
        int len = buf.readableBytes();
        if (buf.hasArray()) {
            onFrameBytes(buf.array(), buf.arrayOffset() + buf.readerIndex(), len);
            return;
        }
        byte[] b = scratch(len);
        buf.getBytes(buf.readerIndex(), b, 0, len);
        onFrameBytes(b, 0, len);
    }

    void onFrameBytes(byte[] b, int off, int len) {
        ServerFrame f;
        try {
            f = PARSER.get().parse(b, off, len);
        } catch (IOException | RuntimeException e) {
            pool.stats.parseErrors.increment();
            return;
        }
        onFrame(f);
    }

    void onFrame(ServerFrame f) {
        switch (f.type) {
            case MSG -> onMessage(f);
            case HELLO -> {
                if (connectionId != null && !connectionId.equals(f.connection)) {
                    // A new connection of the session (a long-poll that started over): its
                    // deliveries count from seq 1 again.
                    pool.stats.connectionRestarts.increment();
                    cancelAckTimer();
                    acks.reset();
                }
                sessionId = f.session;
                connectionId = f.connection;
                node = f.node == null ? null : URLEncoder.encode(f.node, StandardCharsets.UTF_8);
                ready.complete(this);
            }
            case PING -> {
                sendPong();
                pool.stats.pingsAnswered.increment();
            }
            case CLOSE -> pool.stats.close(f.code, f.reason);
            case ERROR -> pool.stats.error("frame " + f.reason);
            default -> { }
        }
    }

    private void onMessage(ServerFrame f) {
        delivered(f.idPhase, f.idNumber, f.sentUs, f.redelivered, f.seq);
    }

    /** One delivery decoded: record it, then ack like the real client. */
    void delivered(int idPhase, long idNumber, long sentUs, boolean redelivered, long seq) {
        long now = EpochMicros.now();
        pool.stats.messages.increment();
        if (redelivered) {
            pool.stats.redelivered.increment();
        }
        pool.ledgers.record(idPhase, idNumber, sentUs, now);
        switch (acks.onMessage(seq)) {
            case ACK_NOW -> {
                cancelAckTimer();
                ack(acks.take());
            }
            case ARM_TIMER -> ackTimer = channel.eventLoop().schedule(() -> {
                ackTimer = null;
                ack(acks.onTimer());
            }, pool.ackDelayMs, TimeUnit.MILLISECONDS);
            case NONE -> { }
        }
    }

    /**
     * Acks now what the batcher holds back, as the JS client does once it has handled a
     * long-poll answer: the ack then rides in the next poll instead of waiting for the timer.
     */
    void flushAcks() {
        cancelAckTimer();
        ack(acks.take());
    }

    private void cancelAckTimer() {
        if (ackTimer != null) {
            ackTimer.cancel(false);
            ackTimer = null;
        }
    }

    private void ack(long seq) {
        if (seq > 0 && !closing) {
            sendAck(seq);
            pool.stats.acksSent.increment();
        }
    }

    /** The socket closed: a failed connect, or a session lost while open. */
    void onClosed(String why) {
        if (!ready.isDone()) {
            ready.completeExceptionally(new IOException(why));
        } else if (!closing) {
            pool.stats.unexpectedDisconnects.increment();
        }
        pool.forget(this);
    }

    void fail(String why) {
        if (!ready.isDone()) {
            ready.completeExceptionally(new IOException(why));
        }
    }
}
