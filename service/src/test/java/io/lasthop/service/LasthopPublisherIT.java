package io.lasthop.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Delivery;
import io.lasthop.protocol.AmqpNames;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against the real broker: what each publish puts on the wire, and how failures surface. */
class LasthopPublisherIT {
    static TestBroker broker;
    static LasthopPublisher publisher;

    @BeforeAll
    static void start() throws Exception {
        broker = new TestBroker();
        publisher = new LasthopPublisher(broker.connection);
    }

    @AfterAll
    static void stop() throws Exception {
        if (publisher != null) {
            publisher.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void toUserSetsTheContractProperties() throws Exception {
        String user = "user-" + UUID.randomUUID();
        TestBroker.Tap tap = broker.tap(AmqpNames.USER_EXCHANGE, user);
        Instant before = Instant.now();
        String id = publisher.toUserJson(user, "{\"text\":\"hi\"}");

        Delivery d = tap.next();
        assertEquals(AmqpNames.USER_EXCHANGE, d.getEnvelope().getExchange());
        assertEquals(user, d.getEnvelope().getRoutingKey());
        assertEquals("{\"text\":\"hi\"}", new String(d.getBody(), UTF_8));
        assertProperties(d.getProperties(), id, "application/json", before);
        assertNull(d.getProperties().getReplyTo());
        assertNull(d.getProperties().getCorrelationId());
    }

    @Test
    void longUserIdsAreAddressedByTheirHash() throws Exception {
        String user = "ü".repeat(200) + UUID.randomUUID(); // 400+ bytes of UTF-8
        String key = AmqpNames.userRoutingKey(user);
        assertTrue(key.startsWith("sha256:") && key.length() == 71, key);
        TestBroker.Tap tap = broker.tap(AmqpNames.USER_EXCHANGE, key);
        String id = publisher.toUser(user, new byte[] {1, 2, 3}, "application/octet-stream");

        Delivery d = tap.next();
        assertEquals(key, d.getEnvelope().getRoutingKey());
        assertEquals(id, d.getProperties().getMessageId());
        assertEquals("application/octet-stream", d.getProperties().getContentType());
    }

    /** Issue 11, finding 6: a sub spelled like a hashed key must not get the long-id user's messages. */
    @Test
    void aUserNamedLikeAHashedKeyDoesNotGetThatUsersMessages() throws Exception {
        String victim = "v".repeat(300) + UUID.randomUUID();
        String impostor = AmqpNames.userRoutingKey(victim);
        // Bound as the edge binds the impostor's session queues.
        TestBroker.Tap impostorSessions = broker.tap(AmqpNames.USER_EXCHANGE, AmqpNames.userRoutingKey(impostor));
        publisher.toUserJson(victim, "{\"for\":\"victim\"}");
        String own = publisher.toUserJson(impostor, "{\"for\":\"impostor\"}");

        Delivery first = impostorSessions.next();
        assertEquals(
                own,
                first.getProperties().getMessageId(),
                "the impostor got " + new String(first.getBody(), UTF_8) + " first");
    }

    @Test
    void everyPublishHasItsOwnMessageId() throws Exception {
        String user = "user-" + UUID.randomUUID();
        TestBroker.Tap tap = broker.tap(AmqpNames.USER_EXCHANGE, user);
        String first = publisher.toUserJson(user, "1");
        String second = publisher.toUserJson(user, "1");
        assertTrue(!first.equals(second));
        assertEquals(first, tap.next().getProperties().getMessageId());
        assertEquals(second, tap.next().getProperties().getMessageId());
    }

    @Test
    void requestSetsReplyToAndCorrelationId() throws Exception {
        String user = "user-" + UUID.randomUUID();
        TestBroker.Tap tap = broker.tap(AmqpNames.USER_EXCHANGE, user);
        Instant before = Instant.now();
        String id = publisher.requestJson(user, "{\"q\":1}", "my-replies", "corr-7");

        Delivery d = tap.next();
        assertProperties(d.getProperties(), id, "application/json", before);
        assertEquals("my-replies", d.getProperties().getReplyTo());
        assertEquals("corr-7", d.getProperties().getCorrelationId());
    }

    @Test
    void requestRefusesDirectReplyTo() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> publisher.requestJson("alice", "{}", "amq.rabbitmq.reply-to", "c"));
        assertTrue(e.getMessage().contains("direct reply-to"), e.getMessage());
    }

