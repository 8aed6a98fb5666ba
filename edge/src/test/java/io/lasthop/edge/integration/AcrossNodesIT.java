package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Await;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.PollClient;
import io.lasthop.edge.testing.SseClient;
import io.lasthop.edge.testing.WsClient;
import io.lasthop.protocol.AmqpNames;
import io.lasthop.protocol.CloseCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests of one session spread over two nodes with no stickiness: polls alternating on every
 * request, a POST beside an SSE stream landing on the other node, a reconnect to another node
 * while the old connection still looks alive.
 */
class AcrossNodesIT {
    static Broker broker;
    static Edge a;
    static Edge b;

    @BeforeAll
    static void start() {
        broker = new Broker();
        a = new Edge(c -> c.set(Settings.NODE_ID, "node-a").set(Settings.POLL_TIMEOUT, Duration.ofSeconds(2)));
        b = new Edge(c -> c.set(Settings.NODE_ID, "node-b").set(Settings.POLL_TIMEOUT, Duration.ofSeconds(2)));
    }

    @AfterAll
    static void stop() {
        b.close();
        a.close();
        broker.close();
    }

    @Test
    void longPollsAlternatingBetweenNodesLoseAndShowNothingTwice() {
        String user = Edge.newUser();
        PollClient client = new PollClient(Edge.token(user), null);
        client.poll(a, null);
        String queue = Edge.queueOf(user, client.session());
        int total = 30;
        int published = 0;
        Set<String> shown = new LinkedHashSet<>();
        List<String> raw = new ArrayList<>();
        String acks = "[]";
        for (int i = 0; i < 200 && shown.size() < total; i++) {
            if (published < total) {
                for (int k = 0; k < 3 && published < total; k++, published++) {
                    broker.publishJson(AmqpNames.USER_EXCHANGE, user, "m-" + published, "{}");
                }
            }
            List<JsonNode> frames = client.poll(i % 2 == 0 ? b : a, acks);
            long maxSeq = 0;
            for (JsonNode f : frames) {
                if (f.path("t").asText().equals("msg")) {
                    raw.add(f.get("id").asText());
                    shown.add(f.get("id").asText()); // the client library drops duplicates by id
                    maxSeq = Math.max(maxSeq, f.get("seq").asLong());
                }
            }
            acks = maxSeq == 0 ? "[]" : "[{\"t\":\"ack\",\"seq\":" + maxSeq + "}]";
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            expected.add("m-" + i);
        }
        assertEquals(expected, new ArrayList<>(shown), "every message, once, in order; raw deliveries: " + raw);
        client.poll(raw.size() % 2 == 0 ? a : b, acks);
        Await.until(() -> broker.ready(queue) == 0, Broker.timeout(), "every message acked");
        System.out.printf(
                "long-poll across 2 nodes: %d messages, %d deliveries (%d redelivered, dropped by id)%n",
                total, raw.size(), raw.size() - total);
    }

    @Test
    void anAckPostedToTheOtherNodeReachesTheStreamsNode() {
        String user = Edge.newUser();
        try (SseClient sse = SseClient.connect(a, Edge.token(user), null)) {
            String session = sse.next("hello").get("session").asText();
            broker.publishJson(AmqpNames.USER_EXCHANGE, user, "beside", "{}");
            sse.next("msg");
            assertEquals(
                    202,
                    sse.postVia(b, "[{\"t\":\"ack\",\"seq\":1},{\"t\":\"ping\"}]")
                            .statusCode());
            sse.next("pong"); // answered on the stream, by the node that holds it
            sse.close();
            Await.until(() -> a.server().sessions().find(user, session) == null, Broker.timeout(), "close");
            assertEquals(0, broker.ready(Edge.queueOf(user, session)), "the forwarded ack was applied");
        }
    }

    @Test
    void aReconnectToAnotherNodeTakesTheSessionOverAtOnce() {
        String user = Edge.newUser();
        String token = Edge.token(user);
        try (WsClient old = WsClient.connect(a, token, null)) {
            JsonNode hello = old.next("hello");
            String session = hello.get("session").asText();
            for (int i = 1; i <= 3; i++) {
                broker.publishJson(AmqpNames.USER_EXCHANGE, user, "r-" + i, "{}");
            }
            old.messages(3);
            // The old connection looks alive to node A (no close, no timeout yet).
            try (WsClient moved = WsClient.connectWith(
                    b,
                    token,
                    "&session=" + session + "&connection="
                            + hello.get("connection").asText() + "&node="
                            + hello.get("node").asText())) {
                assertEquals(CloseCode.SESSION_TAKEN_OVER.code(), old.awaitClose());
                assertTrue(moved.next("hello").get("resumed").asBoolean());
                List<JsonNode> again = moved.messages(3);
                for (int i = 0; i < 3; i++) {
                    assertEquals("r-" + (i + 1), again.get(i).get("id").asText());
                }
            }
        }
    }
}
