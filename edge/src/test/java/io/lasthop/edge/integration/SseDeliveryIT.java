package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lasthop.edge.testing.Await;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.SseClient;
import io.lasthop.protocol.AmqpNames;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RabbitMQ → edge → Server-Sent Events, with acks by POST, against the real broker. */
class SseDeliveryIT {
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
    void streamDefeatsProxyBufferingAndCarriesMessages() {
        String user = Edge.newUser();
        try (SseClient sse = SseClient.connect(edge, Edge.token(user), null)) {
            assertEquals(200, sse.status());
            assertTrue(sse.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
            assertEquals("no", sse.headers().firstValue("x-accel-buffering").orElse(""));
            assertTrue(sse.headers().firstValue("cache-control").orElse("").contains("no-transform"));
            JsonNode hello = sse.next("hello");
            assertEquals(hello.get("session").asText(), sse.lastEventId(), "the session id is the event id");

            broker.publishJson(AmqpNames.USER_EXCHANGE, user, "s-1", "{\"a\":\n[1,\n2]}");
            JsonNode msg = sse.next("msg");
            assertEquals("s-1", msg.get("id").asText());
            assertEquals(2, msg.get("body").get("a").get(1).asInt(), "multi-line JSON survives SSE data lines");
        }
    }

    @Test
    void ackByPostEmptiesTheQueue() {
        String user = Edge.newUser();
        try (SseClient sse = SseClient.connect(edge, Edge.token(user), null)) {
            String session = sse.next("hello").get("session").asText();
            for (int i = 1; i <= 3; i++) {
                broker.publishJson(AmqpNames.USER_EXCHANGE, user, "s-" + i, "{}");
            }
            sse.messages(3);
            sse.ack(3);
            sse.post("{\"t\":\"ping\"}");
            sse.next("pong");
            sse.close();
            String queue = Edge.queueOf(user, session);
            Await.until(() -> edge.server().sessions().find(user, session) == null, Broker.timeout(), "close");
            assertEquals(0, broker.ready(queue));
        }
    }

    @Test
    void reconnectWithLastEventIdResumesAndRedeliversInOrder() {
        String user = Edge.newUser();
        String token = Edge.token(user);
        String eventId;
        String session;
        try (SseClient sse = SseClient.connect(edge, token, null)) {
            session = sse.next("hello").get("session").asText();
            for (int i = 1; i <= 4; i++) {
                broker.publishJson(AmqpNames.USER_EXCHANGE, user, "s-" + i, "{}");
            }
            sse.messages(4);
            sse.ack(1);
            sse.post("{\"t\":\"ping\"}");
            sse.next("pong");
            eventId = sse.lastEventId();
        }
        Await.until(() -> edge.server().sessions().find(user, session) == null, Broker.timeout(), "close");
        // As EventSource reconnects by itself: same URL, session only in Last-Event-ID.
        try (SseClient sse = SseClient.connect(edge, token, null, eventId)) {
            JsonNode hello = sse.next("hello");
            assertTrue(hello.get("resumed").asBoolean());
            assertEquals(session, hello.get("session").asText());
            List<JsonNode> again = sse.messages(3);
            for (int i = 0; i < 3; i++) {
                assertEquals("s-" + (i + 2), again.get(i).get("id").asText());
                assertTrue(again.get(i).get("redelivered").asBoolean());
            }
        }
    }

    @Test
    void lastEventIdWinsOverAStaleSessionInTheUrl() {
        String user = Edge.newUser();
        String token = Edge.token(user);
        String stale = AmqpNames.newSessionId();
        String current;
        try (SseClient sse = SseClient.connect(edge, token, stale)) {
            JsonNode hello = sse.next("hello");
            assertFalse(hello.get("resumed").asBoolean());
            assertEquals("sse", hello.get("transport").asText());
            current = hello.get("session").asText();
        }
        Await.until(() -> edge.server().sessions().find(user, current) == null, Broker.timeout(), "close");
        // EventSource reconnects to the same URL (stale id) and sends the newest id as Last-Event-ID.
        try (SseClient sse = SseClient.connect(edge, token, stale, current)) {
            JsonNode hello = sse.next("hello");
            assertTrue(hello.get("resumed").asBoolean());
            assertEquals(current, hello.get("session").asText());
        }
    }

    @Test
    void bearerHeaderIsAcceptedWhereAClientCanSetOne() throws Exception {
        String user = Edge.newUser();
        java.net.http.HttpResponse<java.io.InputStream> res = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(edge.http() + "/lasthop/sse"))
                                .header("Authorization", "Bearer " + Edge.token(user))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        try (java.io.BufferedReader body = new java.io.BufferedReader(
                new java.io.InputStreamReader(res.body(), java.nio.charset.StandardCharsets.UTF_8))) {
            assertEquals(200, res.statusCode());
            String line;
            do {
                line = body.readLine();
            } while (line != null && !line.startsWith("data: "));
            assertTrue(line != null && line.contains("\"user\":\"" + user + "\""), line);
        }
    }

    @Test
    void batchOfFramesInOnePost() {
        String user = Edge.newUser();
        try (SseClient sse = SseClient.connect(edge, Edge.token(user), null)) {
            sse.next("hello");
            broker.publishJson(AmqpNames.USER_EXCHANGE, user, "b-1", "{}");
            sse.next("msg");
            assertEquals(
                    204,
                    sse.post("[{\"t\":\"ack\",\"seq\":1},{\"t\":\"ping\"}]").statusCode());
            sse.next("pong");
            assertFalse(sse.awaitEnd(java.time.Duration.ofMillis(100)));
        }
    }
}
