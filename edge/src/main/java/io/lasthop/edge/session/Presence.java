package io.lasthop.edge.session;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import io.lasthop.edge.amqp.AmqpMessages;
import io.lasthop.edge.amqp.Publisher;
import io.lasthop.protocol.AmqpNames;
import io.lasthop.protocol.CloseCode;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Presence for services: every connection of a session that opens or closes here is published to
 * the topic exchange {@value AmqpNames#EVENTS_EXCHANGE} with routing key {@code session.opened} or
 * {@code session.closed}, the user in the {@code x-lasthop-user} header and a JSON body. Best effort:
 * events are confirmed by the broker but a lost one is not retried.
 */
public final class Presence {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Publisher publisher;
    private final String nodeId;
    private final boolean enabled;

    public Presence(Publisher publisher, String nodeId, boolean enabled) {
        this.publisher = publisher;
        this.nodeId = nodeId;
        this.enabled = enabled;
    }

    void opened(Session s) {
        ObjectNode body = event(s);
        body.put("resumed", s.resumed());
        body.put("transport", s.transport().name());
        publish("session.opened", s, body);
    }

    void closed(Session s, CloseCode code) {
        ObjectNode body = event(s);
        body.put("reason", code == null ? "disconnected" : code.reason());
        publish("session.closed", s, body);
    }

    private ObjectNode event(Session s) {
        ObjectNode body = JSON.createObjectNode();
        body.put("user", s.userId());
        body.put("session", s.id());
        body.put("connection", s.connectionId());
        body.put("node", nodeId);
        body.put("at", System.currentTimeMillis());
        return body;
    }

    private void publish(String key, Session s, ObjectNode body) {
        if (!enabled) {
            return;
        }
        // The message id is unique without drawing randomness: a connection opens and closes once,
        // and its id is already 64 random bits (UUID.randomUUID shares one locked SecureRandom).
        AMQP.BasicProperties props = AmqpMessages.properties(
                        s.connectionId() + "." + key,
                        "application/json",
                        false,
                        Map.of(AmqpNames.USER_HEADER, s.userId(), AmqpNames.NODE_HEADER, nodeId))
                .build();
        publisher.publish(
                AmqpNames.EVENTS_EXCHANGE, key, props, body.toString().getBytes(StandardCharsets.UTF_8), false);
    }
}
