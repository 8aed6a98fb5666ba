package io.lasthop.bench.client;

import java.util.Locale;

/**
 * The edge transports the load generator speaks, each under its one name ({@link #wireName}): on
 * the command line ({@code --transport}), in reports, and in the edge's {@code hello} and metrics.
 * Child worker JVMs receive a transport by its {@link #name()}.
 */
public enum Transport {
    WEBSOCKET("websocket"),
    SSE("sse"),
    STREAM("stream"),
    POLL("poll"),
    /** Not an edge transport: STOMP 1.2 over WebSocket to RabbitMQ Web-STOMP, the peer. */
    STOMP("web-stomp");

    public final String wireName;

    Transport(String wireName) {
        this.wireName = wireName;
    }

    /** An edge transport by its name, in any case. */
    public static Transport parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "websocket" -> WEBSOCKET;
            case "sse" -> SSE;
            case "stream" -> STREAM;
            case "poll" -> POLL;
            case "stomp", "web-stomp" ->
                throw new IllegalArgumentException("web-stomp is a peer, not an edge transport: use --peers");
            default ->
                throw new IllegalArgumentException("unknown transport " + s + " (websocket, sse, stream or poll)");
        };
    }

    /**
     * Sockets the client holds per session: sse and stream add a keep-alive connection for their
     * acks; poll carries its acks in the next poll, on its one connection.
     */
    public int socketsPerSession() {
        return this == SSE || this == STREAM ? 2 : 1;
    }
}
