package io.lasthop.bench.client;

import java.util.Locale;

/** The edge transports the load generator speaks. */
public enum Transport {
    WS("websocket"), SSE("sse"),
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
            case "stomp", "web-stomp" -> throw new IllegalArgumentException("web-stomp is a peer, not an edge transport: use --peers");
            default -> throw new IllegalArgumentException("unknown transport " + s + " (ws or sse)");
        };
    }

    /** Sockets the client holds per session: SSE adds a keep-alive connection for its acks. */
    public int socketsPerSession() {
        return this == SSE ? 2 : 1;
    }
}
