package io.lasthop.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.impl.LongStringHelper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InboundMessagesTest {
    private static final String USER = "alice@example.com ✓";
    private static final String QUEUE = "lasthop.s.alice_example_com__._42YGfwOEr8NJIkuRZh-JJ.CzvsQUCfIFsrLhluQf4_rw";

    @Test
    void readsStringsAndLongStrings() {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .headers(Map.of(
                        InboundMessages.USER_HEADER,
                        LongStringHelper.asLongString(USER),
                        InboundMessages.SESSION_HEADER,
                        QUEUE))
                .build();
        assertEquals(USER, InboundMessages.userId(props));
        assertEquals(QUEUE, InboundMessages.sessionQueue(props));
    }

    @Test
    void missingOrMistypedHeadersAreNull() {
        assertNull(InboundMessages.userId(null));
        assertNull(InboundMessages.userId(new AMQP.BasicProperties()));
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .headers(Map.of(InboundMessages.USER_HEADER, 42, "other", "x"))
                .build();
        assertNull(InboundMessages.userId(props));
        assertNull(InboundMessages.sessionQueue(props));
        assertNull(InboundMessages.node(props));
    }
}
