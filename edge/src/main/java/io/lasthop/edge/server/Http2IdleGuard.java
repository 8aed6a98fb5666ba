package io.lasthop.edge.server;

import io.lasthop.edge.metrics.EdgeMetrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP/2 connection that has had no open stream for the request timeout: the HTTP/2
 * counterpart of closing an HTTP/1.1 connection that sends no request. Its streams are guarded one
 * by one ({@link ConnectionGuard}). Event loop only.
 */
final class Http2IdleGuard extends ChannelInboundHandlerAdapter {
    private final Http2Connection connection;
    private final EdgeMetrics metrics;
    private final long timeoutNanos;
    private ScheduledFuture<?> timer;

    Http2IdleGuard(Http2Connection connection, EdgeMetrics metrics, long timeoutNanos) {
        this.connection = connection;
        this.metrics = metrics;
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        connection.addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamActive(Http2Stream stream) {
                cancel();
            }

            @Override
            public void onStreamClosed(Http2Stream stream) {
                if (connection.numActiveStreams() == 0) {
                    arm(ctx);
                }
            }
        });
        arm(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    private void arm(ChannelHandlerContext ctx) {
        cancel();
        timer = ctx.executor()
                .schedule(
                        () -> {
                            if (connection.numActiveStreams() == 0) {
                                metrics.refused("request_timeout");
                                ctx.close();
                            }
                        },
                        timeoutNanos,
                        TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
