package io.lasthop.edge.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.lasthop.edge.config.EdgeConfig;
import io.lasthop.edge.testing.Await;
import io.lasthop.edge.testing.Broker;
import io.lasthop.protocol.AmqpNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sessions' channels against the real broker, on the connections the edge opens for them. */
class SessionLinkIT {
    static Broker broker;
    static ScheduledExecutorService scheduler;
    static ExecutorService calls;
    static BrokerConnections connections;
    static final SessionQueueSettings QUEUES = new SessionQueueSettings(EdgeConfig.DEFAULT);
    static final Map<String, String> queues = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() {
        broker = new Broker();
        scheduler = Executors.newSingleThreadScheduledExecutor();
        calls = Executors.newFixedThreadPool(2);
        // One connection: every channel of these tests shares its reader thread.
        connections = new BrokerConnections(
                BrokerEndpoint.of(Broker.URI), 1, 0, "session-link-it", new Topology(), scheduler);
        connections.start();
        Await.until(connections::ready, Duration.ofSeconds(20), "the broker connection");
    }

    @AfterAll
    static void stop() throws IOException {
        connections.close();
        for (String q : queues.values()) {
            broker.channel().queueDelete(q);
        }
        broker.close();
        scheduler.shutdownNow();
        calls.shutdownNow();
    }

    @Test
    void deliveriesAreHandedOverOnTheConnectionsReaderThread() throws Exception {
        Recorder r = new Recorder(null);
        SessionLink link = attach("reader-thread", r);
        publish("reader-thread", "one");
        Delivery d = r.deliveries.poll(10, TimeUnit.SECONDS);
        assertNotNull(d, "no delivery");
        assertEquals("one", d.body);
        // amqp-client names each connection's reader thread so; a consumer pool's threads are not.
        assertTrue(d.thread.startsWith("AMQP Connection "), "handed over on " + d.thread);
        link.close();
    }

    @Test
    void aHandlerThatThrowsLosesItsChannelAndNothingElse() throws Exception {
        Recorder broken = new Recorder(body -> {
            throw new IllegalStateException("the session's event loop is gone");
        });
        Recorder bystander = new Recorder(null);
        SessionLink failing = attach("throws", broken);
        SessionLink other = attach("bystander", bystander);

        publish("throws", "kept");
        Await.until(
                () -> broken.lost.size() == 1,
                Duration.ofSeconds(10),
                "the failing handler to be told its channel is lost");
        assertFalse(failing.alive());
        String queue = queueOf("throws");
        // The delivery the handler could not take went back to the queue.
        Await.until(() -> broker.ready(queue) == 1, Duration.ofSeconds(10), "the delivery to be requeued");

        // The connection's reader did not wait on the failed channel: the bystander still gets its messages.
        for (int i = 0; i < 5; i++) {
            publish("bystander", "m" + i);
        }
        for (int i = 0; i < 5; i++) {
            Delivery d = bystander.deliveries.poll(10, TimeUnit.SECONDS);
            assertNotNull(d, "bystander's delivery " + i);
            assertEquals("m" + i, d.body);
        }
        assertTrue(other.alive());

        // A resume of the failed session gets the requeued delivery, redelivered.
        Recorder resumed = new Recorder(null);
        SessionLink again =
                SessionLink.attach(connections, QUEUES, new SerialExecutor(calls), "throws", queue, false, resumed);
        Delivery d = resumed.deliveries.poll(10, TimeUnit.SECONDS);
        assertNotNull(d, "the requeued delivery");
        assertEquals("kept", d.body);
        assertTrue(d.redelivered);
        again.close();
        other.close();
    }

    private static SessionLink attach(String user, Recorder handler) throws Exception {
        String queue = queueOf(user);
        return SessionLink.attach(connections, QUEUES, new SerialExecutor(calls), user, queue, true, handler);
    }

    private static String queueOf(String user) {
        return queues.computeIfAbsent(user, u -> AmqpNames.sessionQueue(u, AmqpNames.newSessionId()));
    }

    private static void publish(String user, String body) {
        broker.publish(
                AmqpNames.USER_EXCHANGE,
                AmqpNames.userRoutingKey(user),
                new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
                body.getBytes(StandardCharsets.UTF_8));
    }

    record Delivery(String body, String thread, boolean redelivered) {}

    static final class Recorder implements SessionLink.Handler {
        final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
        final BlockingQueue<ShutdownSignalException> lost = new LinkedBlockingQueue<>();
        final Consumer<String> onBody;

        Recorder(Consumer<String> onBody) {
            this.onBody = onBody;
        }

        @Override
        public void delivery(SessionLink link, long tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
            String text = new String(body, StandardCharsets.UTF_8);
            if (onBody != null) {
                onBody.accept(text);
            }
            deliveries.add(new Delivery(text, Thread.currentThread().getName(), envelope.isRedeliver()));
        }

        @Override
        public void cancelled(SessionLink link) {}

        @Override
        public void lost(SessionLink link, ShutdownSignalException cause) {
            lost.add(cause);
        }
    }
}
