package io.lasthop.bench.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * A session over one long chunked GET (SSE, HTTP streaming): the subclass splits the body into
 * frames, chunk by chunk. Acks go by {@code POST /lasthop/frames} on a second, keep-alive
 * connection, one POST in flight at a time (a newer ack waits and replaces older waiting ones, as
 * they are cumulative).
 */
abstract class HttpStreamSession extends ClientSession {
    private final InetAddress local;
    private Channel poster;
    private boolean posting;
    private long waitingAck;
    private int postFailuresInARow;
    private long lastPosted;

    HttpStreamSession(ClientPool pool, String user, String token, InetAddress local) {
        super(pool, user, token);
        this.local = local;
    }

    /** The GET's path, e.g. {@code /lasthop/sse}. */
    abstract String path();

    /** The GET's {@code Accept} header. */
    abstract String accept();

    /** The next piece of the body, in arrival order; the array is only valid during the call. */
    abstract void onChunk(byte[] buf, int off, int len);

    @Override
    void initPipeline(ChannelPipeline p) {
        p.addLast(new HttpClientCodec(), new StreamHandler());
    }

    @Override
    void connected() {
        DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                path() + "?token=" + token);
        req.headers().set(HttpHeaderNames.HOST, pool.hostHeader()).set(HttpHeaderNames.ACCEPT, accept());
        channel.writeAndFlush(req);
    }

    @Override
    void sendAck(long seq) {
        post("{\"t\":\"ack\",\"seq\":" + seq + "}", seq);
    }

    @Override
    void sendPong() {
        // Streamed responses need not answer pings (PROTOCOL.md §4), and the JS client does not.
    }

    private void post(String body, long seq) {
        if (posting) {
            waitingAck = Math.max(waitingAck, seq);
            return;
        }
        posting = true;
        lastPosted = seq;
        if (poster != null && poster.isActive()) {
            write(body);
            return;
        }
        Bootstrap b = pool.bootstrap(channel.eventLoop(), new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new ByteCounter(pool.stats), new HttpClientCodec(),
                        new HttpObjectAggregator(65_536), new PostHandler());
            }
        });
        b.connect(pool.remote(), local == null ? null : new InetSocketAddress(local, 0)).addListener(f -> {
            if (f.isSuccess()) {
                poster = ((ChannelFuture) f).channel();
                write(body);
            } else {
                posting = false;
                pool.stats.error("ack post connect: " + ClientPool.describe(f.cause()));
            }
        });
    }

    private void write(String body) {
        ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                "/lasthop/frames?session=" + sessionId + "&connection=" + connectionId
                        + (node == null ? "" : "&node=" + node), content);
        req.headers().set(HttpHeaderNames.HOST, pool.hostHeader())
                .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .set(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
                .set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token);
        poster.writeAndFlush(req);
    }

    private void posted(int status) {
        posting = false;
        if (status == 204) {
            postFailuresInARow = 0;
        } else {
            pool.stats.ackPostsRefused.increment();
            pool.stats.error("ack post http " + status);
        }
        if (waitingAck > lastPosted && !closing) {
            long next = waitingAck;
            waitingAck = 0;
            sendAck(next);
        }
    }

    @Override
    CompletableFuture<Void> close() {
        closing = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (poster != null) {
            poster.close();
        }
        if (channel == null) {
            done.complete(null);
        } else {
            channel.closeFuture().addListener(f -> done.complete(null));
            channel.close();
        }
        return done;
    }

    /** Reads the streamed response. */
    final class StreamHandler extends ChannelInboundHandlerAdapter {
        private boolean ok;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse r) {
                    ok = r.status().code() == 200;
                    if (!ok) {
                        fail("http " + r.status().code());
                        ctx.close();
                        return;
                    }
                }
                if (ok && msg instanceof HttpContent c) {
                    ByteBuf buf = c.content();
                    int len = buf.readableBytes();
                    if (buf.hasArray()) {
                        onChunk(buf.array(), buf.arrayOffset() + buf.readerIndex(), len);
                    } else {
                        byte[] bytes = scratch(len);
                        buf.getBytes(buf.readerIndex(), bytes, 0, len);
                        onChunk(bytes, 0, len);
                    }
                    if (msg instanceof LastHttpContent) {
                        ctx.close();
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ClientPool.describe(cause));
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (poster != null) {
                poster.close();
            }
            onClosed("closed before hello");
        }
    }

    /** Reads the answers to ack POSTs. */
    final class PostHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
            posted(r.status().code());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            pool.stats.error("ack post: " + ClientPool.describe(cause));
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (posting) {
                // The POST was lost with its connection; the next ack carries the newer seq, and
                // at most 3 lost POSTs in a row are retried at once.
                posting = false;
                if (!closing && ++postFailuresInARow <= 3 && acks.acked() > 0) {
                    sendAck(acks.acked());
                }
            }
            if (poster == ctx.channel()) {
                poster = null;
            }
        }
    }
}
