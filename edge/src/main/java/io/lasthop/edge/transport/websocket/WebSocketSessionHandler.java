package io.lasthop.edge.transport.websocket;

import io.lasthop.edge.http.LingeringClose;
import io.lasthop.edge.session.Session;
import io.lasthop.edge.transport.SessionConnectionHandler;
import io.lasthop.protocol.ClientFrame;
import io.lasthop.protocol.ClientFrameDecoder;
import io.lasthop.protocol.ErrorCode;
import io.lasthop.protocol.FrameException;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Feeds a WebSocket connection's messages to its session, after the handshake. */
final class WebSocketSessionHandler extends SessionConnectionHandler {
    private static final Logger log = LoggerFactory.getLogger(WebSocketSessionHandler.class);

    WebSocketSessionHandler(Session session) {
        super(session);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            read(ctx, frame);
        } finally {
            frame.release();
        }
    }

    private void read(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame) {
            ClientFrame decoded;
            try {
                decoded = ClientFrameDecoder.decode(ByteBufUtil.getBytes(frame.content()));
            } catch (FrameException e) {
                session.touch();
                session.sendError(e.ref(), e.code(), e.getMessage());
                return;
            }
            session.onClientFrames(List.of(decoded));
        } else if (frame instanceof PingWebSocketFrame) {
            session.touch();
            ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
        } else if (frame instanceof PongWebSocketFrame) {
            session.touch();
        } else if (frame instanceof CloseWebSocketFrame close) {
            ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                    .addListener(ChannelFutureListener.CLOSE);
            session.close(null, null);
        } else if (frame instanceof BinaryWebSocketFrame) {
            session.sendError(-1, ErrorCode.BAD_FRAME, "binary messages are not accepted; send JSON as text messages");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            // A fragmented message over the limit: the aggregator refused it.
            session.sendError(-1, ErrorCode.FRAME_TOO_LARGE, cause.getMessage());
            LingeringClose.after(ctx.writeAndFlush(
                    new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG, "frame too large")));
        } else if (cause instanceof CorruptedWebSocketFrameException) {
            // The decoder has already sent the close frame (1002, or 1009 for an oversize frame).
            ctx.close();
        } else {
            log.debug("closing WebSocket of session {}: {}", session.id(), cause.toString());
            ctx.close();
        }
    }
}
