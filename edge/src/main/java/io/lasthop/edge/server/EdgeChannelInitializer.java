package io.lasthop.edge.server;

import io.lasthop.edge.metrics.EdgeMetrics;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.cors.CorsConfig;
import io.netty.handler.codec.http.cors.CorsHandler;

/** The pipeline every client connection starts with; endpoints reshape it on upgrade or stream. */
final class EdgeChannelInitializer extends ChannelInitializer<SocketChannel> {
    private static final int MAX_INITIAL_LINE = 8192;
    private static final int MAX_HEADER_BYTES = 16384;
    private static final int MAX_CHUNK = 8192;

    private final HttpRouter router;
    private final CorsConfig cors;
    private final int maxFrameBytes;
    private final ConnectionLimits limits;
    private final EdgeMetrics metrics;
    private final long requestTimeoutNanos;

    /** @param cors null when no cross-origin access is configured */
    EdgeChannelInitializer(HttpRouter router, CorsConfig cors, int maxFrameBytes, ConnectionLimits limits,
                           EdgeMetrics metrics, long requestTimeoutNanos) {
        this.router = router;
        this.cors = cors;
        this.maxFrameBytes = maxFrameBytes;
        this.limits = limits;
        this.metrics = metrics;
        this.requestTimeoutNanos = requestTimeoutNanos;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, MAX_CHUNK));
        p.addLast("guard", new ConnectionGuard(limits, metrics, requestTimeoutNanos, maxFrameBytes));
        if (cors != null) {
            p.addLast("cors", new CorsHandler(cors));
        }
        p.addLast("aggregator", new FrameLimitAggregator(maxFrameBytes));
        p.addLast("router", router);
    }
}
