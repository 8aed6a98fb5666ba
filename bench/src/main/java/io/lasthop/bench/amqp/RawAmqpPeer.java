package io.lasthop.bench.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.lasthop.bench.Fanout;
import io.lasthop.bench.Ledgers;
import io.lasthop.bench.client.AckBatcher;
import io.lasthop.bench.client.ConnectReport;
import io.lasthop.protocol.AmqpNames;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The floor: what the same users cost with no edge at all. One queue per user, declared like an
 * edge session queue (same arguments, bound to {@code lasthop.user} by the user routing key), one
 * channel and consumer per queue with prefetch 64 and manual, cumulative acks batched like the
 * client's (32 deliveries or 10 ms), over a few AMQP connections. The same publisher feeds it.
 */
public final class RawAmqpPeer implements AutoCloseable {
    public static final int PREFETCH = 64;

    private final Ledgers ledgers;
    private final String queuePrefix;
    private final List<Connection> connections = new ArrayList<>();
    private final List<RawConsumer> consumers = java.util.Collections.synchronizedList(new ArrayList<>());
    /** Queues whose consumers {@link #dropAll} closed, waiting for {@link #resumeAll}. */
    private final List<String> dropped = new ArrayList<>();

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "raw-amqp-acks");
        t.setDaemon(true);
        return t;
    });
    private long ackDelayMs = AckBatcher.DELAY_MS;
    private int consumersPerChannel = 1;
    /** Shared channels by index (index = consumer / consumersPerChannel), when they are shared. */
    private final Map<Integer, Channel> shared = new ConcurrentHashMap<>();

    /**
     * @param queuePrefix queues are {@code queuePrefix + index}; bench/run deletes them by this prefix
     *                    if the harness dies
     */
    public RawAmqpPeer(ConnectionFactory factory, int connectionCount, Ledgers ledgers, String queuePrefix)
            throws IOException, TimeoutException {
        this.ledgers = ledgers;
        this.queuePrefix = queuePrefix;
        for (int i = 0; i < connectionCount; i++) {
            connections.add(factory.newConnection("lasthop-bench raw-amqp " + i));
        }
    }

    /**
     * Consumers per channel: 1 (the default, the edge's layout) gives each consumer a channel of its
     * own and acks cumulatively; more share a channel, which then must ack each delivery on its
     * own ({@code multiple} would ack the other consumers' deliveries too).
     */
    public RawAmqpPeer consumersPerChannel(int k) {
        this.consumersPerChannel = Math.max(1, k);
        return this;
    }

    public RawAmqpPeer ackDelayMs(long ms) {
        this.ackDelayMs = Math.max(1, ms);
        return this;
    }

    public int connectionCount() {
        return connections.size();
    }

    public int channelCount() {
        return consumers.size();
    }

    /** Session queue arguments, as the edge declares them with its defaults (PROTOCOL.md §10). */
    public static Map<String, Object> queueArgs() {
        Map<String, Object> a = new HashMap<>();
        a.put("x-expires", 120_000);
        a.put("x-max-length", 10_000);
        a.put("x-overflow", "reject-publish-dlx");
        a.put("x-dead-letter-exchange", AmqpNames.DEAD_EXCHANGE);
        a.put("x-single-active-consumer", true);
        a.put("x-queue-type", "classic");
        return a;
    }

    /**
     * Declares, binds and consumes one queue per user: {@code threads} setups in flight (each is
     * five synchronous AMQP round trips), within {@code timeout}.
     */
    public ConnectReport connectAll(List<String> users, int threads, Duration timeout) throws InterruptedException {
        return connect(
                users.stream()
                        .map(u -> new Binding(AmqpNames.USER_EXCHANGE, AmqpNames.userRoutingKey(u), null))
                        .toList(),
                threads,
                timeout);
    }

    /**
     * The fan-out floor: one queue per subscriber, bound to {@code lasthop.topic} by its topic
     * alone (an edge session queue also has its user binding, which topic messages never match),
     * its deliveries counted in the subscriber's ledger slots. Otherwise as {@link #connectAll}.
     */
    public ConnectReport connectSubscribers(List<Fanout.Subscriber> subscribers, int threads, Duration timeout)
            throws InterruptedException {
        return connect(
                subscribers.stream()
                        .map(s -> new Binding(AmqpNames.TOPIC_EXCHANGE, s.topic(), s))
                        .toList(),
                threads,
                timeout);
    }

    /**
     * How fast the broker declares and binds queues when nothing waits for a reply: the floor for
     * opening sessions. Declares and binds are timed apart; {@code channels} channels each send
     * their share back to back (no-wait), then one synchronous call, whose reply comes after every
     * earlier method of its channel (AMQP handles a channel's methods in order).
     */
    public record Pipelined(int queues, int channels, long declareNanos, long bindNanos, String failure) {
        public double declaresPerSecond() {
            return queues * 1e9 / declareNanos;
        }

        public double bindsPerSecond() {
            return queues * 1e9 / bindNanos;
        }

        /** Queues declared and bound per second, both passes together. */
        public double declaredAndBoundPerSecond() {
            return queues * 1e9 / (declareNanos + bindNanos);
        }
    }

    /** Queues declared by {@link #declarePipelined}, not yet consumed: their first index. */
    private int declaredBase = -1;

    private int declaredCount;

    /**
     * Declares one queue per user (the edge's session-queue arguments) with pipelined no-wait
     * declares, then binds them all the same way; {@link #consumeDeclared} then registers their
     * consumers. Each pass is bounded by {@code timeout}.
     */
    public Pipelined declarePipelined(List<String> users, int channels, Duration timeout) throws Exception {
        int base = consumers.size();
        int n = users.size();
        int k = Math.max(1, Math.min(channels, n));
        List<Channel> chs = new ArrayList<>();
        for (int j = 0; j < k; j++) {
            chs.add(connections.get(j % connections.size()).createChannel());
        }
        Map<String, Object> args = queueArgs();
        String failure = null;
        long declare = -1;
        long bind = -1;
        try {
            declare = pass(
                    chs,
                    n,
                    timeout,
                    (ch, i) -> ch.queueDeclareNoWait(queuePrefix + (base + i), true, false, false, args));
            bind = pass(
                    chs,
                    n,
                    timeout,
                    (ch, i) -> ch.queueBindNoWait(
                            queuePrefix + (base + i),
                            AmqpNames.USER_EXCHANGE,
                            AmqpNames.userRoutingKey(users.get(i)),
                            null));
        } catch (Exception e) {
            failure = e.toString();
        } finally {
            for (Channel ch : chs) {
                try {
                    if (ch.isOpen()) {
                        ch.close();
                    }
                } catch (Exception e) {
                    // closing anyway
                }
            }
        }
        declaredBase = base;
        declaredCount = n;
        return new Pipelined(n, k, declare, bind, failure);
    }

    private interface Step {
        void send(Channel ch, int index) throws IOException;
    }

    /** Sends step(i) for every i on channel i mod k, one thread per channel, then syncs each channel. */
    private static long pass(List<Channel> chs, int n, Duration timeout, Step step) throws Exception {
        int k = chs.size();
        ExecutorService pool = Executors.newFixedThreadPool(k);
        try {
            long t0 = System.nanoTime();
            List<Future<?>> fs = new ArrayList<>();
            for (int j = 0; j < k; j++) {
                int slot = j;
                fs.add(pool.submit(() -> {
                    Channel ch = chs.get(slot);
                    for (int i = slot; i < n; i += k) {
                        step.send(ch, i);
                    }
                    ch.basicQos(0, false); // a round trip: every method sent before it is done
                    return null;
                }));
            }
            long deadline = t0 + timeout.toNanos();
            for (Future<?> f : fs) {
                f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            return System.nanoTime() - t0;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Registers a consumer on every queue {@link #declarePipelined} declared, as {@link #connectAll}
     * would after its declare and bind: a channel of its own, prefetch, consume.
     */
    public ConnectReport consumeDeclared(int threads, Duration timeout) throws InterruptedException {
        int base = declaredBase;
        if (base < 0) {
            throw new IllegalStateException("nothing declared");
        }
        declaredBase = -1;
        return BlockingSetups.run(declaredCount, threads, timeout, i -> {
            String queue = queuePrefix + (base + i);
            consume(channelFor(base + i), queue, null);
        });
    }

    /** A queue's one binding, and the subscriber whose slots count its deliveries (null: by message number). */
    private record Binding(String exchange, String key, Fanout.Subscriber subscriber) {}

    private ConnectReport connect(List<Binding> bindings, int threads, Duration timeout) throws InterruptedException {
        int base = consumers.size();
        return BlockingSetups.run(bindings.size(), threads, timeout, i -> {
            Binding binding = bindings.get(i);
            String queue = queuePrefix + (base + i);
            Channel ch = channelFor(base + i);
            ch.queueDeclare(queue, true, false, false, queueArgs());
            ch.queueBind(queue, binding.exchange(), binding.key());
            consume(ch, queue, binding.subscriber());
        });
    }

    /**
     * Closes every consumer's channel, keeping the queues, as a lost connection would (unacked
     * deliveries are requeued). Returns how many were dropped; {@link #resumeAll} brings them back.
     */
    public int dropAll() {
        List<RawConsumer> all;
        synchronized (consumers) {
            all = new ArrayList<>(consumers);
            consumers.clear();
        }
        for (RawConsumer c : all) {
            try {
                if (c.getChannel().isOpen()) {
                    c.getChannel().close();
                }
            } catch (Exception e) {
                // gone already: the broker requeued its deliveries
            }
            dropped.add(c.queue);
        }
        return all.size();
    }

    /**
     * Registers a consumer again on every dropped queue, as a reconnecting consumer does: a
     * channel, prefetch, a passive declare (the queue must still exist), consume. The floor for
     * sessions resuming existing queues.
     */
    public ConnectReport resumeAll(int threads, Duration timeout) throws InterruptedException {
        List<String> queues = new ArrayList<>(dropped);
        dropped.clear();
        return BlockingSetups.run(queues.size(), threads, timeout, i -> {
            String queue = queues.get(i);
            Channel ch = connections.get(i % connections.size()).createChannel();
            ch.basicQos(PREFETCH);
            ch.queueDeclarePassive(queue);
            consume(ch, queue, null);
        });
    }

    /** A channel of its own with its prefetch set, or the shared channel of consumer {@code index}. */
    private Channel channelFor(int index) throws IOException {
        if (consumersPerChannel == 1) {
            Channel ch = connections.get(index % connections.size()).createChannel();
            ch.basicQos(PREFETCH);
            return ch;
        }
        int slot = index / consumersPerChannel;
        synchronized (shared) {
            Channel ch = shared.get(slot);
            if (ch == null || !ch.isOpen()) {
                ch = connections.get(slot % connections.size()).createChannel();
                ch.basicQos(PREFETCH); // per consumer, for every consumer started on it later
                shared.put(slot, ch);
            }
            return ch;
        }
    }

    public int sharedChannelCount() {
        return consumersPerChannel == 1 ? consumers.size() : shared.size();
    }

    private void consume(Channel ch, String queue, Fanout.Subscriber subscriber) throws IOException {
        RawConsumer consumer =
                new RawConsumer(ch, queue, subscriber, ledgers, consumersPerChannel > 1, timers, ackDelayMs);
        ch.basicConsume(queue, false, consumer);
        consumers.add(consumer);
    }

    /**
     * Closes every consumer's channel (unacked deliveries are requeued) and deletes its queue.
     * Returns the number of queues deleted.
     */
    public int closeAndDelete(Duration timeout) {
        List<RawConsumer> all;
        synchronized (consumers) {
            all = new ArrayList<>(consumers);
            consumers.clear();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        int deleted = 0;
        try (Channel admin = connections.get(0).createChannel()) {
            for (String q : dropped) {
                if (System.nanoTime() < deadline) {
                    admin.queueDelete(q);
                    deleted++;
                }
            }
            dropped.clear();
            for (RawConsumer c : all) {
                if (System.nanoTime() > deadline) {
                    // Closing the connections closes the rest; bench/run deletes the queues left.
                    break;
                }
                try {
                    if (consumersPerChannel == 1 && c.getChannel().isOpen()) {
                        c.getChannel().close();
                    }
                } catch (Exception e) {
                    // deleted below anyway
                }
                if (System.nanoTime() < deadline) {
                    admin.queueDelete(c.queue);
                    deleted++;
                }
            }
        } catch (Exception e) {
            System.err.println("raw-amqp cleanup: " + e);
        }
        // Deleting a queue cancels its consumer; the shared channels go last.
        synchronized (shared) {
            for (Channel ch : shared.values()) {
                try {
                    if (ch.isOpen()) {
                        ch.close();
                    }
                } catch (Exception e) {
                    // closing anyway
                }
            }
            shared.clear();
        }
        return deleted;
    }

    @Override
    public void close() {
        closeAndDelete(Duration.ofSeconds(60));
        for (Connection c : connections) {
            try {
                c.close(5_000);
            } catch (Exception e) {
                // closing anyway
            }
        }
        timers.shutdownNow();
    }
}
