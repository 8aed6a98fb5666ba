package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.http.LingeringClose;
import io.lasthop.edge.testing.Await;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.PollClient;
import io.lasthop.edge.testing.RawSocket;
import io.lasthop.edge.testing.WsClient;
import io.lasthop.protocol.AmqpNames;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients that send frames the edge answers and never read the answers (issue: unbounded outbound
 * queue). On every transport the edge either stops reading such a client or closes it with 4003
 * {@code slow_consumer} once it leaves {@code connection.max.output.bytes} unread, so what it holds
 * for one client stays bounded, and a bystander is served throughout.
 */
class SlowClientIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Far above what the bound lets pile up (1 MiB by default), far below what an unbounded edge queues. */
    private static final long PENDING_CEILING = 4L << 20;

    private static Edge edge;
    private static Broker broker;

    /**
     * Answers to pings are budgeted per connection (see {@link #aClientThatFloodsPingsGetsItsBudgetOfPongsAndIsClosed}):
     * lifted here, so that what bounds these clients is the output bound and the read backpressure.
     */
    @BeforeAll
    static void start() {
        broker = new Broker();
        edge = new Edge(c -> c.set(Settings.INBOUND_RATE, 1_000_000).set(Settings.INBOUND_BURST, 1_000_000));
    }

    @AfterAll
    static void stop() {
        edge.close();
        broker.close();
    }

    /** WebSocket: while the socket is not writable the edge stops reading it, so pings pile up in TCP, not in the edge. */
    @Test
    void aWebSocketClientThatPingsAndNeverReadsIsNoLongerRead() throws Exception {
        try (RawSocket s = RawSocket.connect(edge.server().port(), 4096)) {
            s.write(
                    "GET /lasthop/ws?token=" + Edge.token(Edge.newUser()) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            + "Sec-WebSocket-Version: 13\r\n\r\n",
                    Duration.ofSeconds(5));
            assertTrue(s.readUntil("\"hello\"", Duration.ofSeconds(10)).contains("101 Switching Protocols"));
            byte[] pings = repeat(maskedText("{\"t\":\"ping\"}"), 2000);
            long taken = s.writeUntilStalled(pings, 256L << 20, Duration.ofSeconds(1), Duration.ofSeconds(20));
            System.out.printf(
                    "non-reading WebSocket: the edge took %d bytes of pings, holds %.0f bytes unsent%n",
                    taken, pending());
            // What TCP buffers hold, not what an edge that reads on would take within the deadline.
            assertTrue(taken < 32L << 20, "the edge read " + taken + " bytes from a client that does not read");
            assertTrue(pending() < PENDING_CEILING, "the edge holds " + pending() + " bytes for one client");
            assertBystanderServed();
        }
    }

    /** SSE: pings POSTed for a stream that is not read fill its output to the bound; then it is closed. */
    @Test
    void anSseStreamThatIsNotReadIsClosedAtTheOutputBound() throws Exception {
        double slowBefore = edge.metric("lasthop_closes_total{reason=\"slow_consumer\"}");
        try (RawSocket s = RawSocket.connect(edge.server().port(), 4096)) {
            fillUntilClosed(s);
            assertEquals(slowBefore + 1, edge.metric("lasthop_closes_total{reason=\"slow_consumer\"}"));
            String rest = s.readToEnd(Duration.ofSeconds(30));
            assertNotNull(rest, "the edge ends the stream");
            assertTrue(rest.contains("\"reason\":\"slow_consumer\""), "the last frame says why");
        }
        assertBystanderServed();
    }

    /**
     * A client closed while it does not read cannot hold its connection, and the output it left
     * unread, by reading never: the edge lets go of both once the linger has passed.
     */
    @Test
    void aClosedStreamThatIsNeverReadIsLetGoWithinTheLinger() throws Exception {
        try (RawSocket s = RawSocket.connect(edge.server().port(), 4096)) {
            fillUntilClosed(s);
            double open = edge.metric("lasthop_client_connections");
            // Well under the 10 s after which the edge would end the idle keep-alive connection of the POSTs.
            Await.until(
                    () -> edge.metric("lasthop_client_connections") <= open - 1,
                    Duration.ofMillis(LingeringClose.LINGER_MILLIS + 3_000),
                    "the edge to let go of the connection of a client that never reads, and its output");
        }
    }

    /** Opens an SSE stream on {@code s} and POSTs pings for it, unread, until the edge closes it. */
    private static void fillUntilClosed(RawSocket s) throws Exception {
        String token = Edge.token(Edge.newUser());
        s.write("GET /lasthop/sse?token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", Duration.ofSeconds(5));
        JsonNode hello = firstFrame(s.readUntil("\"hello\"", Duration.ofSeconds(10)));
        String frames = "/lasthop/frames?token=" + token + "&session="
                + hello.get("session").asText() + "&connection="
                + hello.get("connection").asText();
        String batch = "[" + "{\"t\":\"ping\"},".repeat(4999) + "{\"t\":\"ping\"}]";
        int accepted = 0;
        for (int i = 0; i < 400; i++) {
            HttpResponse<String> r = edge.post(frames, batch);
            if (r.statusCode() != 204) {
                // No longer here: forwarded to whichever node may hold the session (202).
                assertEquals(202, r.statusCode(), r.body());
                break;
            }
            accepted++;
            assertTrue(pending() < PENDING_CEILING, "after " + accepted + " batches the edge holds " + pending());
        }
        System.out.printf("non-reading SSE: closed after %d batches of 5,000 pings%n", accepted);
        assertTrue(accepted < 400, "the stream was never closed");
    }

    /** Long-polling: frames answered for a connection that stops polling queue up to the bound, then it is closed. */
    @Test
    void aLongPollConnectionThatStopsPollingIsClosedAtTheOutputBound() throws Exception {
        String user = Edge.newUser();
        String token = Edge.token(user);
        PollClient poll = new PollClient(token, null);
        poll.poll(edge, null);
        String frames =
                "/lasthop/frames?token=" + token + "&session=" + poll.session() + "&connection=" + poll.connection();
        String batch = "[" + "{\"t\":\"ping\"},".repeat(4999) + "{\"t\":\"ping\"}]";
        int accepted = 0;
        for (int i = 0; i < 100 && edge.post(frames, batch).statusCode() == 204; i++) {
            accepted++;
        }
        assertTrue(accepted < 100, "the connection was never closed");
        JsonNode close = poll.poll(edge, null).get(0);
        assertEquals("close", close.get("t").asText());
        assertEquals("slow_consumer", close.get("reason").asText());
    }

    /** With the default budget, pings past it get no pong, and a client that keeps on is closed. */
    @Test
    void aClientThatFloodsPingsGetsItsBudgetOfPongsAndIsClosed() throws Exception {
        try (Edge defaults = Edge.start();
                RawSocket s = RawSocket.connect(defaults.server().port(), 0)) {
            s.write(
                    "GET /lasthop/ws?token=" + Edge.token(Edge.newUser()) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            + "Sec-WebSocket-Version: 13\r\n\r\n",
                    Duration.ofSeconds(5));
            assertTrue(s.readUntil("\"hello\"", Duration.ofSeconds(10)).contains("101 Switching Protocols"));
            s.write(repeat(maskedText("{\"t\":\"ping\"}"), 2000), Duration.ofSeconds(10));
            String answers = s.readToEnd(Duration.ofSeconds(10));
            assertNotNull(answers, "the flooding client is disconnected");
            int pongs = answers.split("\"t\":\"pong\"", -1).length - 1;
            System.out.printf("ping flood: 2,000 pings got %d pongs before the close%n", pongs);
            assertTrue(pongs <= 100, pongs + " pongs: more than the budget's burst of 80 and its refill");
            assertTrue(answers.contains("\"reason\":\"too_many_frames\""), "the last frame says why");
            assertEquals(1, defaults.metric("lasthop_closes_total{reason=\"too_many_frames\"}"));
        }
    }

    private static void assertBystanderServed() throws Exception {
        assertEquals(200, edge.get("/healthz").statusCode());
        String user = Edge.newUser();
        try (WsClient ws = WsClient.connect(edge, Edge.token(user), null)) {
            ws.next("hello");
            broker.publishJson(AmqpNames.USER_EXCHANGE, user, "bystander", "{}");
            assertEquals("bystander", ws.next("msg").get("id").asText());
        }
    }

    private static double pending() {
        return edge.metric("lasthop_client_output_pending_bytes");
    }

    private static JsonNode firstFrame(String sse) throws IOException {
        Matcher m = Pattern.compile("data: (\\{.*?\"hello\".*?\\})\n").matcher(sse);
        assertTrue(m.find(), sse);
        return JSON.readTree(m.group(1));
    }

    /** A client's text frame with an all-zero mask, which leaves the payload as it is. */
    static byte[] maskedText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(payload, 0, frame, 6, payload.length);
        return frame;
    }

    static byte[] repeat(byte[] unit, int times) {
        byte[] out = new byte[unit.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(unit, 0, out, i * unit.length, unit.length);
        }
        return out;
    }
}
