package io.lasthop.edge.server;

import io.lasthop.edge.http.ConnectionEvents;
import io.lasthop.edge.metrics.EdgeMetrics;
import io.lasthop.protocol.ErrorCode;
import io.lasthop.protocol.ServerFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The first handler of every connection of a listener: counts it against the node's connection
 * bounds ({@link ConnectionLimits}) and refuses it at once past them, before any byte of it is read,
 * so a flood of connections costs no more than their sockets. A connection counts as
 * unauthenticated until a request on it carries a valid token. Shared by the listener's connections.
 */
@ChannelHandler.Sharable
final class ConnectionCounter extends ChannelInboundHandlerAdapter {
    private static final AttributeKey<Boolean> AUTHENTICATED = AttributeKey.valueOf("lasthop.authenticated");
    /** Written before any byte of the request is read, as a plain HTTP/1.1 answer. */
    private static final byte[] OVERLOADED = overloaded();

    private final ConnectionLimits limits;
    private final EdgeMetrics metrics;
    private final boolean tls;

    /** @param tls a refusal cannot be answered in plain HTTP: the connection is just closed */
    ConnectionCounter(ConnectionLimits limits, EdgeMetrics metrics, boolean tls) {
        this.limits = limits;
        this.metrics = metrics;
        this.tls = tls;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!limits.tryOpen(ctx.channel())) {
            metrics.refused("connections");
            ctx.channel().config().setAutoRead(false);
            if (tls) {
                ctx.close();
            } else {
                ByteBuf refusal = Unpooled.wrappedBuffer(OVERLOADED);
                ctx.writeAndFlush(refusal).addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        ctx.channel().attr(AUTHENTICATED).set(Boolean.FALSE);
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if ((evt == ConnectionEvents.AUTHENTICATED || evt == ConnectionEvents.SESSION_ATTACHED)
                && ctx.channel().attr(AUTHENTICATED).compareAndSet(Boolean.FALSE, Boolean.TRUE)) {
            limits.authenticated();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Boolean authenticated = ctx.channel().attr(AUTHENTICATED).getAndSet(null);
        if (authenticated != null) {
            limits.closed(authenticated);
        }
        ctx.fireChannelInactive();
    }

    private static byte[] overloaded() {
        byte[] body = ServerFrames.httpError(
                ErrorCode.OVERLOADED, "this node holds as many connections as it may; retry, ideally on another node");
        String head =
                "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
                        + "Retry-After: 2\r\nConnection: close\r\nContent-Length: " + body.length + "\r\n\r\n";
        byte[] out = Arrays.copyOf(head.getBytes(StandardCharsets.US_ASCII), head.length() + body.length);
        System.arraycopy(body, 0, out, head.length(), body.length);
        return out;
    }
}
