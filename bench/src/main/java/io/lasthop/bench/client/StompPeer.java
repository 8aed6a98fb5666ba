package io.lasthop.bench.client;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.lasthop.bench.Ledgers;
import io.lasthop.bench.amqp.RawAmqpPeer;
import io.lasthop.protocol.AmqpNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The RabbitMQ Web-STOMP peer, on a broker node of the harness's own: one STOMP-over-WebSocket
 * connection per user, subscribed to the user's own queue. The queue is declared (with the edge's
 * session-queue arguments) and bound to {@code lasthop.user} by the user routing key just before
 * the user connects, so the connect time includes it, as the edge's attach does.
 */
public final class StompPeer implements AutoCloseable {
    private final ClientPool pool;
    private final List<Connection> amqp = new ArrayList<>();
    private final ExecutorService declarers;
    private final ThreadLocal<Channel> channel = new ThreadLocal<>();
    private final AtomicInteger nextConnection = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> declared = new ConcurrentLinkedQueue<>();
    private final String queuePrefix;

    public StompPeer(
            ConnectionFactory nodeAmqp,
            String wsHost,
            int wsPort,
            Ledgers ledgers,
            String queuePrefix,
            long totalSessions,
            int perAddress,
            long ackDelayMs)
            throws IOException, TimeoutException {
        this.queuePrefix = queuePrefix;
        for (int i = 0; i < 4; i++) {
            amqp.add(nodeAmqp.newConnection("lasthop-bench web-stomp setup " + i));
        }
        try (Channel ch = amqp.get(0).createChannel()) {
            ch.exchangeDeclare(AmqpNames.DEAD_EXCHANGE, BuiltinExchangeType.FANOUT, true);
            ch.exchangeDeclare(AmqpNames.USER_EXCHANGE, BuiltinExchangeType.DIRECT, true);
        }
        declarers = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "web-stomp-declare");
            t.setDaemon(true);
            return t;
        });
        byte[] unused = "web-stomp sessions carry no Lasthop token".getBytes(StandardCharsets.UTF_8);
        pool = new ClientPool(
                        wsHost,
                        wsPort,
                        unused,
                        Duration.ofHours(1),
                        ledgers,
                        new SourceAddresses(totalSessions, perAddress, 0),
                        2)
                .ackDelayMs(ackDelayMs)
                .stomp(this::queueOf, this::declare);
    }

    String queueOf(String user) {
        return queuePrefix + user;
    }

    private CompletableFuture<Void> declare(String user) {
        return CompletableFuture.runAsync(
                () -> {
                    try {
                        Channel ch = channel.get();
                        if (ch == null || !ch.isOpen()) {
                            ch = amqp.get(nextConnection.getAndIncrement() % amqp.size())
                                    .createChannel();
                            channel.set(ch);
                        }
                        String q = queueOf(user);
                        ch.queueDeclare(q, true, false, false, RawAmqpPeer.queueArgs());
                        declared.add(q);
                        ch.queueBind(q, AmqpNames.USER_EXCHANGE, AmqpNames.userRoutingKey(user));
                    } catch (IOException e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                },
                declarers);
    }

    public ConnectReport connectAll(List<String> users, int concurrency, Duration timeout) throws InterruptedException {
        return pool.connectAll(users, Transport.STOMP, concurrency, timeout);
    }

    public ClientStats stats() {
        return pool.stats();
    }

    public int openSessions() {
        return pool.sessions().size();
    }

    /** Closes every connection and deletes every queue declared so far; returns how many were deleted. */
    public int closeAndDelete(Duration timeout) {
        pool.closeAll(timeout);
        int n = 0;
        try (Channel ch = amqp.get(0).createChannel()) {
            String q;
            while ((q = declared.poll()) != null) {
                ch.queueDelete(q);
                n++;
            }
        } catch (Exception e) {
            System.err.println("web-stomp cleanup: " + e);
        }
        return n;
    }

    @Override
    public void close() {
        closeAndDelete(Duration.ofSeconds(30));
        pool.close();
        declarers.shutdownNow();
        for (Connection c : amqp) {
            try {
                c.close(5_000);
            } catch (Exception e) {
                // closing anyway
            }
        }
    }
}
