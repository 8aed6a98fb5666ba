package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Await;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.WsClient;
import io.lasthop.protocol.AmqpNames;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A browser tab that stops reading: the socket fills, delivery pauses, and the edge holds no more
 * than the prefetch window while the broker keeps the rest.
 */
class FlowControlIT {
    static final int PREFETCH = 16;
    static final int MESSAGES = 40;
    static final int BODY_BYTES = 1024 * 1024;
    static Broker broker;
    static Edge edge;

    @BeforeAll
    static void start() {
        broker = new Broker();
        edge = new Edge(c -> c.set(Settings.PREFETCH, PREFETCH));
    }

    @AfterAll
    static void stop() {
        edge.close();
        broker.close();
    }

    @Test
    void stalledReaderPausesDeliveryAndTheBrokerKeepsTheRest() {
        String user = Edge.newUser();
        byte[] body = new byte[BODY_BYTES];
        Arrays.fill(body, (byte) 'x');
        double pausesBefore = edge.server().metrics().backpressurePauses.count();
        try (WsClient ws = WsClient.connect(edge, Edge.token(user), null, false, true)) {
            String session = ws.next("hello").get("session").asText();
            String queue = Edge.queueOf(user, session);
            for (int i = 0; i < MESSAGES; i++) {
                broker.publish(
                        AmqpNames.USER_EXCHANGE,
                        user,
                        new AMQP.BasicProperties.Builder()
                                .messageId("big-" + i)
                                .contentType("text/plain")
                                .build(),
                        body);
            }
            Await.until(
                    () -> edge.server().metrics().backpressurePauses.count() > pausesBefore,
                    Broker.timeout(),
                    "delivery to pause on the unwritable socket");
            // The broker never hands the edge more than the prefetch window.
            Await.until(
                    () -> broker.ready(queue) == MESSAGES - PREFETCH,
                    Broker.timeout(),
                    "the broker to hold all but the prefetch window");
            assertEquals(MESSAGES - PREFETCH, broker.ready(queue));
            assertTrue(edge.server().metrics().deliveries.count() < MESSAGES);
            ws.abort();
            Await.until(() -> edge.server().sessions().size() == 0, Broker.timeout(), "close");
            Await.until(() -> broker.ready(queue) == MESSAGES, Broker.timeout(), "everything requeued");
        }
    }
}
