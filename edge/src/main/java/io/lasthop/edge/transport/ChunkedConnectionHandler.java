package io.lasthop.edge.transport;

import io.lasthop.edge.session.Session;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;

/** Watches the connection of a chunked response (SSE, HTTP streaming) for its session; client frames come by POST. */
public final class ChunkedConnectionHandler extends SessionConnectionHandler {
    public ChunkedConnectionHandler(Session session) {
        super(session);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // An EventSource sends nothing more on its stream; a pipelined request here has no place.
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
