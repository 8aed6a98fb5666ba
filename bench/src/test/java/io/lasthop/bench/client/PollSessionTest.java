package io.lasthop.bench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lasthop.bench.Ledgers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A {@link PollSession} against a scripted edge: what each poll carries, given the answers. */
class PollSessionTest {
    private static final String HELLO =
            "{\"t\":\"hello\",\"v\":1,\"session\":\"q3Jx0bW8RkO2l9m1c4T7aA\",\"connection\":\"%s\","
                    + "\"resumed\":%s,\"user\":\"alice\",\"node\":\"bench r1\",\"transport\":\"poll\",\"heartbeatMs\":25000,\"prefetch\":64}";
    private static final String QUERY = "/lasthop/poll?token=tok&session=q3Jx0bW8RkO2l9m1c4T7aA&connection=";

    private ClientPool pool;
    private PollSession session;
    private EmbeddedChannel client;
    private final EmbeddedChannel edge = new EmbeddedChannel(new HttpServerCodec(), new HttpObjectAggregator(1 << 16));

    @BeforeEach
    void connect() {
        pool = new ClientPool(
                "127.0.0.1",
                18280,
                new byte[32],
                Duration.ofHours(1),
                new Ledgers(),
                new SourceAddresses(1, SourceAddresses.DEFAULT_PER_ADDRESS, 0),
                1);
        session = new PollSession(pool, "alice", "tok");
        client = new EmbeddedChannel();
        session.initPipeline(client.pipeline());
        session.channel = client;
        session.connected();
    }

    @AfterEach
    void close() {
        client.finishAndReleaseAll();
        edge.finishAndReleaseAll();
        pool.close();
    }

    /** The poll the session sent: "URI BODY", or null if it sent none. */
    private String poll() {
        for (Object o; (o = client.readOutbound()) != null; ) {
            edge.writeInbound(o);
        }
        FullHttpRequest r = edge.readInbound();
        if (r == null) {
            return null;
        }
        try {
            assertEquals(HttpMethod.POST, r.method());
            return r.uri() + " " + r.content().toString(StandardCharsets.UTF_8);
        } finally {
            r.release();
        }
    }

    private void answer(HttpResponseStatus status, String number, String body) {
        ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        res.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .set(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        if (number != null) {
            res.headers().set(PollCursor.ANSWER_HEADER, number);
        }
        edge.writeOutbound(res);
        for (Object o; (o = edge.readOutbound()) != null; ) {
            client.writeInbound(o);
        }
    }

    private static String msg(long seq, boolean redelivered) {
        return "{\"t\":\"msg\",\"seq\":" + seq + ",\"id\":\"p0." + seq + "\""
                + (redelivered ? ",\"redelivered\":true" : "") + ",\"enc\":\"json\",\"body\":{\"sentUs\":1}}";
    }

    @Test
    void eachPollAcksTheLastAnswerAndNamesIt() {
        assertEquals("/lasthop/poll?token=tok []", poll());
        answer(
                HttpResponseStatus.OK,
                "1",
                "[" + String.format(HELLO, "Yb3kq9TnW0E", false) + "," + msg(1, false) + "," + msg(2, false) + "]");
        assertTrue(session.ready.isDone());
        assertEquals(QUERY + "Yb3kq9TnW0E&node=bench+r1&answered=1 [{\"t\":\"ack\",\"seq\":2}]", poll());
        answer(HttpResponseStatus.OK, "2", "[]");
        assertEquals(QUERY + "Yb3kq9TnW0E&node=bench+r1&answered=2 []", poll());
        assertEquals(2, pool.stats().messages.sum());
        assertEquals(0, pool.stats().connectionRestarts.sum());
    }

    @Test
    void aConnectionThatStartsOverIsAckedFromSeqOne() {
        poll();
        answer(
                HttpResponseStatus.OK,
                "1",
                "[" + String.format(HELLO, "Yb3kq9TnW0E", false) + "," + msg(1, false) + "," + msg(2, false) + "]");
        poll();
        answer(HttpResponseStatus.OK, "1", "[" + String.format(HELLO, "Zc4lr0UoX1F", true) + "," + msg(1, true) + "]");
        assertEquals(QUERY + "Zc4lr0UoX1F&node=bench+r1&answered=1 [{\"t\":\"ack\",\"seq\":1}]", poll());
        assertEquals(1, pool.stats().connectionRestarts.sum());
        assertEquals(1, pool.stats().redelivered.sum());
    }

    @Test
    void aCloseFrameEndsThePolling() {
        poll();
        answer(HttpResponseStatus.OK, "1", "[" + String.format(HELLO, "Yb3kq9TnW0E", false) + "]");
        poll();
        answer(HttpResponseStatus.OK, "2", "[{\"t\":\"close\",\"code\":4500,\"reason\":\"session_taken_over\"}]");
        assertNull(poll());
        assertFalse(client.isOpen());
        assertEquals(
                1L, ((java.util.Map<?, ?>) pool.stats().snapshot().get("close_frames")).get("4500 session_taken_over"));
        assertEquals(1, pool.stats().unexpectedDisconnects.sum());
    }

    @Test
    void anErrorAnswerFailsTheSessionBeforeHello() {
        poll();
        answer(HttpResponseStatus.SERVICE_UNAVAILABLE, null, "{\"error\":\"unavailable\",\"message\":\"broker\"}");
        assertTrue(session.ready.isCompletedExceptionally());
        assertFalse(client.isOpen());
        assertNull(poll());
    }
}
