package io.lasthop.bench.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.lasthop.bench.EpochMicros;
import io.lasthop.bench.MessageIds;
import io.lasthop.bench.Payloads;
import io.lasthop.bench.Schedule;
import io.lasthop.protocol.AmqpNames;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The one publisher of a run: amqp-client on its own connection, publisher confirms, persistent
 * JSON messages to {@code lasthop.user} (or, for fan-out, {@code lasthop.topic}) with a unique
 * {@code message_id}, paced by a {@link Schedule.Plan}. Each body carries its send time
 * ({@link Payloads}), taken just before {@code basicPublish}.
 */
public final class Publisher implements AutoCloseable {
    /** Unconfirmed messages allowed in flight before the publisher waits. */
    static final int MAX_UNCONFIRMED = 20_000;

    private final Connection connection;
    private final Channel channel;
    private int deliveryMode = 2;
    private final ConcurrentSkipListSet<Long> unconfirmed = new ConcurrentSkipListSet<>();
    /** Delivery tags the broker nacked during the current {@link #publish}. */
    private final ConcurrentSkipListSet<Long> nackedTags = new ConcurrentSkipListSet<>();

    private final LongAdder acked = new LongAdder();
    private final LongAdder nacked = new LongAdder();
    private final Object confirmed = new Object();

    public Publisher(ConnectionFactory factory, String name) throws IOException, TimeoutException {
        connection = factory.newConnection(name);
        channel = connection.createChannel();
        channel.confirmSelect();
        channel.addConfirmListener(new ConfirmListener() {
            @Override
            public void handleAck(long tag, boolean multiple) {
                settle(tag, multiple, false);
            }

            @Override
            public void handleNack(long tag, boolean multiple) {
                settle(tag, multiple, true);
            }
        });
    }

    private void settle(long tag, boolean multiple, boolean nack) {
        LongAdder counter = nack ? nacked : acked;
        if (multiple) {
            var head = unconfirmed.headSet(tag, true);
            if (nack) {
                nackedTags.addAll(head);
            }
            int n = head.size();
            head.clear();
            counter.add(n);
        } else if (unconfirmed.remove(tag)) {
            if (nack) {
                nackedTags.add(tag);
            }
            counter.increment();
        }
        synchronized (confirmed) {
            confirmed.notifyAll();
        }
    }

    /**
     * Persistent (the default, as services publish to session queues) or transient: a persistent
     * message to each of ~100,000 distinct classic queues makes the broker open a queue index per
     * queue on disk, which measures the disk, not the sessions.
     */
    public Publisher persistent(boolean persistent) {
        this.deliveryMode = persistent ? 2 : 1;
        return this;
    }

    /**
     * Publishes a plan for phase {@code phase}: message i to {@code users.get(plan.user()[i])} on
     * {@code lasthop.user}, at the plan's rate, for at most {@code maxNanos}; then waits up to 30 s
     * for the confirms.
     */
    public Result publish(int phase, Schedule.Plan plan, List<String> users, long maxNanos)
            throws IOException, InterruptedException {
        return publish(
                phase,
                plan,
                AmqpNames.USER_EXCHANGE,
                users.stream().map(AmqpNames::userRoutingKey).toList(),
                maxNanos);
    }

    /**
     * Publishes a plan for phase {@code phase}: message i to {@code exchange} with routing key
     * {@code routingKeys.get(plan.user()[i])}, at the plan's rate, for at most {@code maxNanos};
     * then waits up to 30 s for the confirms.
     */
    public Result publish(int phase, Schedule.Plan plan, String exchange, List<String> routingKeys, long maxNanos)
            throws IOException, InterruptedException {
        long ackedBefore = acked.sum();
        long nackedBefore = nacked.sum();
        nackedTags.clear();
        // In confirm mode each publish takes the next tag, so message i carries firstTag + i.
        long firstTag = channel.getNextPublishSeqNo();
        long start = System.nanoTime();
        long maxLagNanos = 0;
        long waits = 0;
        int sent = 0;
        boolean truncated = false;
        for (int i = 0; i < plan.count(); i++) {
            long due = start + plan.dueNanos(i);
            long now = System.nanoTime();
            if (now - start > maxNanos) {
                truncated = true;
                break;
            }
            if (due > now) {
                LockSupport.parkNanos(due - now);
            } else {
                maxLagNanos = Math.max(maxLagNanos, now - due);
            }
            while (unconfirmed.size() >= MAX_UNCONFIRMED && System.nanoTime() - start < maxNanos) {
                waits++;
                synchronized (confirmed) {
                    confirmed.wait(5);
                }
            }
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                    .messageId(MessageIds.of(phase, i))
                    .contentType("application/json")
                    .deliveryMode(deliveryMode)
                    .build();
            unconfirmed.add(channel.getNextPublishSeqNo());
            channel.basicPublish(
                    exchange, routingKeys.get(plan.user()[i]), props, Payloads.body(EpochMicros.now(), plan.size()[i]));
            sent++;
        }
        long publishNanos = System.nanoTime() - start;
        long confirmDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!unconfirmed.isEmpty() && System.nanoTime() < confirmDeadline) {
            synchronized (confirmed) {
                confirmed.wait(10);
            }
        }
        return new Result(
                sent,
                acked.sum() - ackedBefore,
                nacked.sum() - nackedBefore,
                unconfirmed.size(),
                publishNanos,
                maxLagNanos,
                waits,
                truncated,
                notConfirmed(firstTag, sent, nackedTags, unconfirmed));
    }

    /**
     * The plan indexes, ascending, of this phase's messages that the broker nacked or has not
     * confirmed: tags in [firstTag, firstTag + sent) found in either set. Tags of earlier phases
     * (a late confirm) are not this phase's.
     */
    static int[] notConfirmed(long firstTag, long sent, Collection<Long> nacked, Collection<Long> pending) {
        return Stream.concat(nacked.stream(), pending.stream())
                .filter(t -> t >= firstTag && t < firstTag + sent)
                .mapToInt(t -> (int) (t - firstTag))
                .sorted()
                .distinct()
                .toArray();
    }

    /**
     * What one phase published: messages sent, confirmed (ack), refused (nack), unconfirmed after
     * 30 s, how long publishing took, the worst lateness against the plan, the waits for confirms,
     * whether the time bound cut it short, and which messages (plan indexes) were nacked or not
     * confirmed.
     */
    public record Result(
            long sent,
            long confirmed,
            long nacked,
            long unconfirmed,
            long publishNanos,
            long maxLagNanos,
            long confirmWaits,
            boolean truncated,
            int[] notConfirmed) {
        public double ratePerSecond() {
            return sent * 1e9 / Math.max(1, publishNanos);
        }
    }

    @Override
    public void close() {
        try {
            connection.close(5_000);
        } catch (Exception e) {
            // closing anyway
        }
    }
}
