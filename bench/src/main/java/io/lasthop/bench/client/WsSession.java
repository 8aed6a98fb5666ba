package io.lasthop.bench.client;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.concurrent.CompletableFuture;

/** A session over {@code /lasthop/ws}: one text message per frame, both ways. */
final class WsSession extends ClientSession {
    WsSession(ClientPool pool, String user, String token) {
        super(pool, user, token);
    }

    @Override
    Transport transport() {
        return Transport.WS;
    }

    @Override
    void sendAck(long seq) {
        channel.writeAndFlush(new TextWebSocketFrame("{\"t\":\"ack\",\"seq\":" + seq + "}"));
    }

    @Override
    void sendPong() {
        channel.writeAndFlush(new TextWebSocketFrame("{\"t\":\"pong\"}"));
    }

    @Override
    void sendRequest(long ref, String frame) {
        channel.writeAndFlush(new TextWebSocketFrame(frame));
    }

    @Override
    CompletableFuture<Void> close() {
        return closeWebSocket();
    }

    /** The last handler of the pipeline, after Netty's WebSocket client protocol handler. */
    final class Handler extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame) {
                onFrameBytes(frame.content());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof WebSocketClientHandshakeException h && h.response() != null) {
                fail("http " + h.response().status().code());
            } else {
                fail(ClientPool.describe(cause));
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            onClosed("closed before hello");
        }
    }
}
