package io.lasthop.edge.server;

import io.lasthop.edge.metrics.EdgeMetrics;
import io.lasthop.edge.transport.websocket.BoundedDeflate;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.cors.CorsConfig;
import io.netty.handler.codec.http.cors.CorsHandler;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslHandler;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline every client connection starts with; endpoints reshape it on upgrade or stream.
 * Plain: HTTP/1.1. TLS: HTTP/2 or HTTP/1.1 as ALPN decides; over HTTP/2 every stream gets the
 * HTTP/1.1 pipeline of its own, so endpoints serve both alike, and a stream's flow control is its
 * writability.
 */
final class EdgeChannelInitializer extends ChannelInitializer<SocketChannel> {
    private static final int MAX_INITIAL_LINE = 8192;
    private static final int MAX_HEADER_BYTES = 16384;
    private static final int MAX_CHUNK = 8192;
    /** Streams a browser may open at once on one HTTP/2 connection: tabs' SSE, polls and POSTs. */
    static final int MAX_CONCURRENT_STREAMS = 128;

    private final HttpRouter router;
    private final CorsConfig cors;
    private final int maxFrameBytes;
    private final ConnectionCounter counter;
    private final EdgeMetrics metrics;
    private final long requestTimeoutNanos;
    private final ReloadingSslContext tls;
    private final boolean deflate;

    /**
     * @param cors    null when no cross-origin access is configured
     * @param tls     null for plain HTTP
     * @param deflate offer WebSocket clients permessage-deflate
     */
    EdgeChannelInitializer(
            HttpRouter router,
            CorsConfig cors,
            int maxFrameBytes,
            ConnectionLimits limits,
            EdgeMetrics metrics,
            long requestTimeoutNanos,
            ReloadingSslContext tls,
            boolean deflate) {
        this.deflate = deflate;
        this.router = router;
        this.cors = cors;
        this.maxFrameBytes = maxFrameBytes;
        this.counter = new ConnectionCounter(limits, metrics, tls != null);
        this.metrics = metrics;
        this.requestTimeoutNanos = requestTimeoutNanos;
        this.tls = tls;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast("count", counter);
        if (tls == null) {
            p.addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, MAX_CHUNK));
            addHttp(p);
            return;
        }
        SslHandler ssl = tls.current().newHandler(ch.alloc());
        // A client hello that never completes holds the connection no longer than a request may.
        ssl.setHandshakeTimeout(requestTimeoutNanos, TimeUnit.NANOSECONDS);
        p.addLast("tls", ssl);
        p.addLast("alpn", new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
            @Override
            protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                    addHttp2(ctx.pipeline());
                } else {
                    ctx.pipeline().addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, MAX_CHUNK));
                    addHttp(ctx.pipeline());
                }
            }
        });
    }

    private void addHttp2(ChannelPipeline p) {
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                        .maxHeaderListSize(MAX_HEADER_BYTES))
                .build();
        p.addLast("h2", codec);
        p.addLast("h2-idle", new Http2IdleGuard(codec.connection(), metrics, requestTimeoutNanos));
        p.addLast("h2-streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline().addLast("http", new Http2StreamFrameToHttpObjectCodec(true));
                addHttp(stream.pipeline());
            }
        }));
    }

    /** What follows the HTTP codec, on a connection or an HTTP/2 stream. */
    private void addHttp(ChannelPipeline p) {
        p.addLast("guard", new ConnectionGuard(metrics, requestTimeoutNanos, maxFrameBytes));
        if (cors != null) {
            p.addLast("cors", new CorsHandler(cors));
        }
        p.addLast("aggregator", new FrameLimitAggregator(maxFrameBytes));
        if (deflate && !(p.channel() instanceof Http2StreamChannel)) {
            // Reads a WebSocket upgrade's offer, answers it, installs the codec after the handshake.
            p.addLast("ws-extensions", new WebSocketServerExtensionHandler(new BoundedDeflate(maxFrameBytes)));
        }
        p.addLast("router", router);
    }
}
