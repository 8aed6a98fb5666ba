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

    /** A client frame the edge answers with {@code ok} or {@code error} carrying the same {@code ref}. */
    sealed interface Request extends ClientFrame {
        long ref();
    }

    /**
     * Publishes to {@code lasthop.inbound} with a literal routing key.
     *
     * @param id the message id to publish with, or null for a generated one
     */
    record Send(long ref, String key, Body body, String id) implements Request {}

    /** Answers a delivered message that carried a {@code replyToken}. */
    record Reply(long ref, String token, Body body) implements Request {}

    /** Binds the session's queue to {@code lasthop.topic} with {@code topic} (a topic pattern). */
    record Subscribe(long ref, String topic) implements Request {}

    /** Removes that binding. */
    record Unsubscribe(long ref, String topic) implements Request {}

    /** A message body as a client sends it: the bytes, and the content type its encoding implies. */
    record Body(byte[] bytes, String contentType) {}
}
