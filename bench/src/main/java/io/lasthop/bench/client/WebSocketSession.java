package io.lasthop.bench.client;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.URI;
import java.util.concurrent.CompletableFuture;

/** A session over {@code /lasthop/ws}: one text message per frame, both ways. */
final class WebSocketSession extends ClientSession {
    WebSocketSession(ClientPool pool, String user, String token) {
        super(pool, user, token);
    }

    @Override
    Transport transport() {
        return Transport.WEBSOCKET;
    }

    @Override
    void initPipeline(ChannelPipeline p) {
        WebSocketClientProtocolConfig cfg = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(URI.create("ws://" + pool.hostHeader() + "/lasthop/ws?token=" + token + resume))
                .version(WebSocketVersion.V13)
                .maxFramePayloadLength(ClientPool.MAX_FRAME).handshakeTimeoutMillis(ClientPool.HELLO_TIMEOUT_MS)
                .handleCloseFrames(true).dropPongFrames(true).build();
        p.addLast(new HttpClientCodec(), new HttpObjectAggregator(65_536), new WebSocketClientProtocolHandler(cfg),
                new WebSocketFrameAggregator(ClientPool.MAX_FRAME), new Handler());
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
