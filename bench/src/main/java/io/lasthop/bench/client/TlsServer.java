package io.lasthop.bench.client;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A minimal HTTPS server for the {@code tls} scenario's provider comparison, run as a child JVM
 * ({@code Main tls-server}) so its CPU is its own: the edge's TLS configuration (TLS 1.3 and 1.2,
 * ALPN h2 and http/1.1, the same certificate) with the JDK's provider or netty-tcnative's
 * BoringSSL, or none, answering every request {@code 200 ok} over HTTP/1.1, then closing the
 * connection, unless the request is keep-alive (the idle connections of the comparison, held open
 * with no timeout until the client closes them). Loopback only; it
 * exits when its standard input closes (the harness died) or after {@code maxSeconds}.
 */
public final class TlsServer {
    private TlsServer() {}

    /** The server context for a provider: {@code jdk} or {@code openssl}; null for {@code none}. */
    public static SslContext context(String provider, File cert, File key) throws Exception {
        if (provider.equals("none")) {
            return null;
        }
        SslProvider p =
                switch (provider) {
                    case "jdk" -> SslProvider.JDK;
                    case "openssl" -> SslProvider.OPENSSL;
                    default -> throw new IllegalArgumentException("provider jdk, openssl or none, not " + provider);
                };
        if (p == SslProvider.OPENSSL && !OpenSsl.isAvailable()) {
            throw new IllegalStateException("netty-tcnative is not available: " + OpenSsl.unavailabilityCause());
        }
        return SslContextBuilder.forServer(cert, key)
                .sslProvider(p)
                .protocols("TLSv1.3", "TLSv1.2")
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2,
                        ApplicationProtocolNames.HTTP_1_1))
                .build();
    }

    /** Serves until stdin closes or {@code maxSeconds} pass; prints {@code ready PORT} once listening. */
    public static void serve(String provider, File cert, File key, int port, int threads, long maxSeconds)
            throws Exception {
        SslContext ssl = context(provider, cert, key);
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup boss = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        EventLoopGroup workers = epoll ? new EpollEventLoopGroup(threads) : new NioEventLoopGroup(threads);
        try {
            Channel listener = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            if (ssl != null) {
                                ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                            }
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65_536), new Ok());
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                    .sync()
                    .channel();
            System.out.println("ready " + ((InetSocketAddress) listener.localAddress()).getPort() + " " + provider
                    + (provider.equals("openssl") ? " " + OpenSsl.versionString() : ""));
            System.out.flush();
            Thread watcher = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // the harness closes stdin to stop this server
                    }
                } catch (Exception e) {
                    // closed
                }
                listener.close();
            });
            watcher.setDaemon(true);
            watcher.start();
            listener.closeFuture().await(maxSeconds * 1000);
        } finally {
            boss.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private static final class Ok extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            DefaultFullHttpResponse r = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1,
                    HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("ok\n", StandardCharsets.US_ASCII));
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 3);
            if (HttpUtil.isKeepAlive(req)) {
                // the provider comparison's idle connections: answered, then held open
                ctx.writeAndFlush(r);
            } else {
                r.headers().set(HttpHeaderNames.CONNECTION, "close");
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
