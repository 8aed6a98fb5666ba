package io.lasthop.service;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import io.lasthop.protocol.AmqpNames;
import io.lasthop.protocol.TopicPatterns;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

/**
 * Publishes to browsers through Lasthop, following the AMQP contract of PROTOCOL.md §10.
 *
 * <p>Every message gets a new UUID {@code message_id} (returned; browsers de-duplicate by it), the
 * given {@code content_type}, a {@code timestamp} (AMQP keeps whole seconds) and
 * {@code delivery_mode} 2 (persistent). Each publish blocks until the broker confirms it, for at most
 * the confirm timeout, and throws {@link PublishException} when the broker nacks it, returns it as
 * unroutable, or does not answer in time.
 *
 * <p><b>Lifecycle.</b> The caller owns the {@link Connection} and closes it after this publisher.
 * The constructor opens one channel of the publisher's own in confirm mode; {@link #close()} closes
 * that channel only. If the broker closes the channel (a 404 for a missing exchange, say), the next
 * publish opens a new one.
 *
 * <p><b>Threads.</b> Safe to share: publishes are serialized, one message in flight at a time. For
 * more throughput, use one publisher per thread.
 */
public final class LasthopPublisher implements AutoCloseable {
    /** How long a publish waits for the broker's confirm unless the constructor says otherwise. */
    public static final Duration DEFAULT_CONFIRM_TIMEOUT = Duration.ofSeconds(5);

    public static final String APPLICATION_JSON = "application/json";

    private final Connection connection;
    private final long confirmTimeoutMillis;
    private Channel channel;
    private boolean closed;
    /** Set by the return listener, which the connection thread runs before it delivers the confirm. */
    private volatile String returnedMessageId;

    /** With {@link #DEFAULT_CONFIRM_TIMEOUT}. */
    public LasthopPublisher(Connection connection) throws IOException {
        this(connection, DEFAULT_CONFIRM_TIMEOUT);
    }

    /**
     * @param connection     an open connection, owned by the caller
     * @param confirmTimeout how long each publish waits for the broker's confirm; positive
     * @throws IOException if the channel cannot be opened
     */
    public LasthopPublisher(Connection connection, Duration confirmTimeout) throws IOException {
        this.connection = Objects.requireNonNull(connection, "connection");
        if (confirmTimeout.isNegative() || confirmTimeout.isZero()) {
            throw new IllegalArgumentException("the confirm timeout must be positive, not " + confirmTimeout);
        }
        this.confirmTimeoutMillis = Math.max(1, confirmTimeout.toMillis());
        synchronized (this) {
            channel = openChannel();
        }
    }

    /**
     * To every session of a user: exchange {@code lasthop.user}, routing key
     * {@link AmqpNames#userRoutingKey(String)}. A user with no session queue is not an error: the
     * message goes to {@code lasthop.offline}. A {@link PublishException.Reason#NACKED} means at least
     * one session queue was full; the user's other sessions still got the message.
     *
     * @return the message's {@code message_id}
     */
    public String toUser(String userId, byte[] body, String contentType) throws IOException {
        return publish(AmqpNames.USER_EXCHANGE, userKey(userId), false, body, contentType, null, null);
    }

    /** {@link #toUser} with a JSON text, sent as UTF-8 {@code application/json}. */
    public String toUserJson(String userId, String json) throws IOException {
        return toUser(userId, utf8(json), APPLICATION_JSON);
    }

    /**
     * To every session subscribed to a matching pattern: exchange {@code lasthop.topic}. No subscriber
     * is not an error: the broker drops the message.
     *
     * @param topic a literal routing key: words separated by {@code .}, no {@code *} or {@code #}
     */
    public String toTopic(String topic, byte[] body, String contentType) throws IOException {
        if (topic == null || !TopicPatterns.isLiteralKey(topic)) {
            throw new IllegalArgumentException(
                    "not a literal topic (words separated by '.', no '*' or '#', " + "at most 255 bytes): " + topic);
        }
        return publish(AmqpNames.TOPIC_EXCHANGE, topic, false, body, contentType, null, null);
    }

    /** {@link #toTopic} with a JSON text, sent as UTF-8 {@code application/json}. */
    public String toTopicJson(String topic, String json) throws IOException {
        return toTopic(topic, utf8(json), APPLICATION_JSON);
    }

    /** {@link #toSession(String, byte[], String, String)} without a correlation id. */
    public String toSession(String sessionQueue, byte[] body, String contentType) throws IOException {
        return toSession(sessionQueue, body, contentType, null);
    }

    /**
     * To one session: the default exchange, routing key = its queue, as a browser's message names it
     * in {@code reply_to} and {@link InboundMessages#sessionQueue}. Mandatory: when the queue is gone
     * (the session ended and its resume window passed) this throws {@link PublishException} with
     * {@link PublishException.Reason#UNROUTABLE}.
     *
     * @param sessionQueue  a queue name starting with {@value AmqpNames#SESSION_QUEUE_PREFIX}
     * @param correlationId the {@code correlation_id} to set, e.g. the answered message's
     *                      {@code message_id}; null for none
     */
    public String toSession(String sessionQueue, byte[] body, String contentType, String correlationId)
            throws IOException {
        if (sessionQueue == null || !sessionQueue.startsWith(AmqpNames.SESSION_QUEUE_PREFIX)) {
            throw new IllegalArgumentException("not a Lasthop session queue (they start with "
                    + AmqpNames.SESSION_QUEUE_PREFIX + "): " + sessionQueue);
        }
        return publish("", sessionQueue, true, body, contentType, null, correlationId);
    }

