package io.lasthop.bench.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A session over {@code /lasthop/poll}, as the JS client runs it: one keep-alive connection, one
 * poll in flight. Each answer's frames are handled, its deliveries acked at once (cumulatively)
 * in the next poll's body, and that poll leaves right away, naming the answer it read
 * ({@link PollCursor}). The first answer carries the {@code hello}. Long-polling gets no pings.
 */
final class PollSession extends ClientSession {
    /**
     * Longest wait for one answer: the JS client's {@code pollTimeoutMs}. The edge answers a held
     * poll within {@code poll.timeout} (20 s).
     */
    static final long ANSWER_TIMEOUT_MS = 30_000;
    /**
     * Largest answer: the edge pauses deliveries once 1 MiB of frames waits for a poll (PROTOCOL.md
     * §4), so an answer holds that at most, plus the frames already under way.
     */
    private static final int MAX_ANSWER = 4 << 20;

    private final PollCursor cursor = new PollCursor();
    private final FrameParser.Sink frames = this::onAnswerFrame;
    private ScheduledFuture<?> answerTimer;
    private boolean ended;

    PollSession(ClientPool pool, String user, String token) {
        super(pool, user, token);
    }

    @Override
    Transport transport() {
        return Transport.POLL;
    }

    @Override
    void initPipeline(ChannelPipeline p) {
        p.addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_ANSWER), new Handler());
    }

    @Override
    void connected() {
        poll();
    }

    @Override
    void sendAck(long seq) {
        cursor.ack(seq);
    }

    @Override
    void sendPong() {
        // The edge sends no pings on poll (PROTOCOL.md §4).
    }

    @Override
    void sendRequest(long ref, String frame) {
        // A request would wait for the held poll to return: the harness does not subscribe over
        // long-polling (fan-out runs on the other transports).
        answered(ref, "the harness sends no requests over long-polling");
    }

    private void poll() {
        ByteBuf body = ByteBufUtil.writeAscii(channel.alloc(), cursor.takeBody());
        DefaultFullHttpRequest req = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1, HttpMethod.POST, cursor.uri(token, sessionId, connectionId, node), body);
        req.headers()
                .set(HttpHeaderNames.HOST, pool.hostHeader())
                .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        channel.writeAndFlush(req);
        answerTimer = channel.eventLoop()
                .schedule(
                        () -> {
                            pool.stats.error("no poll answer within " + ANSWER_TIMEOUT_MS + " ms");
                            fail("no poll answer within " + ANSWER_TIMEOUT_MS + " ms");
                            channel.close();
                        },
                        ANSWER_TIMEOUT_MS,
                        TimeUnit.MILLISECONDS);
    }

    private void onAnswer(FullHttpResponse r) {
        answerTimer.cancel(false);
        int status = r.status().code();
        if (status != 200) {
            // An error is a JSON object, not an array of frames (PROTOCOL.md §2).
            fail("http " + status);
            if (ready.isDone()) {
                pool.stats.error("poll http " + status);
            }
            channel.close();
            return;
        }
        cursor.answered(r.headers().get(PollCursor.ANSWER_HEADER));
        ByteBuf content = r.content();
        int len = content.readableBytes();
        try {
            if (content.hasArray()) {
                parser().parseArray(content.array(), content.arrayOffset() + content.readerIndex(), len, frames);
            } else {
                byte[] b = scratch(len);
                content.getBytes(content.readerIndex(), b, 0, len);
                parser().parseArray(b, 0, len, frames);
            }
        } catch (IOException | RuntimeException e) {
            // Naming this answer would let the next ack cover frames never seen: give up instead.
            pool.stats.parseErrors.increment();
            channel.close();
            return;
        }
        if (ended || closing) {
            channel.close();
            return;
        }
        flushAcks();
        poll();
    }

    private void onAnswerFrame(ServerFrame f) {
        onFrame(f);
        // The edge ended the connection; a next poll would resume the session as a new one.
        ended |= f.type == ServerFrame.Type.CLOSE;
    }

    @Override
    CompletableFuture<Void> close() {
        // A leaving tab aborts its held poll; the edge lets the session linger for poll.linger.
        return closeSocket();
    }

    /** Reads the answers to polls. */
    final class Handler extends SimpleChannelInboundHandler<FullHttpResponse> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
            onAnswer(r);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ClientPool.describe(cause));
            if (ready.isDone() && !closing) {
                pool.stats.error("poll: " + ClientPool.describe(cause));
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (answerTimer != null) {
                answerTimer.cancel(false);
            }
            onClosed("closed before hello");
        }
    }
}
