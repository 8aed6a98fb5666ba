package io.lasthop.edge.transport;

import io.lasthop.edge.session.Session;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/** Watches a streamed response's connection (SSE, HTTP streaming) for its session; client frames come by POST. */
public final class StreamConnectionHandler extends ChannelInboundHandlerAdapter {
    private final Session session;

    public StreamConnectionHandler(Session session) {
        this.session = session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // An EventSource sends nothing more on its stream; a pipelined request here has no place.
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.close(null, null);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        session.writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
