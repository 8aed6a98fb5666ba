package io.lasthop.bench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lasthop.protocol.AmqpNames;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The abusers with a session, against a local server that plays the edge's part. */
class NonReadingSessionTest {
    private static final long WAIT_S = 10;
    private static final String PING = "{\"t\":\"ping\"}";
    private static final String SID = "q3Jx0bW8RkO2l9m1c4T7aA";
    private static final String HELLO =
            "{\"t\":\"hello\",\"v\":1,\"session\":\"" + SID + "\",\"connection\":\"C\",\"node\":\"n1\"}";
    /** 5 pings every 10 ms, 20 per connection at most. */
    private static final AbuseSettings SETTINGS = new AbuseSettings(10, 5, 0, 20, 0, 0, 1, "/metrics");

    private final AbuseTally tally = new AbuseTally();
    private LocalServer server;
    private ClientPool pool;

    @AfterEach
    void stop() {
        server.close();
    }

    private NonReadingSession session(AbuseKind kind) {
        pool = server.pool();
        return new NonReadingSession(pool, kind, SETTINGS, tally.of(kind), "u1", "");
    }

    @Test
    void aWebSocketPingerReadsItsHelloThenOnlySendsPingsUpToItsBound() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        CountDownLatch pings = new CountDownLatch(20);
        AtomicInteger seen = new AtomicInteger();
        server = LocalServer.webSocket(
                "/lasthop/ws", null, ch -> ch.writeAndFlush(new TextWebSocketFrame(HELLO)), (ch, text) -> {
                    received.add(text);
                    if (text.equals(PING)) {
                        pings.countDown();
                        if (seen.incrementAndGet() == 1) {
                            // A reading client would answer this with a pong.
                            ch.writeAndFlush(new TextWebSocketFrame(PING));
                        }
                    }
                });
        NonReadingSession s = session(AbuseKind.WEBSOCKET_PINGER);
        var ended = s.run();
        assertTrue(pings.await(WAIT_S, TimeUnit.SECONDS), "20 pings arrived");
        s.stop();
        assertEquals(AbusiveConnection.End.STOPPED, ended.get(WAIT_S, TimeUnit.SECONDS));
        assertFalse(received.contains("{\"t\":\"pong\"}"), "the edge's ping was never read, so never answered");
        assertEquals(0, pool.stats().pingsAnswered.sum());
        Map<String, Object> t = tally.snapshot().get("websocket-pinger");
        assertEquals(20L, t.get("pings"), "no more than its bound");
        assertEquals(1L, t.get("open_at_end"));
        assertEquals("&session=" + SID + "&connection=C&node=n1", s.resumeQuery());
        assertEquals(AmqpNames.sessionQueue("u1", SID), s.sessionQueue());
    }

    @Test
    void aWebSocketPingerNoticesTheEdgeClosingItThoughItReadsNothing() throws Exception {
        AtomicInteger seen = new AtomicInteger();
        server = LocalServer.webSocket(
                "/lasthop/ws", null, ch -> ch.writeAndFlush(new TextWebSocketFrame(HELLO)), (ch, text) -> {
                    if (seen.incrementAndGet() == 10) {
                        ch.close();
                    }
                });
        assertEquals(
                AbusiveConnection.End.ENDED_BY_EDGE,
                session(AbuseKind.WEBSOCKET_PINGER).run().get(WAIT_S, TimeUnit.SECONDS));
        assertEquals(
                Map.of("websocket socket closed", 1L),
                tally.snapshot().get("websocket-pinger").get("ended_by_edge"));
    }

    @Test
    void aPollPingerStopsPollingAndPostsItsPingsUntilAPostIsRefused() throws Exception {
        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        ArrayDeque<Integer> script = new ArrayDeque<>(List.of(204, 204, 409));
        AtomicInteger polls = new AtomicInteger();
        server = new LocalServer(p -> p.addLast(
                new HttpServerCodec(),
                new HttpObjectAggregator(65_536),
                new SimpleChannelInboundHandler<FullHttpRequest>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest r) {
                        if (r.uri().startsWith("/lasthop/poll")) {
                            if (polls.incrementAndGet() == 1) {
                                answer(ctx, 200, "[" + HELLO + "]");
                            }
                            // Any later poll is held, as the edge holds it, and never answered.
                            return;
                        }
                        frames.add(r.uri() + " | "
                                + r.headers().get(HttpHeaderNames.AUTHORIZATION).substring(0, 9) + " | "
                                + r.content().toString(StandardCharsets.UTF_8));
                        answer(ctx, script.poll(), "");
                    }
                }));
        NonReadingSession s = session(AbuseKind.POLL_PINGER);
        assertEquals(AbusiveConnection.End.ENDED_BY_EDGE, s.run().get(WAIT_S, TimeUnit.SECONDS));
        assertEquals(
                "/lasthop/frames?session=" + SID + "&connection=C&node=n1 | Bearer ey | [" + PING + "," + PING + ","
                        + PING + "," + PING + "," + PING + "]",
                frames.poll(WAIT_S, TimeUnit.SECONDS));
        Map<String, Object> t = tally.snapshot().get("poll-pinger");
        assertEquals(Map.of("204", 2L, "409", 1L), t.get("post_answers"));
        assertEquals(Map.of("POST answered 409", 1L), t.get("ended_by_edge"));
        assertEquals(15L, t.get("pings"));
        assertEquals("&session=" + SID + "&node=n1", s.resumeQuery(), "a long-poll resumes by its session alone");
    }

    private static void answer(ChannelHandlerContext ctx, int status, String body) {
        DefaultFullHttpResponse res = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status),
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        res.headers()
                .set(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes())
                .set(PollCursor.ANSWER_HEADER, "1");
        ctx.writeAndFlush(res);
    }
}
