package io.lasthop.bench.client;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.lasthop.bench.EpochMicros;
import io.lasthop.bench.Fanout;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One browser-like session: reads frames, records messages in the ledger, acks like the real
 * client (see {@link AckBatcher}), answers pings, and subscribes to a topic when asked. All methods
 * run on the session's event loop.
 */
abstract class ClientSession {
    private static final ThreadLocal<FrameParser> PARSER = ThreadLocal.withInitial(FrameParser::new);
    private static final ThreadLocal<byte[][]> SCRATCH = ThreadLocal.withInitial(() -> new byte[][] {new byte[4096]});
    static final long REQUEST_TIMEOUT_MS = 20_000;

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

    boolean resumed;
    /** Query parameters that resume an earlier session (empty for a new one), see {@link #resumeQuery()}. */
    String resume = "";

    volatile boolean closing;
    /** The close code of a {@code close} frame that tells of a gap (4101, 4102), else 0. */
    int gap;

    private ScheduledFuture<?> ackTimer;
    /** Requests awaiting their {@code ok} or {@code error}, by ref. */
    private final Map<Long, CompletableFuture<Void>> requests = new HashMap<>();

    private long nextRef = 1;
    /** Set once subscribed: deliveries are then counted per (message, subscriber), see {@link Fanout}. */
    private Fanout.Subscriber subscriber;

    ClientSession(ClientPool pool, String user, String token) {
        this.pool = pool;
        this.user = user;
        this.token = token;
    }

    abstract Transport transport();

    /** Adds this session's handlers to its first connection's pipeline, after the byte counter. */
    abstract void initPipeline(ChannelPipeline p);

    /** The first connection is up: send what opens the session, if the handlers do not. */
    void connected() {}

    abstract void sendAck(long seq);

    abstract void sendPong();

    /** Sends a request frame (PROTOCOL.md §8); its answer comes back as a frame with its ref. */
    abstract void sendRequest(long ref, String frame);

    /** Closes the session as a leaving browser would; completes when its sockets are closed. */
    abstract CompletableFuture<Void> close();

    /**
     * Drops the session as a lost network would: its sockets close with no close handshake, so the
     * edge keeps the session's queue for a resume. Completes when the sockets are closed.
     */
    CompletableFuture<Void> drop() {
        return closeSocket();
    }

    /** The query that resumes this session on any node (PROTOCOL.md §2, §5). */
    String resumeQuery() {
        return "&session=" + sessionId + "&connection=" + connectionId + (node == null ? "" : "&node=" + node);
    }

    /** Closes the socket with no handshake of any kind; completes when it is closed. */
    final CompletableFuture<Void> closeSocket() {
        closing = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (channel == null) {
            done.complete(null);
        } else {
            channel.closeFuture().addListener(f -> done.complete(null));
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
                resumed = f.resumed;
                ready.complete(this);
            }
            case PING -> {
                sendPong();
                pool.stats.pingsAnswered.increment();
            }
            case OK -> answered(f.ref, null);
            case CLOSE -> {
                pool.stats.close(f.code, f.reason);
                pool.onCloseFrame(this, f.code);
            }
            case ERROR -> {
                pool.stats.error("frame " + f.errorCode);
                if (f.ref >= 0) {
                    answered(f.ref, f.errorCode == null ? "error" : f.errorCode);
                }
            }
            default -> {}
        }
    }

    /**
     * Subscribes to the subscriber's topic: completes at the {@code ok} with the request's ref, and
     * fails with the code of an {@code error}, when the socket closes, or after 20 s. From now on
     * deliveries are counted in the subscriber's ledger slots.
     */
    CompletableFuture<Void> subscribe(Fanout.Subscriber s) {
        subscriber = s;
        long ref = nextRef++;
        CompletableFuture<Void> answer = new CompletableFuture<>();
        requests.put(ref, answer);
        ScheduledFuture<?> timeout = channel.eventLoop()
                .schedule(
                        () -> answered(ref, "no answer within " + REQUEST_TIMEOUT_MS + " ms"),
                        REQUEST_TIMEOUT_MS,
                        TimeUnit.MILLISECONDS);
        answer.whenComplete((v, e) -> timeout.cancel(false));
        sendRequest(
                ref,
                "{\"t\":\"sub\",\"ref\":" + ref + ",\"topic\":\""
                        + new String(JsonStringEncoder.getInstance().quoteAsString(s.topic())) + "\"}");
        return answer;
    }

    /** A request's answer: {@code error} null for an {@code ok}. Unknown or late refs are ignored. */
    void answered(long ref, String error) {
        CompletableFuture<Void> f = requests.remove(ref);
        if (f == null) {
            return;
        }
        if (error == null) {
            f.complete(null);
        } else {
            f.completeExceptionally(new IOException(error));
        }
    }

    private void onMessage(ServerFrame f) {
        delivered(
                f.idPhase,
                subscriber == null ? f.idNumber : subscriber.ledgerIndex(f.key, f.idNumber),
                f.sentUs,
                f.redelivered,
                f.seq);
    }

    /**
     * One delivery decoded: record it in its phase's ledger at {@code ledgerIndex} (the message
     * number, or for a subscriber its slot for that message), then ack like the real client.
     */
    void delivered(int idPhase, long ledgerIndex, long sentUs, boolean redelivered, long seq) {
        long now = EpochMicros.now();
        pool.stats.messages.increment();
        if (redelivered) {
            pool.stats.redelivered.increment();
        }
        boolean first = pool.ledgers.record(idPhase, ledgerIndex, sentUs, now);
        if (pool.gapMode) {
            pool.dedupe(user, idPhase, ledgerIndex, first);
        }
        switch (acks.onMessage(seq)) {
            case ACK_NOW -> {
                cancelAckTimer();
                ack(acks.take());
            }
            case ARM_TIMER ->
                ackTimer = channel.eventLoop()
                        .schedule(
                                () -> {
                                    ackTimer = null;
                                    ack(acks.onTimer());
                                },
                                pool.ackDelayMs,
                                TimeUnit.MILLISECONDS);
            case NONE -> {}
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
        for (Long ref : List.copyOf(requests.keySet())) {
            answered(ref, "closed before the answer");
        }
        if (!ready.isDone()) {
            ready.completeExceptionally(new IOException(why));
        } else if (!closing) {
            pool.stats.unexpectedDisconnects.increment();
        }
        pool.forget(this);
        pool.afterClose(this);
    }

    void fail(String why) {
        if (!ready.isDone()) {
            ready.completeExceptionally(new IOException(why));
        }
    }
}
