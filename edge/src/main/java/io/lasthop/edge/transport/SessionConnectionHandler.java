package io.lasthop.edge.transport;

import io.lasthop.edge.session.Session;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The last handler of a connection that carries a session: the connection closing ends the
 * session here, and the socket becoming writable again resumes its deliveries.
 */
public abstract class SessionConnectionHandler extends ChannelInboundHandlerAdapter {
    protected final Session session;

    protected SessionConnectionHandler(Session session) {
        this.session = session;
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
}
