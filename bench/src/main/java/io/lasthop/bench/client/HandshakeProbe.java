package io.lasthop.bench.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Connections with no session: each opens (TCP, and the pool's TLS handshake if it has one, always
 * a full one), sends one {@code GET path} with {@code Connection: close}, reads the answer, and
 * closes. What a connection costs the server beside any session: the TLS handshake, measured
 * without the broker. In hold mode the request is keep-alive and the answered connection stays
 * open, idle, until {@link #closeHeld}: what an idle connection costs the server's memory.
 */
public final class HandshakeProbe {
    private final ClientPool pool;
    private final String path;
    private final boolean hold;
    private final Set<Channel> held = ConcurrentHashMap.newKeySet();
    private volatile String negotiated = "plain";

    public HandshakeProbe(ClientPool pool, String path) {
        this(pool, path, false);
    }

    /**
     * {@code hold}: each request is keep-alive, and a connection answered {@code 200} stays open,
     * idle, until {@link #closeHeld}.
     */
    public HandshakeProbe(ClientPool pool, String path, boolean hold) {
        this.pool = pool;
        this.path = path;
        this.hold = hold;
    }

    /** Connections held open (hold mode), still open. */
    public int heldOpen() {
        return (int) held.stream().filter(Channel::isActive).count();
    }

    /** Closes every held connection and waits at most {@code timeout} for them to close. */
    public void closeHeld(Duration timeout) throws InterruptedException {
        List<io.netty.channel.ChannelFuture> closing = new ArrayList<>();
        held.forEach(ch -> closing.add(ch.close()));
        long deadline = System.nanoTime() + timeout.toNanos();
        for (io.netty.channel.ChannelFuture f : closing) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !f.await(TimeUnit.NANOSECONDS.toMillis(left) + 1)) {
                break;
            }
        }
        held.clear();
    }

    /** The TLS version and cipher suite of the last handshake, or "plain". */
    public String negotiated() {
        return negotiated;
    }

    /** Opens {@code count} connections, at most {@code concurrency} in flight, within {@code timeout}. */
    public ConnectReport run(int count, int concurrency, Duration timeout) throws InterruptedException {
        List<Integer> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            items.add(i);
        }
        return InFlight.run(items, concurrency, timeout, i -> once());
    }

    private CompletableFuture<Void> once() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        ChannelInitializer<Channel> init = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new ByteCounter(pool.stats));
                pool.addTls(ch.pipeline());
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65_536), new Answer(done));
            }
        };
        pool.bootstrap(null, init).connect(pool.remote()).addListener(f -> {
            if (!f.isSuccess()) {
                done.completeExceptionally(f.cause());
                return;
            }
            Channel ch = ((io.netty.channel.ChannelFuture) f).channel();
            DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
            req.headers()
                    .set(HttpHeaderNames.HOST, pool.hostHeader())
                    .set(HttpHeaderNames.CONNECTION, hold ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
            ch.writeAndFlush(req);
            ch.eventLoop()
                    .schedule(
                            () -> {
                                if (done.completeExceptionally(new IOException("no answer within 20 s"))) {
                                    ch.close();
                                }
                            },
                            ClientPool.HELLO_TIMEOUT_MS,
                            TimeUnit.MILLISECONDS);
        });
        return done;
    }

    private final class Answer extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final CompletableFuture<Void> done;

        Answer(CompletableFuture<Void> done) {
            this.done = done;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            if (ssl != null) {
                negotiated = ssl.engine().getSession().getProtocol() + " "
                        + ssl.engine().getSession().getCipherSuite();
            }
            if (r.status().code() != 200) {
                done.completeExceptionally(new IOException("http " + r.status().code()));
                ctx.close();
            } else if (hold) {
                held.add(ctx.channel());
                done.complete(null);
            } else {
                done.complete(null);
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            held.remove(ctx.channel());
            done.completeExceptionally(new IOException("closed before the answer"));
        }
    }
}
