package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lasthop.edge.testing.Await;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.WsClient;
import io.lasthop.protocol.AmqpNames;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RabbitMQ → edge → WebSocket, against the real broker. */
class WebSocketDeliveryIT {
    static Broker broker;
    static Edge edge;

    @BeforeAll
    static void start() {
        broker = new Broker();
        edge = Edge.start();
    }

    @AfterAll
    static void stop() {
        edge.close();
        broker.close();
    }

    @Test
    void publishedWithStockClientArrivesOverWebSocket() {
        String user = Edge.newUser();
        try (WsClient ws = WsClient.connect(edge, Edge.token(user), null)) {
            JsonNode hello = ws.next("hello");
            assertFalse(hello.get("resumed").asBoolean());
            assertTrue(AmqpNames.isValidSessionId(hello.get("session").asText()));
            assertEquals(user, hello.get("user").asText());

            broker.publishJson(AmqpNames.USER_EXCHANGE, user, "m-1", "{\"text\":\"hi\"}");
            JsonNode msg = ws.next("msg");
            assertEquals("m-1", msg.get("id").asText());
            assertEquals(1, msg.get("seq").asLong());
            assertEquals("json", msg.get("enc").asText());
            assertEquals("hi", msg.get("body").get("text").asText());
            assertEquals(AmqpNames.USER_EXCHANGE, msg.get("exchange").asText());
            assertFalse(msg.has("redelivered"));
        }
    }

    @Test
    void ackEmptiesTheQueue() {
        String user = Edge.newUser();
        try (WsClient ws = WsClient.connect(edge, Edge.token(user), null)) {
            String session = ws.next("hello").get("session").asText();
            String queue = Edge.queueOf(user, session);
            for (int i = 1; i <= 5; i++) {
                broker.publishJson(AmqpNames.USER_EXCHANGE, user, "m-" + i, "{\"n\":" + i + "}");
            }
            List<JsonNode> msgs = ws.messages(5);
            assertEquals(5, msgs.get(4).get("seq").asLong());
            ws.ack(5);
            // The queue is empty once the broker has the ack: closing the connection must requeue nothing.
            ws.close();
            Await.until(() -> edge.server().sessions().size() == 0, Broker.timeout(), "the session to close");
            Await.until(() -> broker.ready(queue) == 0, Broker.timeout(), "the queue to be empty");
            assertEquals(0, broker.ready(queue));
        }
    }

    @Test
    void unackedMessagesAreRedeliveredInOrderAfterReconnect() {
        String user = Edge.newUser();
        String token = Edge.token(user);
        String session;
        try (WsClient ws = WsClient.connect(edge, token, null)) {
            session = ws.next("hello").get("session").asText();
            for (int i = 1; i <= 6; i++) {
                broker.publishJson(AmqpNames.USER_EXCHANGE, user, "m-" + i, "{\"n\":" + i + "}");
            }
            ws.messages(6);
            ws.ack(2);
            // wait for the ack to be applied: a ping round trip orders it
            ws.send("{\"t\":\"ping\"}");
            ws.next("pong");
            ws.abort();
        }
        Await.until(
                () -> edge.server().sessions().find(user, session) == null,
                Broker.timeout(),
                "the dropped connection's session to close");
        try (WsClient ws = WsClient.connect(edge, token, session)) {
            JsonNode hello = ws.next("hello");
            assertTrue(hello.get("resumed").asBoolean());
            assertEquals(session, hello.get("session").asText());
            List<JsonNode> again = ws.messages(4);
            for (int i = 0; i < 4; i++) {
                assertEquals("m-" + (i + 3), again.get(i).get("id").asText());
                assertTrue(again.get(i).get("redelivered").asBoolean());
                assertEquals(i + 1, again.get(i).get("seq").asLong(), "seq restarts per connection");
            }
        }
    }

    @Test
    void everySessionOfAUserReceives() {
        String user = Edge.newUser();
        try (WsClient a = WsClient.connect(edge, Edge.token(user), null);
                WsClient b = WsClient.connect(edge, Edge.token(user), null)) {
            assertNotEquals(
                    a.next("hello").get("session").asText(),
                    b.next("hello").get("session").asText());
            broker.publishJson(AmqpNames.USER_EXCHANGE, user, "both", "{}");
            assertEquals("both", a.next("msg").get("id").asText());
            assertEquals("both", b.next("msg").get("id").asText());
        }
    }