    /** {@link #toSession(String, byte[], String)} with a JSON text, sent as UTF-8 {@code application/json}. */
    public String toSessionJson(String sessionQueue, String json) throws IOException {
        return toSession(sessionQueue, utf8(json), APPLICATION_JSON);
    }

    /**
     * Asks a user: as {@link #toUser}, with {@code reply_to} and {@code correlation_id}. The browser
     * gets a {@code replyToken} with the message; its {@code reply} arrives at {@code replyTo} with
     * the same correlation id. Consume {@code replyTo} before calling this.
     *
     * @param replyTo       a queue the caller consumes. Not {@code amq.rabbitmq.reply-to}: direct
     *                      reply-to needs the request published on the consuming channel, and this
     *                      publisher has a channel of its own
     * @param correlationId matched against the reply's; null for none
     */
    public String request(String userId, byte[] body, String contentType, String replyTo, String correlationId)
            throws IOException {
        Objects.requireNonNull(replyTo, "replyTo");
        if (replyTo.startsWith("amq.rabbitmq.reply-to")) {
            throw new IllegalArgumentException("direct reply-to needs the request published on the channel that "
                    + "consumes amq.rabbitmq.reply-to; this publisher has a channel of its own: use a queue");
        }
        return publish(AmqpNames.USER_EXCHANGE, userKey(userId), false, body, contentType, replyTo, correlationId);
    }

    /** {@link #request} with a JSON text, sent as UTF-8 {@code application/json}. */
    public String requestJson(String userId, String json, String replyTo, String correlationId) throws IOException {
        return request(userId, utf8(json), APPLICATION_JSON, replyTo, correlationId);
    }

    /** Closes this publisher's channel, not the connection. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        Channel ch = channel;
        channel = null;
        if (ch != null && ch.isOpen()) {
            try {
                ch.close();
            } catch (IOException | TimeoutException | ShutdownSignalException e) {
                // The channel is unusable either way, and the connection is the caller's to close.
            }
        }
    }

    private synchronized String publish(
            String exchange,
            String routingKey,
            boolean mandatory,
            byte[] body,
            String contentType,
            String replyTo,
            String correlationId)
            throws IOException {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(contentType, "contentType");
        if (closed) {
            throw new IllegalStateException("this publisher is closed");
        }
        String id = UUID.randomUUID().toString();
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .messageId(id)
                .contentType(contentType)
                .timestamp(new Date())
                .deliveryMode(2)
                .replyTo(replyTo)
                .correlationId(correlationId)
                .build();
        String target = (exchange.isEmpty() ? "the default exchange" : "exchange " + exchange) + " with routing key "
                + routingKey;
        Channel ch = channel();
        try {
            try {
                ch.basicPublish(exchange, routingKey, mandatory, props, body);
            } catch (IOException e) {
                // amqp-client may have counted a publish it never sent; its confirm would never come.
                abandon(ch);
                throw e;
            }
            if (!ch.waitForConfirms(confirmTimeoutMillis)) {
                throw new PublishException(
                        PublishException.Reason.NACKED,
                        id,
                        "the broker refused the message to " + target + " (basic.nack): a queue is full or failed",
                        null);
            }
        } catch (TimeoutException e) {
            // A late confirm must not be taken for the next message's, so that one gets a new channel.
            abandon(ch);
            throw new PublishException(
                    PublishException.Reason.TIMED_OUT,
                    id,
                    "no confirm within "
                            + confirmTimeoutMillis + " ms for the message to " + target
                            + "; it may or may not have been delivered",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon(ch);
            throw new PublishException(
                    PublishException.Reason.INTERRUPTED,
                    id,
                    "interrupted while waiting for the " + "confirm of the message to " + target
                            + "; it may or may not have been delivered",
                    e);
        } catch (ShutdownSignalException e) {
            throw new PublishException(
                    PublishException.Reason.CHANNEL_CLOSED,
                    id,
                    "the broker closed the channel " + "before confirming the message to " + target + ": "
                            + e.getMessage() + missingTopologyHint(e),
                    e);
        }
        if (id.equals(returnedMessageId)) {
            throw new PublishException(
                    PublishException.Reason.UNROUTABLE,
                    id,
                    "no queue took the message to " + target
                            + (exchange.isEmpty() ? ": the session queue does not exist (the session ended)" : ""),
                    null);
        }
        return id;
    }

    private Channel channel() throws IOException {
        if (channel == null || !channel.isOpen()) {
            channel = openChannel();
        }
        return channel;
    }

    private Channel openChannel() throws IOException {
        Channel ch = connection.createChannel();
        if (ch == null) {
            throw new IOException("the connection has no free channel number (channel_max reached)");
        }
        ch.confirmSelect();
        ch.addReturnListener(r -> returnedMessageId = r.getProperties().getMessageId());
        return ch;
    }

    private void abandon(Channel ch) {
        channel = null;
        try {
            ch.abort();
        } catch (IOException e) {
            // already closing: nothing to release
        }
    }

    private static String missingTopologyHint(ShutdownSignalException e) {
        return e.getReason() instanceof AMQP.Channel.Close close && close.getReplyCode() == AMQP.NOT_FOUND
                ? " (the Lasthop exchanges are declared by the edge at start: run an edge once against this broker)"
                : "";
    }

    private static String userKey(String userId) {
        return AmqpNames.userRoutingKey(Objects.requireNonNull(userId, "userId"));
    }

    private static byte[] utf8(String json) {
        return Objects.requireNonNull(json, "json").getBytes(StandardCharsets.UTF_8);
    }
}
