package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import io.lasthop.edge.auth.ReplyTokens;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.SseClient;
import io.lasthop.edge.testing.WsClient;
import io.lasthop.protocol.AmqpNames;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Browser → service over the real broker: confirmed sends and RPC replies, through one or two nodes. */
class InboundIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_BYTES = 1024;
    static Broker broker;
    static Edge edge;
    static Edge second;

    @BeforeAll
    static void start() {
        broker = new Broker();
        edge = new Edge(c -> c.set(Settings.INBOUND_MAX_BYTES, MAX_BYTES));
        second = new Edge(c -> c.set(Settings.INBOUND_MAX_BYTES, MAX_BYTES));
    }

    @AfterAll
    static void stop() {
        second.close();
        edge.close();
        broker.close();
    }

    @Test
    void rpcRoundTripToAReplyQueue() throws Exception {
        String user = Edge.newUser();
        String replyQueue =
                broker.channel().queueDeclare("", false, true, true, null).getQueue();
        try (WsClient ws = WsClient.connect(edge, Edge.token(user), null)) {
            ws.next("hello");
            request(user, replyQueue, "corr-1", "{\"q\":\"ready?\"}");
            JsonNode msg = ws.next("msg");
            assertEquals("ready?", msg.get("body").get("q").asText());
            ws.send(reply(7, msg.get("replyToken").asText(), "{\"a\":\"yes\"}"));
            assertEquals(7, ws.next("ok").get("ref").asLong());
            GetResponse r = broker.await(replyQueue);
            assertNotNull(r, "the reply reached the reply_to queue");
            assertEquals("corr-1", r.getProps().getCorrelationId());
            assertEquals("{\"a\":\"yes\"}", new String(r.getBody(), StandardCharsets.UTF_8));
            assertEquals(user, r.getProps().getHeaders().get("x-lasthop-user").toString());
        }
    }

    @Test
    void rpcRoundTripWithDirectReplyTo() throws Exception {
        String user = Edge.newUser();
        BlockingQueue<AMQP.BasicProperties> replies = new ArrayBlockingQueue<>(1);
        var ch = broker.channel().getConnection().createChannel();
        try (WsClient ws = WsClient.connect(edge, Edge.token(user), null)) {
            ch.basicConsume("amq.rabbitmq.reply-to", true, (tag, d) -> replies.add(d.getProperties()), tag -> {});
            ch.basicPublish(
                    AmqpNames.USER_EXCHANGE,
                    user,
                    new AMQP.BasicProperties.Builder()
                            .replyTo("amq.rabbitmq.reply-to")
                            .correlationId("direct-1")
                            .messageId("rq-d")
                            .build(),
                    "{}".getBytes(StandardCharsets.UTF_8));
            ws.next("hello");
            JsonNode msg = ws.next("msg");
            ws.send(reply(1, msg.get("replyToken").asText(), "\"pong\""));
            ws.next("ok");
            AMQP.BasicProperties props = replies.poll(15, TimeUnit.SECONDS);
            assertNotNull(props, "the reply came back through direct reply-to");
            assertEquals("direct-1", props.getCorrelationId());
        } finally {
            ch.close();
        }
    }

    @Test
    void replyThroughASecondNodeThatDidNotDeliverTheRequest() throws Exception {
        String user = Edge.newUser();
        String replyQueue =
                broker.channel().queueDeclare("", false, true, true, null).getQueue();
        String token;
        try (WsClient onFirst = WsClient.connect(edge, Edge.token(user), null)) {
            onFirst.next("hello");
            request(user, replyQueue, "corr-2", "{}");
            token = onFirst.next("msg").get("replyToken").asText();
        }
        try (SseClient onSecond = SseClient.connect(second, Edge.token(user), null)) {
            onSecond.next("hello");
            onSecond.post(reply(3, token, "{\"from\":\"second\"}"));
            assertEquals(3, onSecond.next("ok").get("ref").asLong());
        }
        GetResponse r = broker.await(replyQueue);
        assertNotNull(r);
        assertEquals("corr-2", r.getProps().getCorrelationId());
    }

    @Test
    void sendIsConfirmedAndCarriesTheVerifiedUserAndSession() throws Exception {
        String user = Edge.newUser();
        String tap = broker.tapQueue(AmqpNames.INBOUND_EXCHANGE, "chat." + user + ".#");
        try (WsClient ws = WsClient.connect(edge, Edge.token(user, List.of(), List.of("chat.{sub}.#")), null)) {
            String session = ws.next("hello").get("session").asText();
            ws.send("{\"t\":\"send\",\"ref\":1,\"key\":\"chat." + user
                    + ".room\",\"body\":{\"text\":\"hi\"},\"id\":\"c-1\"}");
            assertEquals(1, ws.next("ok").get("ref").asLong());
            GetResponse r = broker.await(tap);
            assertNotNull(r);
            assertEquals("c-1", r.getProps().getMessageId());
            assertEquals("application/json", r.getProps().getContentType());
            assertEquals(2, r.getProps().getDeliveryMode());
            assertEquals(user, r.getProps().getHeaders().get("x-lasthop-user").toString());
            String sessionQueue =
                    r.getProps().getHeaders().get("x-lasthop-session").toString();
            assertEquals(Edge.queueOf(user, session), sessionQueue);
            assertEquals(sessionQueue, r.getProps().getReplyTo());
            assertEquals("hi", JSON.readTree(r.getBody()).get("text").asText());

            // The service answers that exact session through the default exchange.
            broker.publishJson("", sessionQueue, "answer", "{}");
            assertEquals("answer", ws.next("msg").get("id").asText());
        }
    }

    @Test
    void sendsAreRefusedWithClearReasons() throws Exception {
        String user = Edge.newUser();
        broker.tapQueue(AmqpNames.INBOUND_EXCHANGE, "routed." + user);
        try (WsClient ws =
                WsClient.connect(edge, Edge.token(user, List.of(), List.of("routed.{sub}", "nobody.#")), null)) {
            ws.next("hello");
            ws.send(send(1, "nobody.listens." + user, "{}"));
            assertError(ws.next("error"), 1, "unroutable");
            ws.send(send(2, "admin.commands", "{}"));
            assertError(ws.next("error"), 2, "forbidden");
            ws.send(send(3, "routed." + user, "\"" + "x".repeat(MAX_BYTES) + "\""));
            assertError(ws.next("error"), 3, "too_large");
            ws.send(send(4, "nobody.*", "{}"));
            assertError(ws.next("error"), 4, "bad_key");
            ws.send(send(5, "routed." + user, "{}"));
            assertEquals(5, ws.next("ok").get("ref").asLong());
        }
    }

    @Test
    void forgedExpiredAndForeignReplyTokensAreRefused() throws Exception {
        String user = Edge.newUser();
        String replyQueue =
                broker.channel().queueDeclare("", false, true, true, null).getQueue();
        try (WsClient ws = WsClient.connect(edge, Edge.token(user), null)) {
            ws.next("hello");
            request(user, replyQueue, "corr-3", "{}");
            String token = ws.next("msg").get("replyToken").asText();
            int dot = token.indexOf('.');
            // Forged: the payload re-targeted to another queue, the signature kept.
            String forgedPayload = java.util.Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(("{\"u\":\"" + user + "\",\"r\":\"amq.gen-evil\",\"e\":9999999999}")
                            .getBytes(StandardCharsets.UTF_8));
            ws.send(reply(1, forgedPayload + token.substring(dot), "{}"));
            assertError(ws.next("error"), 1, "reply_token_invalid");

            ReplyTokens past = new ReplyTokens(
                    ReplyTokens.deriveKey(Edge.SECRET.getBytes(StandardCharsets.UTF_8)),
                    Duration.ofMinutes(1),
                    Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC));
            ws.send(reply(2, past.mint(user, replyQueue, "corr-3"), "{}"));
            assertError(ws.next("error"), 2, "reply_token_expired");

            ws.send(reply(3, "not-a-token", "{}"));
            assertError(ws.next("error"), 3, "reply_token_invalid");
        }
        String mallory = Edge.newUser();
        try (WsClient other = WsClient.connect(edge, Edge.token(mallory), null)) {
            other.next("hello");
            // mallory presents a token minted for the user: the reply token binds the user.
            String stolen = stealToken(user, replyQueue);
            other.send(reply(4, stolen, "{}"));
            assertError(other.next("error"), 4, "reply_token_invalid");
        }
        assertEquals(0, broker.ready(replyQueue), "no refused reply was published");
    }

    @Test
    void offlineUsersMessageReachesTheAlternateExchangeQueue() throws Exception {
        String tap = broker.tapQueue(AmqpNames.OFFLINE_EXCHANGE, "");
        String offline = Edge.newUser();
        broker.publishJson(AmqpNames.USER_EXCHANGE, offline, "to-offline", "{\"push\":true}");
        GetResponse r = broker.await(tap);
        assertNotNull(r, "an unroutable user message lands behind the alternate exchange");
        assertEquals("to-offline", r.getProps().getMessageId());
        assertEquals(offline, r.getEnvelope().getRoutingKey());
        assertEquals(AmqpNames.USER_EXCHANGE, r.getEnvelope().getExchange());
    }

    private static String stealToken(String user, String replyQueue) throws Exception {
        try (WsClient ws = WsClient.connect(edge, Edge.token(user), null)) {
            ws.next("hello");
            request(user, replyQueue, "corr-4", "{}");
            return ws.next("msg").get("replyToken").asText();
        }
    }

    private static void request(String user, String replyTo, String correlationId, String json) {
        broker.publish(
                AmqpNames.USER_EXCHANGE,
                user,
                new AMQP.BasicProperties.Builder()
                        .replyTo(replyTo)
                        .correlationId(correlationId)
                        .messageId("rq-" + correlationId)
                        .contentType("application/json")
                        .build(),
                json.getBytes(StandardCharsets.UTF_8));
    }

    static String reply(long ref, String token, String body) {
        return "{\"t\":\"reply\",\"ref\":" + ref + ",\"token\":\"" + token + "\",\"body\":" + body + "}";
    }

    static String send(long ref, String key, String body) {
        return "{\"t\":\"send\",\"ref\":" + ref + ",\"key\":\"" + key + "\",\"body\":" + body + "}";
    }

    static void assertError(JsonNode error, long ref, String code) {
        assertEquals(code, error.get("code").asText(), error.toString());
        assertEquals(ref, error.get("ref").asLong());
        assertTrue(error.get("message").asText().length() > 5);
    }
}
