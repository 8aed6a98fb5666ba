package io.lasthop.edge.server;

import io.lasthop.edge.metrics.EdgeMetrics;
import io.lasthop.edge.metrics.LoopDelay;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/** The node's Netty event loops (epoll where the platform has it), shared by its listeners. */
final class EventLoops implements AutoCloseable {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Class<? extends ServerChannel> serverChannelType;

    EventLoops() {
        if (Epoll.isAvailable()) {
            boss = new EpollEventLoopGroup(1, new DefaultThreadFactory("lasthop-accept"));
            workers = new EpollEventLoopGroup(0, new DefaultThreadFactory("lasthop-io"));
            serverChannelType = EpollServerSocketChannel.class;
        } else {
            boss = new NioEventLoopGroup(1, new DefaultThreadFactory("lasthop-accept"));
            workers = new NioEventLoopGroup(0, new DefaultThreadFactory("lasthop-io"));
            serverChannelType = NioServerSocketChannel.class;
        }
    }

    /** Measures how late each worker loop runs its tasks ({@link LoopDelay}). */
    void measureDelay(EdgeMetrics metrics) {
        LoopDelay.watch(workers, metrics.loopDelay, 100, TimeUnit.MILLISECONDS);
    }

    /** A listener on {@code host:port} whose connections start with {@code pipeline}. */
    Channel bind(String host, int port, ChannelInitializer<SocketChannel> pipeline) throws InterruptedException {
        return new ServerBootstrap()
                .group(boss, workers)
                .channel(serverChannelType)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(pipeline)
                .bind(host, port)
                .sync()
                .channel();
    }

    @Override
    public void close() {
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
