package io.lasthop.bench.client;

import io.lasthop.bench.MessageIds;
import io.lasthop.bench.Payloads;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * The Web-STOMP peer's client: STOMP 1.2 over one WebSocket per user, subscribed to the user's own
 * queue with {@code ack:client} (cumulative) and {@code prefetch-count:64}, acked like the Lasthop
 * client: the newest delivery's {@code ack} id once 32 are unacked or after the ack delay. Ready
 * when the broker confirms the subscription (a {@code RECEIPT}).
 */
final class StompSession extends ClientSession {
    private final String queue;
    private long received;
    private String lastAckId;

    StompSession(ClientPool pool, String user, String queue) {
        super(pool, user, "");
        this.queue = queue;
    }

    @Override
    Transport transport() {
        return Transport.STOMP;
    }

    @Override
    void initPipeline(ChannelPipeline p) {
        WebSocketPipeline.init(
                p,
                URI.create("ws://" + pool.hostHeader() + "/ws"),
                "v12.stomp",
                this,
                "closed before subscribed",
                new WebSocketPipeline.Listener() {
                    @Override
                    public void onText(ByteBuf buf) {
                        byte[] bytes = new byte[buf.readableBytes()];
                        buf.getBytes(buf.readerIndex(), bytes);
                        onStompFrame(bytes, 0, bytes.length);
                    }

                    @Override
                    public void onHandshake(ChannelHandlerContext ctx) {
                        ctx.writeAndFlush(new TextWebSocketFrame("CONNECT\naccept-version:1.2\nhost:/\nlogin:guest\n"
                                + "passcode:guest\nheart-beat:0,0\n\n\0"));
                    }
                });
    }

    @Override
    void sendAck(long seq) {
        if (lastAckId != null) {
            channel.writeAndFlush(new TextWebSocketFrame("ACK\nid:" + lastAckId + "\n\n\0"));
        }
    }

    @Override
    void sendPong() {
        // heart-beat:0,0 was negotiated
    }

    @Override
    void sendRequest(long ref, String frame) {
        answered(ref, "a Web-STOMP session makes no Lasthop requests");
    }

    @Override
    CompletableFuture<Void> close() {
        return WebSocketPipeline.close(this);
    }

    /** A parsed STOMP frame: command, the headers we need, and where the body is. */
    record Frame(
            String command,
            String ack,
            String messageId,
            boolean redelivered,
            String errorMessage,
            int bodyOffset,
            int bodyLength) {}

    /** Parses one STOMP frame; null for a heart-beat (EOLs only). Headers are taken as sent (no escapes in ours). */
    static Frame parse(byte[] b, int off, int len) {
        int end = off + len;
        int p = off;
        while (p < end && (b[p] == '\n' || b[p] == '\r')) {
            p++;
        }
        if (p >= end) {
            return null;
        }
        int lineEnd = indexOf(b, p, end, (byte) '\n');
        String command = new String(b, p, trimCr(b, p, lineEnd) - p, StandardCharsets.UTF_8);
        p = lineEnd + 1;
        String ack = null;
        String messageId = null;
        String message = null;
        boolean redelivered = false;
        while (p < end) {
            int e = indexOf(b, p, end, (byte) '\n');
            int lineStop = trimCr(b, p, e);
            if (lineStop == p) {
                p = e + 1;
                break;
            }
            int colon = indexOf(b, p, lineStop, (byte) ':');
            if (colon < lineStop) {
                String key = new String(b, p, colon - p, StandardCharsets.UTF_8);
                String value = new String(b, colon + 1, lineStop - colon - 1, StandardCharsets.UTF_8);
                switch (key) {
                    case "ack" -> ack = ack == null ? value : ack;
                    case "amqp-message-id" -> messageId = messageId == null ? value : messageId;
                    case "redelivered" -> redelivered = value.equals("true");
                    case "message" -> message = message == null ? value : message;
                    default -> {}
                }
            }
            p = e + 1;
        }
        int bodyEnd = indexOf(b, Math.min(p, end), end, (byte) 0);
        int bodyStart = Math.min(p, end);
        return new Frame(command, ack, messageId, redelivered, message, bodyStart, bodyEnd - bodyStart);
    }

    private static int indexOf(byte[] b, int from, int to, byte x) {
        for (int i = from; i < to; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return to;
    }

    private static int trimCr(byte[] b, int from, int to) {
        return to > from && b[to - 1] == '\r' ? to - 1 : to;
    }

    private void onStompFrame(byte[] b, int off, int len) {
        Frame f = parse(b, off, len);
        if (f == null) {
            return;
        }
        switch (f.command()) {
            case "MESSAGE" -> {
                lastAckId = f.ack();
                String id = f.messageId();
                delivered(
                        MessageIds.phase(id),
                        MessageIds.number(id),
                        Payloads.sentUs(b, f.bodyOffset(), f.bodyLength()),
                        f.redelivered(),
                        ++received);
            }
            case "CONNECTED" ->
                channel.writeAndFlush(new TextWebSocketFrame("SUBSCRIBE\nid:0\ndestination:/amq/queue/" + queue
                        + "\nack:client\nprefetch-count:64\nreceipt:subscribed\n\n\0"));
            case "RECEIPT" -> ready.complete(this);
            case "ERROR" -> {
                pool.stats.error("stomp ERROR " + f.errorMessage());
                fail("stomp ERROR " + f.errorMessage());
                channel.close();
            }
            default -> {}
        }
    }
}
