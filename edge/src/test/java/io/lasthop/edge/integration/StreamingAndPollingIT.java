package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Await;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.PollClient;
import io.lasthop.edge.testing.SseClient;
import io.lasthop.protocol.AmqpNames;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HTTP streaming (NDJSON) and long-polling, on one node, against the real broker. */
class StreamingAndPollingIT {
    static Broker broker;
    static Edge edge;

    @BeforeAll
    static void start() {
        broker = new Broker();
        edge = new Edge(c -> c.set(Settings.POLL_TIMEOUT, Duration.ofMillis(400))
                .set(Settings.POLL_LINGER, Duration.ofMillis(1500)));
    }

    @AfterAll
    static void stop() {
        edge.close();
        broker.close();
    }

    @Test
    void httpStreamingCarriesOneFramePerLineWithAcksByPost() {
        String user = Edge.newUser();
        String token = Edge.token(user);
        String session;
        try (SseClient stream = SseClient.connectStream(edge, token, null)) {
            assertEquals(200, stream.status());
            assertTrue(stream.headers().firstValue("content-type").orElse("").startsWith("application/x-ndjson"));
            assertEquals("no", stream.headers().firstValue("x-accel-buffering").orElse(""));
            JsonNode hello = stream.next("hello");
            assertEquals("stream", hello.get("transport").asText());
            session = hello.get("session").asText();
            broker.publishJson(AmqpNames.USER_EXCHANGE, user, "n-1", "{\n \"multi\": [1,\n 2]\n}");
            broker.publishJson(AmqpNames.USER_EXCHANGE, user, "n-2", "{}");
            List<JsonNode> msgs = stream.messages(2);
            assertEquals(2, msgs.get(0).get("body").get("multi").get(1).asInt(), "a multi-line body stays one frame");
            stream.ack(1);
            stream.post("{\"t\":\"ping\"}");
            stream.next("pong");
        }
        Await.until(() -> edge.server().sessions().find(user, session) == null, Broker.timeout(), "close");
        try (SseClient stream = SseClient.connectStream(edge, token, session)) {
            assertTrue(stream.next("hello").get("resumed").asBoolean());
            JsonNode again = stream.next("msg");
            assertEquals("n-2", again.get("id").asText(), "only the unacked message comes again");
            assertTrue(again.get("redelivered").asBoolean());
        }
    }

    @Test
    void longPollAnswersAtOnceHoldsUntilAFrameAndCarriesAcks() {
        String user = Edge.newUser();
        PollClient client = new PollClient(Edge.token(user), null);
        List<JsonNode> first = client.poll(edge, null);
        assertEquals("hello", first.get(0).get("t").asText(), "the first poll is answered at once");
        assertEquals("poll", first.get(0).get("transport").asText());
        String queue = Edge.queueOf(user, client.session());

        broker.publishJson(AmqpNames.USER_EXCHANGE, user, "p-1", "{}");
        broker.publishJson(AmqpNames.USER_EXCHANGE, user, "p-2", "{}");
        Await.until(() -> broker.ready(queue) == 0, Broker.timeout(), "the edge to take both");
        List<JsonNode> batch = client.poll(edge, "[]");
        assertEquals(
                List.of("p-1", "p-2"),
                batch.stream().map(f -> f.get("id").asText()).toList(),
                "every waiting frame in one answer");

        // The next poll carries the acks and is held until the timeout: nothing else is waiting.
        List<JsonNode> empty = client.poll(edge, "[{\"t\":\"ack\",\"seq\":2}]");
        assertTrue(empty.isEmpty(), empty.toString());

        // A held poll is answered as soon as a message arrives.
        Thread publisher = new Thread(() -> broker.publishJson(AmqpNames.USER_EXCHANGE, user, "p-3", "{}"));
        publisher.start();
        List<JsonNode> held = client.poll(edge, "[]");
        for (int i = 0; i < 20 && held.isEmpty(); i++) {
            held = client.poll(edge, "[]");
        }
        assertEquals("p-3", held.get(0).get("id").asText());
        client.poll(edge, "[{\"t\":\"ack\",\"seq\":3}]");
        assertEquals(0, broker.ready(queue));
    }

