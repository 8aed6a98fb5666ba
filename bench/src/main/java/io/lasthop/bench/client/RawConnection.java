package io.lasthop.bench.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * An abusive client without a session (issue 11, findings 3 and 4), on a plain TCP connection:
 * <ul>
 *   <li>pipelined-gets: writes GET requests every tick, while the socket takes them, and never
 *       reads an answer (it does not even ask the socket for them);
 *   <li>silent-socket: connects and sends nothing; it reads, to notice when the edge closes.
 * </ul>
 */
final class RawConnection extends AbusiveConnection {
    private final ClientPool pool;
    private final byte[] get;
    private volatile Channel channel;
    private long gets;

    RawConnection(ClientPool pool, AbuseKind kind, AbuseSettings settings, AbuseTally.Counters counters) {
        super(kind, settings, counters);
        if (kind != AbuseKind.PIPELINER && kind != AbuseKind.SILENT) {
            throw new IllegalArgumentException(kind + " is not a plain connection");
        }
        this.pool = pool;
        this.get = ("GET " + settings.getPath() + " HTTP/1.1\r\nHost: " + pool.hostHeader() + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    void start() {
        pool.bootstrap(null, new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ByteCounter(pool.stats), new Ends());
                    }
                })
                .option(ChannelOption.AUTO_READ, kind == AbuseKind.SILENT)
                .connect(pool.remote())
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        refused("connect: " + ClientPool.describe(f.cause()));
                        return;
                    }
                    channel = ((ChannelFuture) f).channel();
                    opened(channel.eventLoop());
                });
    }

    @Override
    void tick() {
        if (kind == AbuseKind.SILENT) {
            return;
        }
        Channel ch = channel;
        int n = 0;
        while (n < settings.getsPerTick() && gets < settings.maxGetsPerConnection() && ch.isWritable()) {
            ch.write(Unpooled.wrappedBuffer(get));
            n++;
            gets++;
        }
        if (n > 0) {
            ch.flush();
            counters.gets.add(n);
        }
    }

    @Override
    void closeSockets() {
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    /**
     * Notices the end of the connection. The edge sends a silent socket nothing but a refusal
     * (503 {@code overloaded}), whose status line says how it ended.
     */
    private final class Ends extends ChannelInboundHandlerAdapter {
        private String answer;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (answer == null && msg instanceof ByteBuf b) {
                String head = b.toString(b.readerIndex(), Math.min(12, b.readableBytes()), StandardCharsets.US_ASCII);
                answer = head.startsWith("HTTP/1.1 ")
                        ? "answered " + head.substring(9).trim() + ", then closed"
                        : "";
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            endedByEdge(answer == null || answer.isEmpty() ? "socket closed" : answer);
        }
    }
}