    @Test
    void toTopicPublishesToTheTopicExchange() throws Exception {
        String topic = "prices." + UUID.randomUUID();
        TestBroker.Tap tap = broker.tap(AmqpNames.TOPIC_EXCHANGE, "prices.#");
        Instant before = Instant.now();
        String id = publisher.toTopic(topic, "42".getBytes(UTF_8), "text/plain");

        Delivery d = tap.next();
        assertEquals(AmqpNames.TOPIC_EXCHANGE, d.getEnvelope().getExchange());
        assertEquals(topic, d.getEnvelope().getRoutingKey());
        assertProperties(d.getProperties(), id, "text/plain", before);
    }

    @Test
    void toTopicRefusesWildcards() {
        assertThrows(IllegalArgumentException.class, () -> publisher.toTopicJson("prices.*", "{}"));
        assertThrows(IllegalArgumentException.class, () -> publisher.toTopicJson("prices..eur", "{}"));
    }

    @Test
    void toSessionReachesThatQueueOnly() throws Exception {
        TestBroker.Tap session = broker.queue(AmqpNames.SESSION_QUEUE_PREFIX + "test." + UUID.randomUUID(), Map.of());
        Instant before = Instant.now();
        String id = publisher.toSession(session.queue, "{}".getBytes(UTF_8), "application/json", "answer-to-m1");

        Delivery d = session.next();
        assertEquals("", d.getEnvelope().getExchange());
        assertEquals(session.queue, d.getEnvelope().getRoutingKey());
        assertProperties(d.getProperties(), id, "application/json", before);
        assertEquals("answer-to-m1", d.getProperties().getCorrelationId());
    }

    @Test
    void toSessionOfAGoneQueueThrowsAndThePublisherGoesOn() throws Exception {
        String gone = AmqpNames.SESSION_QUEUE_PREFIX + "gone." + UUID.randomUUID();
        PublishException e = assertThrows(PublishException.class, () -> publisher.toSessionJson(gone, "{}"));
        assertEquals(PublishException.Reason.UNROUTABLE, e.reason());
        assertTrue(e.getMessage().contains(gone) && e.getMessage().contains("does not exist"), e.getMessage());
        assertNotNull(e.messageId());

        String user = "user-" + UUID.randomUUID();
        TestBroker.Tap tap = broker.tap(AmqpNames.USER_EXCHANGE, user);
        String id = publisher.toUserJson(user, "{}");
        assertEquals(id, tap.next().getProperties().getMessageId());
    }

    @Test
    void toSessionRefusesOtherQueues() {
        assertThrows(IllegalArgumentException.class, () -> publisher.toSessionJson("orders", "{}"));
    }

    @Test
    void aQueueThatRefusesTheMessageIsANack() throws Exception {
        TestBroker.Tap full = broker.queue(
                AmqpNames.SESSION_QUEUE_PREFIX + "full." + UUID.randomUUID(),
                Map.of("x-max-length", 0, "x-overflow", "reject-publish"));
        PublishException e = assertThrows(PublishException.class, () -> publisher.toSessionJson(full.queue, "{}"));
        assertEquals(PublishException.Reason.NACKED, e.reason());
        assertTrue(e.getMessage().contains("basic.nack"), e.getMessage());
    }

    @Test
    void aClosedPublisherRefusesAndLeavesTheConnectionOpen() throws Exception {
        LasthopPublisher p = new LasthopPublisher(broker.connection, Duration.ofSeconds(2));
        p.close();
        p.close();
        assertThrows(IllegalStateException.class, () -> p.toUserJson("alice", "{}"));
        assertTrue(broker.connection.isOpen());
    }

    @Test
    void theConfirmTimeoutMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new LasthopPublisher(broker.connection, Duration.ZERO));
    }

    private static void assertProperties(AMQP.BasicProperties p, String id, String contentType, Instant before) {
        assertEquals(id, p.getMessageId());
        assertEquals(id, UUID.fromString(id).toString(), "a UUID");
        assertEquals(contentType, p.getContentType());
        assertEquals(2, p.getDeliveryMode());
        assertNotNull(p.getTimestamp());
        long seconds = p.getTimestamp().toInstant().getEpochSecond();
        // AMQP timestamps are whole seconds.
        assertTrue(
                seconds >= before.getEpochSecond() && seconds <= Instant.now().getEpochSecond(),
                "timestamp " + p.getTimestamp() + " not between " + before + " and now");
    }
}
