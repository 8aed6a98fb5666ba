package io.lasthop.bench.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketClientCompressionHandler;
import java.net.URI;
import java.util.concurrent.CompletableFuture;

/**
 * The pipeline of a session over one WebSocket, Lasthop's websocket transport or the Web-STOMP
 * peer: Netty's HTTP codec and WebSocket client protocol handler (which answers pings and the
 * close handshake), then a last handler that hands each text message to the session and fails it
 * on a refused handshake or an error; and the close a leaving tab makes.
 */
final class WebSocketPipeline {
    /** {@code BENCH_WS_DEFLATE=1}: offer permessage-deflate, as browsers do, to measure what it costs. */
    static final boolean DEFLATE = "1".equals(System.getenv("BENCH_WS_DEFLATE"));

    private WebSocketPipeline() {}

    /** What a session does with its WebSocket. */
    interface Listener {
        /** One text message, whole; the buffer is only valid during the call. */
        void onText(ByteBuf content);

        /** The handshake completed. */
        default void onHandshake(ChannelHandlerContext ctx) {}
    }

    /**
     * @param subprotocol null for none
     * @param notReady    why the session failed if the socket closes before it is ready
     */
    static void init(
            ChannelPipeline p, URI uri, String subprotocol, ClientSession session, String notReady, Listener listener) {
        WebSocketClientProtocolConfig cfg = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .version(WebSocketVersion.V13)
                .subprotocol(subprotocol)
                .maxFramePayloadLength(ClientPool.MAX_FRAME)
                .handshakeTimeoutMillis(ClientPool.HELLO_TIMEOUT_MS)
                .handleCloseFrames(true)
                .dropPongFrames(true)
                .allowExtensions(DEFLATE)
                .build();
        p.addLast(new HttpClientCodec(), new HttpObjectAggregator(65_536));
        if (DEFLATE) {
            p.addLast(WebSocketClientCompressionHandler.INSTANCE);
        }
        p.addLast(
                new WebSocketClientProtocolHandler(cfg),
                new WebSocketFrameAggregator(ClientPool.MAX_FRAME),
                new Handler(session, notReady, listener));
    }

    /** A WebSocket's close handshake, then the socket: what a leaving tab does. */
    static CompletableFuture<Void> close(ClientSession s) {
        s.closing = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (s.channel == null) {
            done.complete(null);
            return done;
        }
        s.channel.closeFuture().addListener(f -> done.complete(null));
        if (s.channel.isActive()) {
            s.channel.writeAndFlush(new CloseWebSocketFrame(1000, "bye")).addListener(ChannelFutureListener.CLOSE);
        } else {
            s.channel.close();
        }
        return done;
    }

    /** The last handler of the pipeline, after Netty's WebSocket client protocol handler. */
    private static final class Handler extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final ClientSession session;
        private final String notReady;
        private final Listener listener;

        Handler(ClientSession session, String notReady, Listener listener) {
            this.session = session;
            this.notReady = notReady;
            this.listener = listener;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                listener.onHandshake(ctx);
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame) {
                listener.onText(frame.content());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof WebSocketClientHandshakeException h && h.response() != null) {
                session.fail("http " + h.response().status().code());
            } else {
                session.fail(ClientPool.describe(cause));
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            session.onClosed(notReady);
        }
    }
}
