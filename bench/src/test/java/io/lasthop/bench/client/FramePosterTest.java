package io.lasthop.bench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link FramePoster} against a local HTTP server that answers with a scripted list of statuses. */
class FramePosterTest {
    private static final long WAIT_S = 10;
    private static final String URI = "/lasthop/frames?session=S&connection=C&node=n1";

    /** What the server received: "METHOD URI | AUTHORIZATION | BODY". */
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    /** What the poster's listener heard: statuses, or "lost: why". */
    private final BlockingQueue<String> heard = new LinkedBlockingQueue<>();

    private LocalServer server;
    private ClientPool pool;
    /** The poster's event loop. */
    private EventLoop loop;

    @AfterEach
    void stop() {
        server.close();
    }

    private FramePoster poster(Integer... statuses) {
        ArrayDeque<Integer> script = new ArrayDeque<>(List.of(statuses));
        server = new LocalServer(p -> answerWith(p, script));
        pool = server.pool();
        loop = pool.nextLoop();
        return new FramePoster(pool, loop, URI, "tok", FramePoster.pings(3), new FramePoster.Listener() {
            @Override
            public void answered(int status) {
                heard.add(Integer.toString(status));
            }

            @Override
            public void lost(String why) {
                heard.add("lost: " + why);
            }
        });
    }

    private void answerWith(ChannelPipeline p, ArrayDeque<Integer> script) {
        p.addLast(
                new HttpServerCodec(),
                new HttpObjectAggregator(65_536),
                new SimpleChannelInboundHandler<FullHttpRequest>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest r) {
                        received.add(
                                r.method() + " " + r.uri() + " | " + r.headers().get(HttpHeaderNames.AUTHORIZATION)
                                        + " | " + r.content().toString(StandardCharsets.UTF_8));
                        Integer status = script.poll();
                        if (status == null) {
                            ctx.close();
                            return;
                        }
                        DefaultFullHttpResponse res = new DefaultFullHttpResponse(
                                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.EMPTY_BUFFER);
                        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
                        ctx.writeAndFlush(res);
                    }
                });
    }

    /** Runs {@code post()} on the poster's event loop, as its owner does. */
    private static boolean post(FramePoster p, EventLoop loop) throws Exception {
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        loop.execute(() -> f.complete(p.post()));
        return f.get(WAIT_S, TimeUnit.SECONDS);
    }

    private String next(BlockingQueue<String> q) throws InterruptedException {
        String s = q.poll(WAIT_S, TimeUnit.SECONDS);
        assertTrue(s != null, "nothing within " + WAIT_S + " s");
        return s;
    }

    @Test
    void postsTheBodyOneAtATimeWithTheTokenAndHandsOnEachStatus() throws Exception {
        FramePoster p = poster(204, 409);
        assertTrue(post(p, loop));
        assertFalse(post(p, loop), "one POST in flight");
        assertEquals(
                "POST " + URI + " | Bearer tok | [{\"t\":\"ping\"},{\"t\":\"ping\"},{\"t\":\"ping\"}]", next(received));
        assertEquals("204", next(heard));
        assertTrue(post(p, loop), "the next once answered, on the same connection");
        next(received);
        assertEquals("409", next(heard));
    }

    @Test
    void aConnectionThatClosesUnderAPostIsLost() throws Exception {
        FramePoster p = poster();
        assertTrue(post(p, loop));
        next(received);
        assertEquals("lost: frames connection closed", next(heard));
    }

    @Test
    void aClosedPosterPostsNothing() throws Exception {
        FramePoster p = poster(204);
        p.close();
        assertTrue(p.busy());
        assertFalse(post(p, loop));
    }
}
