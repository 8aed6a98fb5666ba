package io.lasthop.bench.client;

import java.util.Locale;

/**
 * The edge transports the load generator speaks. Child worker JVMs receive a transport by its
 * {@link #name()}.
 */
public enum Transport {
    WS("websocket"), SSE("sse"), STREAM("stream"), POLL("poll"),
    /** Not an edge transport: STOMP 1.2 over WebSocket to RabbitMQ Web-STOMP, the peer. */
    STOMP("web-stomp");

    public final String wireName;

    Transport(String wireName) {
        this.wireName = wireName;
    }

    public static Transport parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "ws", "websocket" -> WS;
            case "sse" -> SSE;
            case "stream", "ndjson" -> STREAM;
            case "poll", "long-polling" -> POLL;
            case "stomp", "web-stomp" -> throw new IllegalArgumentException("web-stomp is a peer, not an edge transport: use --peers");
            default -> throw new IllegalArgumentException("unknown transport " + s + " (ws, sse, stream or poll)");
        };
    }

    /**
     * Sockets the client holds per session: SSE and HTTP streaming add a keep-alive connection for
     * their acks; long-polling carries its acks in the next poll, on its one connection.
     */
    public int socketsPerSession() {
        return this == SSE || this == STREAM ? 2 : 1;
    }
}
