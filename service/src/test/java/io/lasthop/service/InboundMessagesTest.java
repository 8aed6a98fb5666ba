package io.lasthop.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.LongString;
import com.rabbitmq.client.impl.LongStringHelper;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class InboundMessagesTest {
    private static final String USER = "alice@example.com ✓";
    private static final String QUEUE = "lasthop.s.alice_example_com__._42YGfwOEr8NJIkuRZh-JJ.CzvsQUCfIFsrLhluQf4_rw";

    @Test
    void readsTheHeadersAsTheBrokerDeliversThem() throws Exception {
        try (TestBroker broker = new TestBroker()) {
            String key = "inbound-test-" + UUID.randomUUID();
            TestBroker.Tap tap = broker.tap("amq.direct", key);
            // As the edge publishes them: Java strings, which travel as AMQP long strings.
            broker.channel().basicPublish("amq.direct", key, new AMQP.BasicProperties.Builder()
                    .headers(Map.of(InboundMessages.USER_HEADER, USER, InboundMessages.SESSION_HEADER, QUEUE,
                            InboundMessages.NODE_HEADER, "edge-1")).build(), "{}".getBytes(UTF_8));

            Delivery d = tap.next();
            assertInstanceOf(LongString.class, d.getProperties().getHeaders().get(InboundMessages.USER_HEADER));
            assertEquals(USER, InboundMessages.userId(d.getProperties()));
            assertEquals(QUEUE, InboundMessages.sessionQueue(d.getProperties()));
            assertEquals("edge-1", InboundMessages.node(d.getProperties()));
        }
    }

    @Test
    void readsStringsAndLongStrings() {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().headers(Map.of(
                InboundMessages.USER_HEADER, LongStringHelper.asLongString(USER),
                InboundMessages.SESSION_HEADER, QUEUE)).build();
        assertEquals(USER, InboundMessages.userId(props));
        assertEquals(QUEUE, InboundMessages.sessionQueue(props));
    }

    @Test
    void missingOrMistypedHeadersAreNull() {
        assertNull(InboundMessages.userId(null));
        assertNull(InboundMessages.userId(new AMQP.BasicProperties()));
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().headers(Map.of(
                InboundMessages.USER_HEADER, 42, "other", "x")).build();
        assertNull(InboundMessages.userId(props));
        assertNull(InboundMessages.sessionQueue(props));
        assertNull(InboundMessages.node(props));
    }
}
