package io.lasthop.bench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lasthop.bench.Fanout;
import io.lasthop.bench.Ledger;
import io.lasthop.bench.Ledgers;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A WebSocket session on an embedded channel: what it writes, and what it makes of what it reads. */
class ClientSessionTest {
    private static final Fanout.Subscriber SUB = new Fanout.Subscriber("u1", "bench.r.a.t1", 2, 3);

    private final Ledgers ledgers = new Ledgers();
    private ClientPool pool;
    private WebSocketSession session;
    private EmbeddedChannel channel;

    @BeforeEach
    void open() {
        pool = new ClientPool(
                "127.0.0.1",
                9,
                "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8),
                Duration.ofMinutes(1),
                ledgers,
                new SourceAddresses(0, SourceAddresses.DEFAULT_PER_ADDRESS, 0),
                1);
        session = new WebSocketSession(pool, "u1", "token");
        channel = new EmbeddedChannel();
        session.channel = channel;
        read("{\"t\":\"hello\",\"v\":1,\"session\":\"S\",\"connection\":\"C\"}");
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
        pool.close();
    }

    private void read(String frame) {
        byte[] b = frame.getBytes(StandardCharsets.UTF_8);
        session.onFrameBytes(b, 0, b.length);
    }

    private String written() {
        TextWebSocketFrame f = channel.readOutbound();
        try {
            return f.text();
        } finally {
            f.release();
        }
    }

    private static String failure(CompletableFuture<Void> f) {
        assertTrue(f.isCompletedExceptionally(), "failed");
        try {
            f.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause().getMessage();
        }
    }

    @Test
    void subscribeSendsSubAndCompletesAtTheOkWithItsRef() {
        CompletableFuture<Void> first = session.subscribe(SUB);
        CompletableFuture<Void> second = session.subscribe(SUB);
        assertEquals("{\"t\":\"sub\",\"ref\":1,\"topic\":\"bench.r.a.t1\"}", written());
        assertEquals("{\"t\":\"sub\",\"ref\":2,\"topic\":\"bench.r.a.t1\"}", written());
        read("{\"t\":\"ok\",\"ref\":2}");
        assertTrue(second.isDone() && !second.isCompletedExceptionally());
        assertFalse(first.isDone(), "answers are matched by ref, not by order");
        read("{\"t\":\"ok\",\"ref\":1}");
        assertTrue(first.isDone() && !first.isCompletedExceptionally());
    }

    @Test
    void anErrorWithTheRefFailsTheRequestWithItsCode() {
        CompletableFuture<Void> f = session.subscribe(SUB);
        written();
        read("{\"t\":\"error\",\"code\":\"unknown_delivery\",\"message\":\"…\"}");
        assertFalse(f.isDone(), "an error without ref answers no request");
        read("{\"t\":\"error\",\"ref\":1,\"code\":\"forbidden\",\"message\":\"…\"}");
        assertEquals("forbidden", failure(f));
        @SuppressWarnings("unchecked")
        Map<String, Long> errors = (Map<String, Long>) pool.stats().snapshot().get("errors");
        assertEquals(Map.of("frame forbidden", 1L, "frame unknown_delivery", 1L), errors);
    }

    @Test
    void noAnswerFailsTheRequestAfterTheTimeoutOrAtTheClose() {
        CompletableFuture<Void> late = session.subscribe(SUB);
        channel.advanceTimeBy(ClientSession.REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertEquals("no answer within 20000 ms", failure(late));
        read("{\"t\":\"ok\",\"ref\":1}"); // too late: ignored
        CompletableFuture<Void> cut = session.subscribe(SUB);
        session.onClosed("gone");
        assertEquals("closed before the answer", failure(cut));
    }

    @Test
    void onceSubscribedDeliveriesAreCountedInTheSubscribersSlots() {
        Ledger l = ledgers.open(3, 10 * SUB.width());
        read("{\"t\":\"msg\",\"seq\":1,\"id\":\"p3.4\",\"key\":\"u1\",\"body\":{\"sentUs\":1}}");
        assertFalse(l.record(4, 1, 2), "before: by message number");
        session.subscribe(SUB);
        read("{\"t\":\"msg\",\"seq\":2,\"id\":\"p3.4\",\"key\":\"bench.r.a.t1\",\"body\":{\"sentUs\":1}}");
        assertFalse(l.record(4 * 3 + 2, 1, 2), "after: message 4 in slot 2 of width 3");
        read("{\"t\":\"msg\",\"seq\":3,\"id\":\"p3.5\",\"key\":\"bench.r.a.t0\",\"body\":{\"sentUs\":1}}");
        assertEquals(2, l.unique());
        assertEquals(2, l.duplicates());
        assertEquals(1, l.foreign(), "another topic's message");
    }

    @Test
    void aDroppedSessionResumesWithWhatItsLastHelloNamed() {
        assertEquals("&session=S&connection=C", session.resumeQuery(), "no node named, none sent");
        assertFalse(session.resumed);
        read("{\"t\":\"hello\",\"v\":1,\"session\":\"S\",\"connection\":\"C2\",\"resumed\":true,"
                + "\"node\":\"edge a/1\"}");
        assertTrue(session.resumed);
        assertEquals("&session=S&connection=C2&node=edge+a%2F1", session.resumeQuery());
        CompletableFuture<Void> dropped = session.drop();
        assertTrue(dropped.isDone() && !channel.isOpen(), "dropped at once, with no close handshake");
        assertNull(channel.readOutbound(), "no close frame: a lost network sends none");
    }
}
