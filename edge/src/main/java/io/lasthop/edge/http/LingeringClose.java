package io.lasthop.edge.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection after its last words without losing them, and without waiting for a peer
 * that never reads. Closing a socket while its peer is still sending makes the kernel answer with
 * a reset, and a reset can overtake what the peer has not read yet: the close frame or the error
 * that says why. So once the last write is out, the output is finished (TLS close_notify, then
 * FIN) and whatever the peer still sends is discarded until it hangs up, as nginx's
 * lingering_close does. Either way the connection is gone {@link #LINGER_MILLIS} after the call:
 * a client that never reads cannot keep its unsent output, or its slot, alive.
 */
public final class LingeringClose {
    /** How long a closing connection may take to read its last words and hang up. */
    public static final long LINGER_MILLIS = 2_000;

    private LingeringClose() {}

    /** Closes the connection of {@code lastWrite} once it is written, within the linger at most. */
    public static void after(ChannelFuture lastWrite) {
        Channel ch = lastWrite.channel();
        var deadline = ch.eventLoop()
                .schedule(
                        () -> {
                            ch.close();
                        },
                        LINGER_MILLIS,
                        TimeUnit.MILLISECONDS);
        ch.closeFuture().addListener(f -> deadline.cancel(false));
        lastWrite.addListener(f -> {
            // An HTTP/2 stream ends without touching the connection the other streams share.
            if (!f.isSuccess() || !ch.isActive() || !(ch instanceof DuplexChannel duplex)) {
                ch.close();
                return;
            }
            if (ch.pipeline().get(Discard.class) == null) {
                ch.pipeline().addFirst("linger", new Discard());
            }
            ch.config().setAutoRead(true);
            SslHandler ssl = ch.pipeline().get(SslHandler.class);
            if (ssl == null) {
                duplex.shutdownOutput();
            } else {
                ssl.closeOutbound().addListener(sent -> duplex.shutdownOutput());
            }
        });
    }

    /** Drops everything a closing connection still receives; its end, or any error, closes it. */
    private static final class Discard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {}

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            // Nothing is written any more; a handler further on must not turn reading off again.
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
