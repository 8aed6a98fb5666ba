package io.lasthop.bench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The abusers without a session, against a local server. */
class RawConnectionTest {
    private static final long WAIT_S = 10;
    private static final AbuseSettings THREE_A_TICK = new AbuseSettings(10, 0, 3, 0, 9, 0, 1, "/metrics");

    private final AbuseTally tally = new AbuseTally();
    private LocalServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aPipelinerSendsItsBoundOfGetsAndReadsNoAnswer() throws Exception {
        CountDownLatch requests = new CountDownLatch(9);
        server = new LocalServer(p -> p.addLast(
                new HttpServerCodec(),
                new HttpObjectAggregator(65_536),
                new SimpleChannelInboundHandler<FullHttpRequest>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest r) {
                        if (r.uri().equals("/metrics")) {
                            requests.countDown();
                        }
                        DefaultFullHttpResponse res = new DefaultFullHttpResponse(
                                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(new byte[1024]));
                        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, 1024);
                        ctx.writeAndFlush(res);
                    }
                }));
        ClientPool pool = server.pool();
        RawConnection c = new RawConnection(pool, AbuseKind.PIPELINER, THREE_A_TICK, tally.of(AbuseKind.PIPELINER));
        var ended = c.run();
        assertTrue(requests.await(WAIT_S, TimeUnit.SECONDS), "the server got 9 GETs");
        assertEquals(0, pool.stats().bytesRead.sum(), "nine answers written to it, none read");
        c.stop();
        assertEquals(AbusiveConnection.End.STOPPED, ended.get(WAIT_S, TimeUnit.SECONDS));
        Map<String, Object> t = tally.snapshot().get("pipelined-gets");
        assertEquals(9L, t.get("gets"), "no more than its bound");
        assertEquals(1L, t.get("open_at_end"));
    }

    @Test
    void aSilentSocketSendsNothingAndNoticesTheEdgeClosingIt() throws Exception {
        AtomicLong bytes = new AtomicLong();
        server = new LocalServer(p -> p.addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                ctx.executor().schedule(() -> ctx.close(), 50, TimeUnit.MILLISECONDS);
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                bytes.addAndGet(((ByteBuf) msg).readableBytes());
                ReferenceCountUtil.release(msg);
            }
        }));
        RawConnection c = new RawConnection(server.pool(), AbuseKind.SILENT, THREE_A_TICK, tally.of(AbuseKind.SILENT));
        assertEquals(AbusiveConnection.End.ENDED_BY_EDGE, c.run().get(WAIT_S, TimeUnit.SECONDS));
        assertEquals(0, bytes.get());
        assertEquals(
                Map.of("socket closed", 1L),
                tally.snapshot().get("silent-socket").get("ended_by_edge"));
    }

    @Test
    void aSilentSocketRefusedByAnAnswerSaysSo() throws Exception {
        server = new LocalServer(p -> p.addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                ctx.writeAndFlush(Unpooled.copiedBuffer(
                                "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n",
                                StandardCharsets.US_ASCII))
                        .addListener(ChannelFutureListener.CLOSE);
            }
        }));
        RawConnection c = new RawConnection(server.pool(), AbuseKind.SILENT, THREE_A_TICK, tally.of(AbuseKind.SILENT));
        assertEquals(AbusiveConnection.End.ENDED_BY_EDGE, c.run().get(WAIT_S, TimeUnit.SECONDS));
        assertEquals(
                Map.of("answered 503, then closed", 1L),
                tally.snapshot().get("silent-socket").get("ended_by_edge"));
    }
}
