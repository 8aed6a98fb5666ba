package io.lasthop.bench.client;

import io.lasthop.bench.Ledgers;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** A Netty server on 127.0.0.1 at a free port, for tests: each accepted connection's pipeline is the test's. */
final class LocalServer implements AutoCloseable {
    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final List<ClientPool> pools = new ArrayList<>();
    private final int port;

    LocalServer(Consumer<ChannelPipeline> pipeline) {
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        pipeline.accept(ch.pipeline());
                    }
                })
                .bind("127.0.0.1", 0)
                .syncUninterruptibly()
                .channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
    }

    /**
     * A server taking WebSocket upgrades on {@code path} (query allowed) with {@code subprotocol},
     * refusing any other request with 403. {@code onOpen} runs once a handshake is done;
     * {@code onMessage} gets each text message, and a close as "close CODE REASON" (answered with
     * a close, then the socket closes).
     */
    static LocalServer webSocket(
            String path, String subprotocol, Consumer<Channel> onOpen, BiConsumer<Channel, String> onMessage) {
        WebSocketServerProtocolConfig cfg = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(path)
                .subprotocols(subprotocol)
                .checkStartsWith(true)
                .handleCloseFrames(false)
                .build();
        return new LocalServer(p -> p.addLast(
                new HttpServerCodec(),
                new HttpObjectAggregator(65_536),
                new WebSocketServerProtocolHandler(cfg),
                new SimpleChannelInboundHandler<Object>() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                            onOpen.accept(ctx.channel());
                        }
                    }

                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof CloseWebSocketFrame c) {
                            onMessage.accept(ctx.channel(), "close " + c.statusCode() + " " + c.reasonText());
                            ctx.writeAndFlush(new CloseWebSocketFrame(1000, ""))
                                    .addListener(ChannelFutureListener.CLOSE);
                        } else if (msg instanceof TextWebSocketFrame t) {
                            onMessage.accept(ctx.channel(), t.text());
                        } else if (msg instanceof FullHttpRequest) {
                            ctx.writeAndFlush(new DefaultFullHttpResponse(
                                            HttpVersion.HTTP_1_1, HttpResponseStatus.FORBIDDEN, Unpooled.EMPTY_BUFFER))
                                    .addListener(ChannelFutureListener.CLOSE);
                        } else if (!(msg instanceof WebSocketFrame)) {
                            ctx.close();
                        }
                    }
                }));
    }

    int port() {
        return port;
    }

    /** A client pool of one event-loop thread aimed at this server, closed with the server. */
    ClientPool pool() {
        ClientPool pool = new ClientPool(
                "127.0.0.1",
                port,
                "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8),
                Duration.ofMinutes(1),
                new Ledgers(),
                new SourceAddresses(0, SourceAddresses.DEFAULT_PER_ADDRESS, 0),
                1);
        pools.add(pool);
        return pool;
    }

    /** Closes the pools it made, then the server. */
    @Override
    public void close() {
        pools.forEach(ClientPool::close);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
