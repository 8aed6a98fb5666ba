package io.lasthop.bench.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * POSTs one body, again and again, to {@code /lasthop/frames} for one connection of a session: on
 * one keep-alive connection (opened at the first POST), one POST in flight, each answer's status
 * handed to the listener. The pings of the abusive SSE and long-polling clients go this way.
 * Event loop only.
 */
final class FramePoster {
    /** What becomes of the POSTs. */
    interface Listener {
        void answered(int status);

        /** The POST connection closed, or could not open, while a POST was in flight. */
        void lost(String why);
    }

    private final ClientPool pool;
    private final EventLoop loop;
    private final String uri;
    private final String token;
    private final byte[] body;
    private final Listener listener;
    private volatile Channel channel;
    private boolean busy;
    private volatile boolean closed;

    FramePoster(ClientPool pool, EventLoop loop, String uri, String token, byte[] body, Listener listener) {
        this.pool = pool;
        this.loop = loop;
        this.uri = uri;
        this.token = token;
        this.body = body;
        this.listener = listener;
    }

    /** {@code /lasthop/frames?session=…&connection=…&node=…} for the session's latest hello. */
    static String uri(ClientSession s) {
        return "/lasthop/frames?session=" + s.sessionId + "&connection=" + s.connectionId
                + (s.node == null ? "" : "&node=" + s.node);
    }

    /** A POST of {@code content} to {@code uri} with the session's token, as a browser's fetch sends it. */
    static FullHttpRequest request(String hostHeader, String uri, String token, ByteBuf content) {
        DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri, content);
        req.headers()
                .set(HttpHeaderNames.HOST, hostHeader)
                .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .set(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
                .set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token);
        return req;
    }

    /** A JSON array of {@code n} ping frames, the body an abusive pinger POSTs. */
    static byte[] pings(int n) {
        StringBuilder b = new StringBuilder(2 + 13 * n).append('[');
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{\"t\":\"ping\"}");
        }
        return b.append(']').toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A POST is in flight, or the poster is closed: {@link #post()} would do nothing. */
    boolean busy() {
        return busy || closed;
    }

    /** Sends the body once, opening the connection first if need be; false if busy. */
    boolean post() {
        if (busy()) {
            return false;
        }
        busy = true;
        if (channel != null && channel.isActive()) {
            write();
            return true;
        }
        pool.bootstrap(loop, new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(
                                        new ByteCounter(pool.stats),
                                        new HttpClientCodec(),
                                        new HttpObjectAggregator(65_536),
                                        new AnswerHandler());
                    }
                })
                .connect(pool.remote())
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        busy = false;
                        listener.lost("frames connection: " + ClientPool.describe(f.cause()));
                    } else if (closed) {
                        ((ChannelFuture) f).channel().close();
                    } else {
                        channel = ((ChannelFuture) f).channel();
                        write();
                    }
                });
        return true;
    }

    private void write() {
        channel.writeAndFlush(request(pool.hostHeader(), uri, token, Unpooled.wrappedBuffer(body)));
    }

    /** Closes the connection; no POST goes out after this. Thread safe. */
    void close() {
        closed = true;
        Channel c = channel;
        if (c != null) {
            c.close();
        }
    }

    /** Reads the answers to the POSTs. */
    private final class AnswerHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
            busy = false;
            listener.answered(r.status().code());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (busy && !closed) {
                busy = false;
                listener.lost("frames connection closed");
            }
        }
    }
}
