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
import java.util.List;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The one publisher of a run: amqp-client on its own connection, publisher confirms, persistent
 * JSON messages to {@code lasthop.user} with a unique {@code message_id}, paced by a
 * {@link Schedule.Plan}. Each body carries its send time ({@link Payloads}), taken just before
 * {@code basicPublish}.
 */
public final class Publisher implements AutoCloseable {
    /** Unconfirmed messages allowed in flight before the publisher waits. */
    static final int MAX_UNCONFIRMED = 20_000;

    private final Connection connection;
    private final Channel channel;
    private final ConcurrentSkipListSet<Long> unconfirmed = new ConcurrentSkipListSet<>();
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
                settle(tag, multiple, acked);
            }

            @Override
            public void handleNack(long tag, boolean multiple) {
                settle(tag, multiple, nacked);
            }
        });
    }

    private void settle(long tag, boolean multiple, LongAdder counter) {
        if (multiple) {
            var head = unconfirmed.headSet(tag, true);
            int n = head.size();
            head.clear();
            counter.add(n);
        } else if (unconfirmed.remove(tag)) {
            counter.increment();
        }
        synchronized (confirmed) {
            confirmed.notifyAll();
        }
    }

    /**
     * Publishes a plan for phase {@code phase}: message i to {@code users.get(plan.user()[i])}, at
     * the plan's rate, for at most {@code maxNanos}; then waits up to 30 s for the confirms.
     */
    public Result publish(int phase, Schedule.Plan plan, List<String> users, long maxNanos)
            throws IOException, InterruptedException {
        long ackedBefore = acked.sum();
        long nackedBefore = nacked.sum();
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
            String user = users.get(plan.user()[i]);
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                    .messageId(MessageIds.of(phase, i)).contentType("application/json").deliveryMode(2).build();
            unconfirmed.add(channel.getNextPublishSeqNo());
            channel.basicPublish(AmqpNames.USER_EXCHANGE, AmqpNames.userRoutingKey(user), props,
                    Payloads.body(EpochMicros.now(), plan.size()[i]));
            sent++;
        }
        long publishNanos = System.nanoTime() - start;
        long confirmDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!unconfirmed.isEmpty() && System.nanoTime() < confirmDeadline) {
            synchronized (confirmed) {
                confirmed.wait(10);
            }
        }
        return new Result(sent, acked.sum() - ackedBefore, nacked.sum() - nackedBefore, unconfirmed.size(),
                publishNanos, maxLagNanos, waits, truncated);
    }

    /**
     * What one phase published: messages sent, confirmed (ack), refused (nack), unconfirmed after
     * 30 s, how long publishing took, the worst lateness against the plan, the waits for confirms,
     * and whether the time bound cut it short.
     */
    public record Result(long sent, long confirmed, long nacked, long unconfirmed, long publishNanos,
                         long maxLagNanos, long confirmWaits, boolean truncated) {
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
