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
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A session over one long chunked GET (the sse and stream transports): the subclass splits the
 * body into frames, chunk by chunk. Acks and requests go by {@code POST /lasthop/frames} on a
 * second, keep-alive connection, one POST in flight at a time. What comes meanwhile waits for the
 * next POST, which carries the waiting requests in order, then the newest ack (acks are
 * cumulative, so it replaces the older waiting ones).
 */
abstract class ChunkedResponseSession extends ClientSession {
    private final InetAddress local;
    private Channel poster;
    private boolean posting;
    /** The newest ack asked for, and the newest sent: an ack waits while the first is above the second. */
    private long waitingAck;

    private long lastPosted;
    private final ArrayDeque<Request> waitingRequests = new ArrayDeque<>();
    /** The requests of the POST in flight: failed if it is refused, sent again if its connection drops. */
    private List<Request> postedRequests = List.of();

    private int postFailuresInARow;

    private record Request(long ref, String frame) {}

    ChunkedResponseSession(ClientPool pool, String user, String token, InetAddress local) {
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
        p.addLast(httpCodec(p), new ResponseHandler());
    }

    /** HTTP/1.1 on a connection; on an HTTP/2 stream, frames converted to and from HTTP/1 objects. */
    static io.netty.channel.ChannelHandler httpCodec(ChannelPipeline p) {
        return p.channel() instanceof Http2StreamChannel
                ? new Http2StreamFrameToHttpObjectCodec(false)
                : new HttpClientCodec();
    }

    /** Over HTTP/2 a request names its scheme (the codec takes it from this header). */
    static <T extends io.netty.handler.codec.http.HttpRequest> T scheme(T req, Channel ch) {
        if (ch instanceof Http2StreamChannel) {
            req.headers().set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), "https");
        }
        return req;
    }

    @Override
    void connected() {
        DefaultFullHttpRequest req =
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path() + "?token=" + token + resume);
        req.headers().set(HttpHeaderNames.HOST, pool.hostHeader()).set(HttpHeaderNames.ACCEPT, accept());
        channel.writeAndFlush(scheme(req, channel));
    }

    @Override
    void sendAck(long seq) {
        waitingAck = Math.max(waitingAck, seq);
        flush();
    }

    @Override
    void sendPong() {
        // Streamed responses need not answer pings (PROTOCOL.md §4), and the JS client does not.
    }

    @Override
    void sendRequest(long ref, String frame) {
        waitingRequests.add(new Request(ref, frame));
        flush();
    }

    /** Posts what waits, unless a POST is in flight: {@link #posted} calls this again. */
    private void flush() {
        if (posting || (waitingAck <= lastPosted && waitingRequests.isEmpty())) {
            return;
        }
        postedRequests = new ArrayList<>(waitingRequests);
        waitingRequests.clear();
        List<String> frames = new ArrayList<>();
        postedRequests.forEach(r -> frames.add(r.frame()));
        if (waitingAck > lastPosted) {
            frames.add("{\"t\":\"ack\",\"seq\":" + waitingAck + "}");
            lastPosted = waitingAck;
        }
        String body = frames.size() == 1 ? frames.get(0) : "[" + String.join(",", frames) + "]";
        posting = true;
        if (poster != null && poster.isActive()) {
            write(body);
            return;
        }
        if (channel instanceof Http2StreamChannel stream) {
            // HTTP/2: each POST is a stream of its own on the session's connection.
            Http2Connections.openStream(
                            stream.parent(),
                            p -> p.addLast(httpCodec(p), new HttpObjectAggregator(65_536), new PostHandler()))
                    .addListener((io.netty.util.concurrent.Future<Http2StreamChannel> f) -> {
                        if (f.isSuccess()) {
                            pool.stats.ackConnections.increment();
                            poster = f.getNow();
                            write(body);
                        } else {
                            posting = false;
                            pool.stats.error("frames post stream: " + ClientPool.describe(f.cause()));
                            failPosted("frames post stream failed");
                        }
                    });
            return;
        }
        Bootstrap b = pool.bootstrap(channel.eventLoop(), new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new ByteCounter(pool.stats));
                pool.addTls(ch.pipeline());
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65_536), new PostHandler());
            }
        });
        b.connect(pool.remote(), local == null ? null : new InetSocketAddress(local, 0))
                .addListener(f -> {
                    if (f.isSuccess()) {
                        pool.stats.ackConnections.increment();
                        poster = ((ChannelFuture) f).channel();
                        write(body);
                    } else {
                        posting = false;
                        pool.stats.error("frames post connect: " + ClientPool.describe(f.cause()));
                        failPosted("frames post connect failed");
                    }
                });
    }

    private void write(String body) {
        poster.writeAndFlush(scheme(
                FramePoster.request(
                        pool.hostHeader(),
                        FramePoster.uri(this),
                        token,
                        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8)),
                poster));
    }

    private void posted(int status) {
        posting = false;
        if (status == 204) {
            postFailuresInARow = 0;
        } else {
            pool.stats.ackPostsRefused.increment();
            pool.stats.error("frames post http " + status);
            // A refused POST applies none of its frames, so no answer will come in the response.
            failPosted("frames post http " + status);
        }
        postedRequests = List.of();
        if (!closing) {
            flush();
        }
    }

    private void failPosted(String why) {
        List<Request> failed = postedRequests;
        postedRequests = List.of();
        failed.forEach(r -> answered(r.ref(), why));
    }

    /** A chunked response has no close handshake: dropping it is closing it. */
    @Override
    CompletableFuture<Void> drop() {
        return close();
    }

    @Override
    CompletableFuture<Void> close() {
        closing = true;
        if (poster != null) {
            poster.close();
        }
        return closeSocket();
    }

    /** Reads the chunked response, piece by piece. */
    final class ResponseHandler extends ChannelInboundHandlerAdapter {
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

    /** Reads the answers to POSTs. */
    final class PostHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
            if (ctx.channel() instanceof Http2StreamChannel) {
                // An HTTP/2 POST's stream ends with its answer: the next POST opens another.
                if (poster == ctx.channel()) {
                    poster = null;
                }
                ctx.close();
            }
            posted(r.status().code());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            pool.stats.error("ack post: " + ClientPool.describe(cause));
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            boolean current = poster == ctx.channel();
            if (current) {
                poster = null;
            }
            // An HTTP/2 stream that already answered was let go: the POST in flight, if any, is another's.
            if (posting && (current || !(ctx.channel() instanceof Http2StreamChannel))) {
                // The POST was lost with its connection. At most 3 lost POSTs in a row are sent
                // again at once, on a new connection: acks are cumulative and a sub is idempotent.
                // Past that its requests fail, and the next ack carries the newer seq.
                posting = false;
                if (!closing && ++postFailuresInARow <= 3) {
                    for (int r = postedRequests.size() - 1; r >= 0; r--) {
                        waitingRequests.addFirst(postedRequests.get(r));
                    }
                    postedRequests = List.of();
                    lastPosted = 0;
                    flush();
                } else {
                    failPosted("frames post lost with its connection");
                }
            }
        }
    }
}
