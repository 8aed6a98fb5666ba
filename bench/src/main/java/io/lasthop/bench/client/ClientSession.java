package io.lasthop.bench.client;

import io.lasthop.bench.EpochMicros;
import io.lasthop.bench.Ledgers;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
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
    String node;
    boolean resumed;
    volatile boolean closing;
    private ScheduledFuture<?> ackTimer;

    ClientSession(ClientPool pool, String user, String token) {
        this.pool = pool;
        this.user = user;
        this.token = token;
    }

    abstract Transport transport();

    abstract void sendAck(long seq);

    abstract void sendPong();

    /** Closes the session as a leaving browser would; completes when its sockets are closed. */
    abstract CompletableFuture<Void> close();

    /**
     * Drops the session as a lost network would: its sockets close with no close handshake, so the
     * edge keeps the session's queue for a resume. Completes when the sockets are closed.
     */
    CompletableFuture<Void> drop() {
        closing = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (channel == null) {
            done.complete(null);
        } else {
            channel.close().addListener(f -> done.complete(null));
        }
        return done;
    }

    /** The query that resumes this session on any node (PROTOCOL.md §2, §5). */
    String resumeQuery() {
        return "&session=" + sessionId + "&connection=" + connectionId + (node == null ? "" : "&node=" + node);
    }

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

    void onFrameBytes(ByteBuf buf) {
        int len = buf.readableBytes();
        if (buf.hasArray()) {
            onFrameBytes(buf.array(), buf.arrayOffset() + buf.readerIndex(), len);
            return;
        }
        byte[][] holder = SCRATCH.get();
        if (holder[0].length < len) {
            holder[0] = new byte[Math.max(len, holder[0].length * 2)];
        }
        buf.getBytes(buf.readerIndex(), holder[0], 0, len);
        onFrameBytes(holder[0], 0, len);
    }

    void onFrameBytes(byte[] b, int off, int len) {
        ServerFrame f;
        try {
            f = PARSER.get().parse(b, off, len);
        } catch (IOException | RuntimeException e) {
            pool.stats.parseErrors.increment();
            return;
        }
        switch (f.type) {
            case MSG -> onMessage(f);
            case HELLO -> {
                sessionId = f.session;
                connectionId = f.connection;
                node = f.node;
                resumed = f.resumed;
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
                if (ackTimer != null) {
                    ackTimer.cancel(false);
                    ackTimer = null;
                }
                ack(acks.take());
            }
            case ARM_TIMER -> ackTimer = channel.eventLoop().schedule(() -> {
                ackTimer = null;
                ack(acks.onTimer());
            }, pool.ackDelayMs, TimeUnit.MILLISECONDS);
            case NONE -> { }
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