    @Test
    void messagesPublishedWhileOfflineArriveOnResume() {
        String user = Edge.newUser();
        String token = Edge.token(user);
        String session;
        try (WsClient ws = WsClient.connect(edge, token, null)) {
            session = ws.next("hello").get("session").asText();
        }
        Await.until(
                () -> edge.server().sessions().find(user, session) == null, Broker.timeout(), "the session to close");
        for (int i = 1; i <= 3; i++) {
            broker.publishJson(AmqpNames.USER_EXCHANGE, user, "offline-" + i, "{}");
        }
        try (WsClient ws = WsClient.connect(edge, token, session)) {
            assertTrue(ws.next("hello").get("resumed").asBoolean());
            List<JsonNode> msgs = ws.messages(3);
            for (int i = 0; i < 3; i++) {
                assertEquals("offline-" + (i + 1), msgs.get(i).get("id").asText());
                assertFalse(msgs.get(i).has("redelivered"));
            }
        }
    }

    @Test
    void bodiesKeepTheirEncoding() throws Exception {
        String user = Edge.newUser();
        try (WsClient ws = WsClient.connect(edge, Edge.token(user), null)) {
            ws.next("hello");
            broker.publish(
                    AmqpNames.USER_EXCHANGE,
                    user,
                    new com.rabbitmq.client.AMQP.BasicProperties.Builder()
                            .contentType("text/plain")
                            .messageId("t")
                            .build(),
                    "line1\nline2 ✓".getBytes("UTF-8"));
            broker.publish(
                    AmqpNames.USER_EXCHANGE,
                    user,
                    new com.rabbitmq.client.AMQP.BasicProperties.Builder()
                            .contentType("application/octet-stream")
                            .messageId("b")
                            .build(),
                    new byte[] {0, (byte) 0xff, 7});
            broker.publish(
                    AmqpNames.USER_EXCHANGE,
                    user,
                    new com.rabbitmq.client.AMQP.BasicProperties.Builder()
                            .contentType("application/json")
                            .messageId("bad-json")
                            .build(),
                    "{not json".getBytes("UTF-8"));
            JsonNode text = ws.next("msg");
            assertEquals("text", text.get("enc").asText());
            assertEquals("line1\nline2 ✓", text.get("body").asText());
            JsonNode bin = ws.next("msg");
            assertEquals("base64", bin.get("enc").asText());
            assertEquals("AP8H", bin.get("body").asText());
            JsonNode bad = ws.next("msg");
            assertEquals("text", bad.get("enc").asText(), "a body that is not JSON is never embedded as JSON");
            assertEquals("{not json", bad.get("body").asText());
        }
    }

    @Test
    void messagesWithoutMessageIdGetAStableId() {
        String user = Edge.newUser();
        String token = Edge.token(user);
        String session;
        String firstId;
        try (WsClient ws = WsClient.connect(edge, token, null)) {
            session = ws.next("hello").get("session").asText();
            broker.publish(
                    AmqpNames.USER_EXCHANGE, user, new com.rabbitmq.client.AMQP.BasicProperties(), "no id".getBytes());
            firstId = ws.next("msg").get("id").asText();
            assertTrue(firstId.startsWith("h:"));
            ws.abort();
        }
        Await.until(() -> edge.server().sessions().find(user, session) == null, Broker.timeout(), "session close");
        try (WsClient ws = WsClient.connect(edge, token, session)) {
            ws.next("hello");
            JsonNode again = ws.next("msg");
            assertTrue(again.get("redelivered").asBoolean());
            assertEquals(firstId, again.get("id").asText());
        }
    }

    @Test
    void heartbeatsFlowAndPingIsAnswered() {
        String user = Edge.newUser();
        try (WsClient ws = WsClient.connect(edge, Edge.token(user), null)) {
            ws.next("hello");
            ws.send("{\"t\":\"ping\"}");
            ws.next("pong");
        }
    }

    @Test
    void userIdsOfAnyLengthAndAlphabetWork() {
        String[] users = {"ü-ß/日本語 " + Edge.newUser(), "x".repeat(300) + Edge.newUser(), "a.b#*" + Edge.newUser()};
        for (String user : users) {
            try (WsClient ws = WsClient.connect(edge, Edge.token(user), null)) {
                JsonNode hello = ws.next("hello");
                assertEquals(user, hello.get("user").asText());
                assertTrue(Edge.queueOf(user, hello.get("session").asText()).getBytes().length <= 255);
                broker.publishJson(AmqpNames.USER_EXCHANGE, AmqpNames.userRoutingKey(user), "u", "{}");
                assertEquals("u", ws.next("msg").get("id").asText());
            }
        }
    }

    @Test
    void quietClientIsNotDisturbed() {
        String user = Edge.newUser();
        try (WsClient ws = WsClient.connect(edge, Edge.token(user), null)) {
            ws.next("hello");
            ws.assertNoFrame(Duration.ofMillis(300));
        }
    }
}
