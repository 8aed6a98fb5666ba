package io.lasthop.bench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The two WebSocket sessions, Lasthop's websocket transport and the Web-STOMP peer's, against a
 * real local WebSocket server: handshake, the first frames, the close a leaving tab makes, and a
 * refused handshake.
 */
class WebSocketPipelineTest {
    private static final long WAIT_S = 10;

    private LocalServer server;
    /** What the server received, in order: text messages as they are, a close as "close CODE REASON". */
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();

    private ClientPool pool;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /**
     * A server taking WebSocket upgrades on {@code path} (query allowed) with {@code subprotocol},
     * refusing any other request with 403; {@code onText} answers each text message, and
     * {@code onOpen} runs once the handshake is done.
     */
    private int server(String path, String subprotocol, Consumer<Channel> onOpen, BiConsumer<Channel, String> onText) {
        server = LocalServer.webSocket(path, subprotocol, onOpen, (ch, message) -> {
            received.add(message);
            if (!message.startsWith("close ")) {
                onText.accept(ch, message);
            }
        });
        return server.port();
    }

    private ClientPool pool(int port) {
        pool = server.pool();
        return pool;
    }

    private static void send(Channel ch, String text) {
        ch.writeAndFlush(new TextWebSocketFrame(text));
    }

    private String next() throws InterruptedException {
        String s = received.poll(WAIT_S, TimeUnit.SECONDS);
        assertTrue(s != null, "the server received nothing within " + WAIT_S + " s");
        return s;
    }

    @Test
    void websocketSessionIsReadyAtHelloAnswersPingsAndClosesWithAHandshake() throws Exception {
        int port = server(
                "/lasthop/ws",
                null,
                ch -> {
                    send(ch, "{\"t\":\"hello\",\"v\":1,\"session\":\"S\",\"connection\":\"C\"}");
                    send(ch, "{\"t\":\"ping\"}");
                },
                (ch, text) -> {});
        ClientSession s = pool(port).open("u1", Transport.WEBSOCKET).get(WAIT_S, TimeUnit.SECONDS);
        assertEquals("S", s.sessionId);
        assertEquals("{\"t\":\"pong\"}", next());
        assertEquals(0, pool.closeAll(Duration.ofSeconds(WAIT_S)), "every socket closed");
        assertEquals("close 1000 bye", next());
    }

    @Test
    void webStompSessionConnectsSubscribesAndIsReadyAtTheReceipt() throws Exception {
        int port = server("/ws", "v12.stomp", ch -> {}, (ch, text) -> {
            if (text.startsWith("CONNECT\n")) {
                send(ch, "CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\0");
            } else if (text.startsWith("SUBSCRIBE\n")) {
                send(ch, "RECEIPT\nreceipt-id:subscribed\n\n\0");
            }
        });
        pool(port).stomp(u -> "q." + u, u -> CompletableFuture.completedFuture(null));
        pool.open("u1", Transport.STOMP).get(WAIT_S, TimeUnit.SECONDS);
        assertEquals("CONNECT\naccept-version:1.2\nhost:/\nlogin:guest\npasscode:guest\nheart-beat:0,0\n\n\0", next());
        assertEquals(
                "SUBSCRIBE\nid:0\ndestination:/amq/queue/q.u1\nack:client\nprefetch-count:64\nreceipt:subscribed\n\n\0",
                next());
        assertEquals(0, pool.closeAll(Duration.ofSeconds(WAIT_S)), "every socket closed");
        assertEquals("close 1000 bye", next());
    }

    @Test
    void aRefusedHandshakeFailsTheSessionWithTheStatus() {
        int port = server("/elsewhere", null, ch -> {}, (ch, text) -> {});
        ExecutionException e = assertThrows(
                ExecutionException.class,
                () -> pool(port).open("u1", Transport.WEBSOCKET).get(WAIT_S, TimeUnit.SECONDS));
        assertEquals("http 403", e.getCause().getMessage());
    }
}