    @Test
    void aLongPollSessionThatStopsPollingEndsAndRequeues() {
        String user = Edge.newUser();
        PollClient client = new PollClient(Edge.token(user), null);
        client.poll(edge, null);
        String session = client.session();
        broker.publishJson(AmqpNames.USER_EXCHANGE, user, "unacked", "{}");
        assertEquals("unacked", client.poll(edge, "[]").get(0).get("id").asText());
        // No further poll: after the linger time the session closes and its delivery is requeued.
        Await.until(() -> edge.server().sessions().find(user, session) == null, Broker.timeout(), "linger close");
        assertEquals(1, broker.ready(Edge.queueOf(user, session)));

        PollClient resumed = new PollClient(Edge.token(user), session);
        List<JsonNode> frames = resumed.poll(edge, null);
        assertTrue(frames.get(0).get("resumed").asBoolean());
        JsonNode again =
                frames.size() > 1 ? frames.get(1) : resumed.poll(edge, "[]").get(0);
        assertEquals("unacked", again.get("id").asText());
        assertTrue(again.get("redelivered").asBoolean());
    }

    @Test
    void aPollForAnotherConnectionResumesWithANewHelloAndDropsItsAcks() {
        String user = Edge.newUser();
        PollClient first = new PollClient(Edge.token(user), null);
        first.poll(edge, null);
        broker.publishJson(AmqpNames.USER_EXCHANGE, user, "x-1", "{}");
        assertEquals("x-1", first.poll(edge, "[]").get(0).get("id").asText());
        // Another tab's poll names the session but no connection: it takes the session over.
        PollClient second = new PollClient(Edge.token(user), first.session());
        List<JsonNode> frames = second.poll(edge, "[{\"t\":\"ack\",\"seq\":1}]");
        JsonNode hello = frames.get(0);
        assertTrue(hello.get("resumed").asBoolean());
        assertNotEquals(first.connection(), hello.get("connection").asText());
        JsonNode again =
                frames.size() > 1 ? frames.get(1) : second.poll(edge, "[]").get(0);
        assertEquals("x-1", again.get("id").asText(), "the ack for the old connection did not apply");
        assertTrue(again.get("redelivered").asBoolean());
    }

    @Test
    void aLostAnswerStartsTheConnectionOverSoItsFramesComeAgain() {
        String user = Edge.newUser();
        PollClient client = new PollClient(Edge.token(user), null);
        client.poll(edge, null);
        String connection = client.connection();
        broker.publishJson(AmqpNames.USER_EXCHANGE, user, "lost-on-the-way", "{}");
        assertEquals("lost-on-the-way", client.poll(edge, "[]").get(0).get("id").asText());
        client.loseLastAnswer();
        broker.publishJson(AmqpNames.USER_EXCHANGE, user, "later", "{}");
        // Had the edge continued, the client's next cumulative ack would cover the lost message.
        List<JsonNode> frames = client.poll(edge, "[]");
        JsonNode hello = frames.get(0);
        assertEquals("hello", hello.get("t").asText());
        assertNotEquals(connection, hello.get("connection").asText());
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 5 && ids.size() < 2; i++) {
            for (JsonNode f :
                    (ids.isEmpty() && frames.size() > 1) ? frames.subList(1, frames.size()) : client.poll(edge, "[]")) {
                ids.add(f.get("id").asText());
            }
            frames = List.of();
        }
        assertEquals(List.of("lost-on-the-way", "later"), ids);
    }

    @Test
    void pollRefusesBadInputClearly() {
        PollClient bad = new PollClient("not-a-token", null);
        assertEquals("token_invalid", bad.poll(edge, null).get(0).get("error").asText());
        assertEquals(401, bad.lastStatus());
        PollClient client = new PollClient(Edge.token(Edge.newUser()), null);
        client.poll(edge, null);
        assertEquals(
                "bad_frame", client.poll(edge, "[{\"t\":").get(0).get("error").asText());
        assertEquals(400, client.lastStatus());
        assertFalse(client.poll(edge, "[]").stream().anyMatch(f -> f.has("error")), "the session is unharmed");
    }
}
