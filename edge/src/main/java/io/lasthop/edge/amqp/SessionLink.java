package io.lasthop.edge.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.lasthop.protocol.AmqpNames;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session's AMQP channel and its consumer. A channel of its own makes {@code basic.ack} with
 * {@code multiple} safe (no other consumer's deliveries share the tags), confines a channel error to
 * one session, and lets {@link #close()} requeue unacked deliveries atomically and in order, which
 * {@code basic.cancel} + {@code basic.nack} would not when another consumer is waiting.
 *
 * <p>Every method except {@link #ack(long)} blocks on the broker: run them on the session's
 * {@link SerialExecutor}.
 */
public final class SessionLink {
    private static final Logger log = LoggerFactory.getLogger(SessionLink.class);

    /**
     * Receives the consumer's events on the connection's reader thread ({@link CallerThreadExecutor}):
     * must not block, and should not throw (a throw closes the channel, which requeues its deliveries).
     */
    public interface Handler {
        void delivery(SessionLink link, long tag, Envelope envelope, AMQP.BasicProperties props, byte[] body);

        /**
         * The broker cancelled the consumer: the queue was deleted, its node went down, or (quorum
         * queues) the consumer timed out. Whether the session goes on is for a re-attach to find.
         */
        void cancelled(SessionLink link);

        /** The channel closed without {@link #close()}: connection loss or a channel error. */
        void lost(SessionLink link, ShutdownSignalException cause);
    }

    /**
     * Thrown by {@link #attach} when a session to resume has no queue to consume from: it expired
     * or was deleted, or the broker node it lives on is down ({@link #nodeDown()}).
     */
    public static final class SessionGoneException extends Exception {
        private final boolean nodeDown;

        SessionGoneException(String queue, String brokerSays) {
            super("queue " + queue + ": " + brokerSays, null, false, false);
            // RabbitMQ's words for a durable classic queue whose node is not running.
            this.nodeDown = brokerSays != null && brokerSays.contains("is down or inaccessible");
        }

        /**
         * True when the queue exists on a broker node that is down: its messages are kept there and
         * come back with the node, but this session cannot wait for it.
         */
        public boolean nodeDown() {
            return nodeDown;
        }
    }

    private final Channel channel;
    private final String queue;
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean lost;
    private final AtomicLong ackUpTo = new AtomicLong();
    private final AtomicBoolean ackScheduled = new AtomicBoolean();
    private final SerialExecutor executor;

    private SessionLink(Channel channel, String queue, SerialExecutor executor) {
        this.channel = channel;
        this.queue = queue;
        this.executor = executor;
    }

    /**
     * Declares (when {@code create}) or finds the session's queue, and starts consuming from it.
     *
     * @param create true for a new session: declare the queue and bind it to the user; false to
     *               resume: the queue must exist, else {@link SessionGoneException}
     */
    public static SessionLink attach(
            BrokerConnections broker,
            SessionQueueSettings queues,
            SerialExecutor executor,
            String userId,
            String queue,
            boolean create,
            Handler handler)
            throws IOException, SessionGoneException {
        Channel ch = broker.openChannel();
        try {
            if (create) {
                // No-wait: the broker handles a channel's methods in order, so basic.consume's reply
                // below also says the declare and bind succeeded; a failure closes the channel and
                // fails that call. Two round trips fewer per session, and two fewer amqp-client
                // RPCs, each of which walks every channel of the connection (WorkPool.setCapacities).
                Object version = ch.getConnection().getServerProperties().get("version");
                ch.queueDeclareNoWait(queue, true, false, false, queues.arguments(String.valueOf(version)));
                ch.queueBindNoWait(queue, AmqpNames.USER_EXCHANGE, AmqpNames.userRoutingKey(userId), null);
            }
            // Nor does basic.qos wait for its qos-ok: the prefetch holds before basic.consume, which
            // fails if the qos closed the channel. One round trip fewer, and one amqp-client RPC
            // fewer: each walks every channel of the connection twice (WorkPool.setCapacities),
            // 20 % of the edge's CPU samples over a 19,000-session ramp.
            ch.asyncRpc(new AMQP.Basic.Qos.Builder()
                    .prefetchCount(queues.prefetch())
                    .build());
            SessionLink link = new SessionLink(ch, queue, executor);
            try {
                ch.basicConsume(queue, false, "", false, false, null, link.consumer(handler));
            } catch (IOException e) {
                // A resume learns here that its queue is gone (expired, deleted, or on a node that
                // is down): basic.consume answers 404 as a passive declare would, one round trip
                // fewer. A new session's queue can only be gone if it was deleted since the declare.
                throw gone(queue, e);
            }
            return link;
        } catch (IOException | SessionGoneException | RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /** False once the channel is closed or lost: its unacked deliveries are back in the queue. */
    public boolean alive() {
        return !lost && !closing.get();
    }

    /**
     * Acks every delivery up to {@code tag}. Non-blocking: acks are coalesced, and the highest tag is
     * sent from the session's executor.
     */
    public void ack(long tag) {
        ackUpTo.accumulateAndGet(tag, Math::max);
        if (ackScheduled.compareAndSet(false, true)) {
            executor.execute(() -> {
                ackScheduled.set(false);
                long upTo = ackUpTo.get();
                if (!closing.get() && channel.isOpen()) {
                    try {
                        channel.basicAck(upTo, true);
                    } catch (IOException | AlreadyClosedException e) {
                        // The channel is going: its deliveries are requeued and redelivered.
                    }
                }
            });
        }
    }

    /** Binds the session's queue: a topic subscription. Blocking. */
    public void bind(String exchange, String routingKey) throws IOException {
        channel.queueBind(queue, exchange, routingKey);
    }

    /** Removes a binding; removing one that does not exist is not an error. Blocking. */
    public void unbind(String exchange, String routingKey) throws IOException {
        channel.queueUnbind(queue, exchange, routingKey);
    }

    /** Closes the channel, which requeues every unacked delivery in order. Idempotent. */
    public void close() {
        if (closing.compareAndSet(false, true)) {
            closeQuietly(channel);
        }
    }

    /**
     * A handler that throws gets its channel closed, so the broker requeues what it delivered, as
     * when the channel is lost. Not left to amqp-client's exception handler: that closes the channel
     * with a blocking RPC, which on the connection's reader thread would wait for a reply only that
     * thread can read.
     */
    private void failed(String what, RuntimeException e) {
        log.warn("channel of queue {}: passing on {} failed; closing the channel", queue, what, e);
        lost = true; // its deliveries are ignored from now on; the close tells the handler it is lost
        try {
            executor.execute(() -> closeQuietly(channel));
        } catch (RuntimeException refused) {
            // The node is shutting down: closing its connections requeues this channel's deliveries.
            log.debug("channel of queue {}: not closed, the session executor refused: {}", queue, refused.toString());
        }
    }

    private Consumer consumer(Handler handler) {
        return new Consumer() {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
                try {
                    handler.delivery(SessionLink.this, envelope.getDeliveryTag(), envelope, props, body);
                } catch (RuntimeException e) {
                    failed("a delivery", e);
                }
            }

            @Override
            public void handleCancel(String consumerTag) {
                if (!closing.get()) {
                    try {
                        handler.cancelled(SessionLink.this);
                    } catch (RuntimeException e) {
                        failed("a cancel", e);
                    }
                }
            }

            @Override
            public void handleShutdownSignal(String consumerTag, ShutdownSignalException sig) {
                lost = true;
                if (!closing.get()) {
                    try {
                        handler.lost(SessionLink.this, sig);
                    } catch (RuntimeException e) {
                        log.warn("channel of queue {}: passing on its loss failed", queue, e);
                    }
                }
            }

            @Override
            public void handleConsumeOk(String consumerTag) {}

            @Override
            public void handleCancelOk(String consumerTag) {}

            @Override
            public void handleRecoverOk(String consumerTag) {}
        };
    }

    /** A 404 on the session's queue as a {@link SessionGoneException}; any other failure as it is. */
    private static IOException gone(String queue, IOException e) throws SessionGoneException {
        if (e.getCause() instanceof ShutdownSignalException sig
                && sig.getReason() instanceof AMQP.Channel.Close close
                && close.getReplyCode() == AMQP.NOT_FOUND) {
            throw new SessionGoneException(queue, close.getReplyText());
        }
        return e;
    }

    private static void closeQuietly(Channel ch) {
        try {
            if (ch.isOpen()) {
                ch.close();
            }
        } catch (IOException | TimeoutException | AlreadyClosedException e) {
            // Already gone: the broker requeued what it held.
        }
    }
}
