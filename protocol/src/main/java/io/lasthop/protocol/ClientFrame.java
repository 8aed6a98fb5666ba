package io.lasthop.protocol;

/** A frame sent by the client. Every transport carries the same frames. */
public sealed interface ClientFrame {

    /** Acknowledges every delivery of this connection up to and including {@code seq}. */
    record Ack(long seq) implements ClientFrame {}

    /** Asks the edge for a {@code pong}; clients use it to detect a dead edge. */
    record Ping() implements ClientFrame {}

    /** Answers the edge's {@code ping}. */
    record Pong() implements ClientFrame {}

    /** A fresh token for the same subject, extending the connection past the old token's expiry. */
    record Auth(String token) implements ClientFrame {}
}
