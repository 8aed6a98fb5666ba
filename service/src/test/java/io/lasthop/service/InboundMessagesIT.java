package io.lasthop.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.LongString;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@link InboundMessages} on headers as the real broker delivers them; the rest is in InboundMessagesTest. */
class InboundMessagesIT {
    private static final String USER = "alice@example.com ✓";
    private static final String QUEUE = "lasthop.s.alice_example_com__._42YGfwOEr8NJIkuRZh-JJ.CzvsQUCfIFsrLhluQf4_rw";

    @Test
    void readsTheHeadersAsTheBrokerDeliversThem() throws Exception {
        try (TestBroker broker = new TestBroker()) {
            String key = "inbound-test-" + UUID.randomUUID();
            TestBroker.Tap tap = broker.tap("amq.direct", key);
            // As the edge publishes them: Java strings, which travel as AMQP long strings.
            broker.channel()
                    .basicPublish(
                            "amq.direct",
                            key,
                            new AMQP.BasicProperties.Builder()
                                    .headers(Map.of(
                                            InboundMessages.USER_HEADER,
                                            USER,
                                            InboundMessages.SESSION_HEADER,
                                            QUEUE,
                                            InboundMessages.NODE_HEADER,
                                            "edge-1"))
                                    .build(),
                            "{}".getBytes(UTF_8));

            Delivery d = tap.next();
            assertInstanceOf(LongString.class, d.getProperties().getHeaders().get(InboundMessages.USER_HEADER));
            assertEquals(USER, InboundMessages.userId(d.getProperties()));
            assertEquals(QUEUE, InboundMessages.sessionQueue(d.getProperties()));
            assertEquals("edge-1", InboundMessages.node(d.getProperties()));
        }
    }
}
