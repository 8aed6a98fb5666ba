package io.lasthop.edge.integration;

import static io.lasthop.edge.integration.InboundIT.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Await;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.SseClient;
import io.lasthop.edge.testing.WsClient;
import io.lasthop.protocol.AmqpNames;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Topic subscriptions are bindings on the session's queue: the broker fans out, the edge only checks rights. */
class SubscriptionIT {
    static Broker broker;
    static Edge edge;

    @BeforeAll
    static void start() {
        broker = new Broker();
        edge = new Edge(c -> c.set(Settings.MAX_SUBSCRIPTIONS, 3)
                .set(Settings.INBOUND_RATE, 2)
                .set(Settings.INBOUND_BURST, 20));
    }

    @AfterAll
    static void stop() {
        edge.close();
        broker.close();
    }

    @Test
    void subscribeReceiveUnsubscribeReceiveNoMore() {
        String topic = "prices." + word();
        try (WsClient ws = WsClient.connect(edge, Edge.token(Edge.newUser(), List.of("prices.#"), List.of()), null)) {
            ws.next("hello");
            ws.send(sub(1, topic));
            assertEquals(1, ws.next("ok").get("ref").asLong());
            broker.publishJson(AmqpNames.TOPIC_EXCHANGE, topic, "p-1", "{\"px\":1}");
            assertEquals("p-1", ws.next("msg").get("id").asText());
            ws.ack(1);
            ws.send("{\"t\":\"unsub\",\"ref\":2,\"topic\":\"" + topic + "\"}");
            assertEquals(2, ws.next("ok").get("ref").asLong());
            broker.publishJson(AmqpNames.TOPIC_EXCHANGE, topic, "p-2", "{\"px\":2}");
            ws.assertNoFrame(Duration.ofMillis(500));
        }
    }

    @Test
    void oneMessageFansOutToEverySubscribedSession() {
        String topic = "prices." + word();
        List<WsClient> clients = List.of(
                WsClient.connect(edge, Edge.token(Edge.newUser(), List.of("prices.*"), List.of()), null),
                WsClient.connect(edge, Edge.token(Edge.newUser(), List.of("prices.*"), List.of()), null),
                WsClient.connect(edge, Edge.token(Edge.newUser(), List.of("prices.*"), List.of()), null));
        try {
            for (WsClient c : clients) {
                c.next("hello");
                c.send(sub(1, topic));
                c.next("ok");
            }
            broker.publishJson(AmqpNames.TOPIC_EXCHANGE, topic, "fan", "{}");
            for (WsClient c : clients) {
                assertEquals("fan", c.next("msg").get("id").asText());
            }
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    @Test
    void forbiddenAndMalformedTopicsAreRefused() {
        String user = Edge.newUser();
        try (WsClient ws =
                WsClient.connect(edge, Edge.token(user, List.of("prices.#", "user.{sub}.*"), List.of()), null)) {
            ws.next("hello");
            ws.send(sub(1, "orders.all"));
            assertError(ws.next("error"), 1, "forbidden");
            ws.send(sub(2, "#"));
            assertError(ws.next("error"), 2, "forbidden");
            ws.send(sub(3, "user.someone-else.inbox"));
            assertError(ws.next("error"), 3, "forbidden");
            ws.send(sub(4, "prices..x"));
            assertError(ws.next("error"), 4, "bad_key");
            ws.send(sub(5, "prices.a*"));
            assertError(ws.next("error"), 5, "bad_key");
            ws.send(sub(6, "prices.*"));
            assertEquals(6, ws.next("ok").get("ref").asLong(), "a narrower wildcard inside the grant is fine");
            ws.send(sub(7, "user." + user + ".inbox"));
            assertEquals(7, ws.next("ok").get("ref").asLong(), "{sub} expands to the token's subject");
        }
    }

    @Test
    void tokenWithoutTheClaimMaySubscribeToNothing() {
        try (WsClient ws = WsClient.connect(edge, Edge.token(Edge.newUser()), null)) {
            ws.next("hello");
            ws.send(sub(1, "prices.x"));
            assertError(ws.next("error"), 1, "forbidden");
        }
    }

    @Test
    void subscriptionsSurviveAResumeBecauseTheyAreBindings() {
        String user = Edge.newUser();
        String token = Edge.token(user, List.of("news.#"), List.of());
        String topic = "news." + word();
        String session;
        try (SseClient sse = SseClient.connect(edge, token, null)) {
            session = sse.next("hello").get("session").asText();
            sse.post(sub(1, topic));
            sse.next("ok");
        }
        Await.until(() -> edge.server().sessions().find(user, session) == null, Broker.timeout(), "close");
        broker.publishJson(AmqpNames.TOPIC_EXCHANGE, topic, "while-away", "{}");
        try (WsClient ws = WsClient.connect(edge, token, session)) {
            assertTrue(ws.next("hello").get("resumed").asBoolean());
            assertEquals("while-away", ws.next("msg").get("id").asText());
            broker.publishJson(AmqpNames.TOPIC_EXCHANGE, topic, "after", "{}");
            assertEquals("after", ws.next("msg").get("id").asText());
        }
    }

    @Test
    void subscriptionsPerConnectionAreLimited() {
        try (WsClient ws = WsClient.connect(edge, Edge.token(Edge.newUser(), List.of("t.*"), List.of()), null)) {
            ws.next("hello");
            for (int i = 1; i <= 3; i++) {
                ws.send(sub(i, "t.n" + i));
                ws.next("ok");
            }
            ws.send(sub(4, "t.n4"));
            assertError(ws.next("error"), 4, "too_many_subscriptions");
            ws.send(sub(5, "t.n1"));
            assertEquals(5, ws.next("ok").get("ref").asLong(), "re-subscribing to a held topic is idempotent");
        }
    }

    @Test
    void requestsBeyondTheRateAreRefused() {
        try (WsClient ws = WsClient.connect(edge, Edge.token(Edge.newUser(), List.of("r.*"), List.of()), null)) {
            ws.next("hello");
            for (int i = 1; i <= 30; i++) {
                ws.send(sub(i, "r.x"));
            }
            // Refusals are answered at once, successes after the broker: collect answers by ref.
            java.util.Set<Long> ok = new java.util.TreeSet<>();
            java.util.Set<Long> limited = new java.util.TreeSet<>();
            for (int i = 1; i <= 30; i++) {
                var f = ws.nextAny();
                if (f.get("t").asText().equals("ok")) {
                    ok.add(f.get("ref").asLong());
                } else {
                    assertEquals("rate_limited", f.get("code").asText(), f.toString());
                    limited.add(f.get("ref").asLong());
                }
            }
            assertTrue(
                    ok.containsAll(java.util.stream.LongStream.rangeClosed(1, 20)
                            .boxed()
                            .toList()),
                    ok.toString());
            assertTrue(limited.size() >= 9, "the burst is 20 and the rate 2/s: most of the last 10 are refused");
        }
    }

    static String sub(long ref, String topic) {
        return "{\"t\":\"sub\",\"ref\":" + ref + ",\"topic\":\"" + topic + "\"}";
    }

    static String word() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
