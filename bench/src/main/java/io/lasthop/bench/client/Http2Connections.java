package io.lasthop.bench.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The HTTP/2 connections of a {@link ClientPool}: SSE and HTTP streaming sessions share them as a
 * browser's tabs share one connection per origin, each session's GET one stream, each of its ack
 * POSTs another, short-lived one. A connection takes at most {@code sessionsPerConnection}
 * sessions (so, with one POST in flight per session, at most twice as many streams: keep it at
 * half the server's {@code SETTINGS_MAX_CONCURRENT_STREAMS}); the next session opens a new one.
 * Over TLS with ALPN {@code h2}, Netty's HTTP/2 frame codec and stream multiplexer; a stream's
 * pipeline converts frames to HTTP/1 objects, so the sessions' HTTP/1 handlers read them as they
 * would read a connection.
 */
final class Http2Connections {
    private final ClientPool pool;
    private final int sessionsPerConnection;
    private final List<Channel> parents = new ArrayList<>();
    private CompletableFuture<Channel> current;
    private int currentLoad;
    private int opened;
    private volatile int serverMaxStreams = -1;

    Http2Connections(ClientPool pool, int sessionsPerConnection) {
        this.pool = pool;
        this.sessionsPerConnection = Math.max(1, sessionsPerConnection);
    }

    /** The connection the next session goes to: the current one until it is full, then a new one. */
    private synchronized CompletableFuture<Channel> parent() {
        if (current == null
                || currentLoad >= sessionsPerConnection
                || (current.isDone()
                        && (current.isCompletedExceptionally()
                                || !current.join().isActive()))) {
            current = connect();
            currentLoad = 0;
            opened++;
        }
        currentLoad++;
        return current;
    }

    /** A new connection: TCP, TLS, ALPN must pick {@code h2}, then the codec and the multiplexer. */
    private CompletableFuture<Channel> connect() {
        CompletableFuture<Channel> ready = new CompletableFuture<>();
        ChannelInitializer<Channel> init = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new ByteCounter(pool.stats));
                pool.addTls(ch.pipeline());
                ch.pipeline().addLast(new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
                    @Override
                    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                        if (!ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                            ready.completeExceptionally(new IOException("ALPN chose " + protocol + ", not h2"));
                            ctx.close();
                            return;
                        }
                        Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
                                .initialSettings(io.netty.handler.codec.http2.Http2Settings.defaultSettings()
                                        .pushEnabled(false))
                                .build();
                        ctx.pipeline().addLast(codec);
                        // No pushed streams: the server never opens one towards the client.
                        ctx.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                        ctx.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            /** Frames the multiplexer passes on (SETTINGS among them): note the server's stream limit. */
                            @Override
                            public void channelRead(ChannelHandlerContext c, Object msg) throws Exception {
                                serverMaxStreams = codec.connection().local().maxActiveStreams();
                                super.channelRead(c, msg);
                            }
                        });
                        ready.complete(ctx.channel());
                    }

                    @Override
                    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) throws Exception {
                        ready.completeExceptionally(cause);
                        super.handshakeFailure(ctx, cause);
                    }
                });
            }
        };
        ChannelFuture cf = pool.bootstrap(null, init).connect(pool.remote());
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                ready.completeExceptionally(f.cause());
            } else {
                synchronized (this) {
                    parents.add(cf.channel());
                }
                cf.channel().closeFuture().addListener(c -> ready.completeExceptionally(new IOException("closed")));
            }
        });
        return ready;
    }

    /** Opens a session's GET as a new stream; completes at its hello, as {@link ClientPool} does for a connection. */
    CompletableFuture<ClientSession> start(ClientSession s, String notReady) {
        pool.track(s);
        parent().whenComplete((parent, e) -> {
            if (e != null) {
                s.fail("h2 connection: " + ClientPool.describe(e));
                pool.forget(s);
                return;
            }
            openStream(parent, s::initPipeline).addListener((Future<Http2StreamChannel> f) -> {
                if (!f.isSuccess()) {
                    s.fail("h2 stream: " + ClientPool.describe(f.cause()));
                    pool.forget(s);
                    return;
                }
                s.channel = f.getNow();
                s.connected();
                pool.helloTimeout(s, notReady);
            });
        });
        return s.ready;
    }

    /** A new stream on {@code parent}, its pipeline made by {@code init}. */
    static Future<Http2StreamChannel> openStream(
            Channel parent, java.util.function.Consumer<io.netty.channel.ChannelPipeline> init) {
        return new Http2StreamChannelBootstrap(parent)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                        init.accept(ch.pipeline());
                    }
                })
                .open();
    }

    /** Closes every connection (after the sessions closed their streams). */
    synchronized void closeAll() {
        for (Channel c : parents) {
            c.close();
        }
        parents.clear();
        current = null;
        currentLoad = 0;
    }

    synchronized Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("h2_connections_opened", opened);
        m.put("h2_sessions_per_connection", sessionsPerConnection);
        m.put("h2_server_max_concurrent_streams", serverMaxStreams);
        return m;
    }
}
