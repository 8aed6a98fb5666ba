package io.lasthop.bench.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.lasthop.bench.EpochMicros;
import io.lasthop.bench.Fanout;
import io.lasthop.bench.Ledgers;
import io.lasthop.bench.MessageIds;
import io.lasthop.bench.Payloads;
import io.lasthop.bench.client.AckBatcher;
import io.lasthop.bench.client.ConnectReport;
import io.lasthop.protocol.AmqpNames;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * The floor: what the same users cost with no edge at all. One queue per user, declared like an
 * edge session queue (same arguments, bound to {@code lasthop.user} by the user routing key), one
 * channel and consumer per queue with prefetch 64 and manual, cumulative acks batched like the
 * client's (32 deliveries or 10 ms), over a few AMQP connections. The same publisher feeds it.
 */
public final class RawAmqpPeer implements AutoCloseable {
    public static final int PREFETCH = 64;

    private final ConnectionFactory factory;
    private final Ledgers ledgers;
    private final String queuePrefix;
    private final List<Connection> connections = new ArrayList<>();
    private final List<Consumer> consumers = java.util.Collections.synchronizedList(new ArrayList<>());
    /** Queues whose consumers {@link #dropAll} closed, waiting for {@link #resumeAll}. */
    private final List<String> dropped = new ArrayList<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "raw-amqp-acks");
        t.setDaemon(true);
        return t;
    });
    public final LongAdder messages = new LongAdder();
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
        this.factory = factory;
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
        return connect(users.stream().map(u -> new Binding(AmqpNames.USER_EXCHANGE, AmqpNames.userRoutingKey(u), null))
                .toList(), threads, timeout);
    }

    /**
     * The fan-out floor: one queue per subscriber, bound to {@code lasthop.topic} by its topic
     * alone (an edge session queue also has its user binding, which topic messages never match),
     * its deliveries counted in the subscriber's ledger slots. Otherwise as {@link #connectAll}.
     */
    public ConnectReport connectSubscribers(List<Fanout.Subscriber> subscribers, int threads, Duration timeout)
            throws InterruptedException {
        return connect(subscribers.stream().map(s -> new Binding(AmqpNames.TOPIC_EXCHANGE, s.topic(), s)).toList(),
                threads, timeout);
    }

    /** A queue's one binding, and the subscriber whose slots count its deliveries (null: by message number). */
    private record Binding(String exchange, String key, Fanout.Subscriber subscriber) { }

    private ConnectReport connect(List<Binding> bindings, int threads, Duration timeout) throws InterruptedException {
        int base = consumers.size();
        return runSetups(bindings.size(), threads, timeout, i -> {
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
        List<Consumer> all;
        synchronized (consumers) {
            all = new ArrayList<>(consumers);
            consumers.clear();
        }
        for (Consumer c : all) {
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
        return runSetups(queues.size(), threads, timeout, i -> {
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
        Consumer consumer = new Consumer(ch, queue, subscriber);
        ch.basicConsume(queue, false, consumer);
        consumers.add(consumer);
    }

    /** One consumer's setup, blocking on the broker. */
    private interface Setup {
        void run(int index) throws Exception;
    }

    private ConnectReport runSetups(int count, int threads, Duration timeout, Setup setup) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Recorder latency = new Recorder(1, 600_000_000L, 3);
        LongAdder ok = new LongAdder();
        Map<String, LongAdder> failures = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(count);
        AtomicLong lastDone = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        for (int i = 0; i < count; i++) {
            int index = i;
            pool.execute(() -> {
                long t0 = System.nanoTime();
                try {
                    if (t0 > deadline) {
                        failures.computeIfAbsent("not started before the deadline", k -> new LongAdder()).increment();
                        return;
                    }
                    setup.run(index);
                    long t1 = System.nanoTime();
                    lastDone.accumulateAndGet(t1, Math::max);
                    latency.recordValue(Math.max(1, (t1 - t0) / 1_000));
                    ok.increment();
                } catch (Exception e) {
                    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                    failures.computeIfAbsent(m.length() > 120 ? m.substring(0, 120) : m, k -> new LongAdder()).increment();
                } finally {
                    done.countDown();
                }
            });
        }
        boolean all = done.await(timeout.toMillis() + 30_000, TimeUnit.MILLISECONDS);
        pool.shutdownNow();
        Map<String, Long> reasons = new TreeMap<>();
        failures.forEach((k, v) -> reasons.put(k, v.sum()));
        if (!all) {
            reasons.merge("still connecting at the deadline", done.getCount(), Long::sum);
        }
        long elapsed = Math.max(1, (lastDone.get() == 0 ? System.nanoTime() : lastDone.get()) - start);
        return new ConnectReport(count, ok.sum(), 0, reasons, elapsed, latency.getIntervalHistogram());
    }

    /** Queue names declared so far. */
    public List<String> queues() {
        synchronized (consumers) {
            return consumers.stream().map(c -> c.queue).toList();
        }
    }

    /**
     * Closes every consumer's channel (unacked deliveries are requeued) and deletes its queue.
     * Returns the number of queues deleted.
     */
    public int closeAndDelete(Duration timeout) {
        List<Consumer> all;
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
            for (Consumer c : all) {
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

    private final class Consumer extends DefaultConsumer {
        final String queue;
        private final Fanout.Subscriber subscriber;
        private final AckBatcher acks = new AckBatcher();
        /** Tags to ack one by one, on a shared channel. */
        private final List<Long> single = new ArrayList<>();

        Consumer(Channel ch, String queue, Fanout.Subscriber subscriber) {
            super(ch);
            this.queue = queue;
            this.subscriber = subscriber;
        }

        @Override
        public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) {
            long now = EpochMicros.now();
            messages.increment();
            String id = props.getMessageId();
            long n = MessageIds.number(id);
            long index = subscriber == null ? n : subscriber.ledgerIndex(env.getRoutingKey(), n);
            ledgers.record(MessageIds.phase(id), index, Payloads.sentUs(body, 0, body.length), now);
            AckBatcher.Action a;
            synchronized (this) {
                if (consumersPerChannel > 1) {
                    single.add(env.getDeliveryTag());
                }
                a = acks.onMessage(env.getDeliveryTag());
            }
            switch (a) {
                case ACK_NOW -> flush();
                case ARM_TIMER -> timers.schedule(this::flush, ackDelayMs, TimeUnit.MILLISECONDS);
                case NONE -> { }
            }
        }

        private void flush() {
            long tag;
            List<Long> each = List.of();
            synchronized (this) {
                tag = acks.take();
                if (!single.isEmpty()) {
                    each = new ArrayList<>(single);
                    single.clear();
                }
            }
            if (tag > 0 && getChannel().isOpen()) {
                try {
                    if (consumersPerChannel == 1) {
                        getChannel().basicAck(tag, true);
                    } else {
                        for (long t : each) {
                            getChannel().basicAck(t, false);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // the channel closed: its deliveries are requeued
                }
            }
        }
    }
}
