package io.lasthop.bench.client;

/**
 * The abusive clients of the {@code abuse} scenario, each under one name in reports and JSON.
 * Each holds one client connection to the edge at a time (the sse and poll kinds also POST their
 * pings on a second, keep-alive connection), and what it does is what issue 11 reproduced.
 */
public enum AbuseKind {
    /** A WebSocket session that reads its {@code hello}, then never reads again and keeps sending pings. */
    WEBSOCKET_PINGER(
            "websocket-pinger",
            "WebSocket session: reads its hello, then stops reading and keeps "
                    + "sending `ping` frames on the socket"),
    /** An SSE session that reads its {@code hello}, then never reads again, its pings POSTed to /lasthop/frames. */
    SSE_PINGER(
            "sse-pinger",
            "SSE session: reads its hello, then stops reading; its `ping` frames are POSTed to "
                    + "`/lasthop/frames` on a second connection"),
    /** A long-polling session that stops polling after its {@code hello}, its pings POSTed to /lasthop/frames. */
    POLL_PINGER(
            "poll-pinger",
            "long-polling session: takes the answer with its hello, then never polls again; "
                    + "its `ping` frames are POSTed to `/lasthop/frames`"),
    /** A connection that pipelines GET requests and never reads an answer. */
    PIPELINER("pipelined-gets", "one connection pipelining `GET` requests, never reading an answer"),
    /** A connection that sends nothing at all. */
    SILENT("silent-socket", "a connection that sends nothing");

    public final String wireName;
    public final String description;

    AbuseKind(String wireName, String description) {
        this.wireName = wireName;
        this.description = description;
    }

    /** Whether this kind opens a session (and so a queue on the broker). */
    public boolean hasSession() {
        return this == WEBSOCKET_PINGER || this == SSE_PINGER || this == POLL_PINGER;
    }

    /**
     * The transport of the ordinary session that stands in for an abuser of this kind when the edge
     * is measured idle: its own, or websocket for the kinds without a session.
     */
    public Transport idleCounterpart() {
        return switch (this) {
            case SSE_PINGER -> Transport.SSE;
            case POLL_PINGER -> Transport.POLL;
            default -> Transport.WEBSOCKET;
        };
    }

    /** A kind by its wire name. */
    public static AbuseKind parse(String wireName) {
        for (AbuseKind k : values()) {
            if (k.wireName.equals(wireName)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown abuser kind " + wireName + " ("
                + String.join(
                        ", ",
                        java.util.Arrays.stream(values()).map(k -> k.wireName).toList()) + ")");
    }
}
