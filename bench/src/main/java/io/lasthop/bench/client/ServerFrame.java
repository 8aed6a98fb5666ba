package io.lasthop.bench.client;

/**
 * The fields of a server frame the load generator needs; the rest are skipped unread. Mutable and
 * reused by one parser, so reading a frame allocates little.
 */
public final class ServerFrame {
    public enum Type {
        HELLO,
        MSG,
        PING,
        PONG,
        OK,
        CLOSE,
        ERROR,
        OTHER
    }

    public Type type = Type.OTHER;
    public long seq;
    /** Phase and number of a harness message id ({@code p<phase>.<n>}), or -1. */
    public int idPhase = -1;

    public long idNumber = -1;
    public boolean redelivered;
    /** A {@code msg} frame's routing key. */
    public String key;

    public long sentUs = -1;
    public String session;
    public String connection;
    /** hello: the node holding the session, and whether the requested session was resumed. */
    public String node;

    public boolean resumed;
    /** A {@code close} frame's numeric code. */
    public int code;

    public String reason;
    /** An {@code error} frame's code, e.g. {@code forbidden}. */
    public String errorCode;
    /** The request an {@code ok} or {@code error} answers, or -1. */
    public long ref = -1;

    void reset() {
        type = Type.OTHER;
        seq = 0;
        idPhase = -1;
        idNumber = -1;
        redelivered = false;
        key = null;
        sentUs = -1;
        session = null;
        connection = null;
        node = null;
        resumed = false;
        code = 0;
        reason = null;
        errorCode = null;
        ref = -1;
    }
}
