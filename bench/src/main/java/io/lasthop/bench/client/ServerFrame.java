package io.lasthop.bench.client;

/**
 * The fields of a server frame the load generator needs; the rest are skipped unread. Mutable and
 * reused by one parser, so reading a frame allocates little.
 */
public final class ServerFrame {
    public enum Type { HELLO, MSG, PING, PONG, CLOSE, ERROR, OTHER }

    public Type type = Type.OTHER;
    public long seq;
    /** Phase and number of a harness message id ({@code p<phase>.<n>}), or -1. */
    public int idPhase = -1;
    public long idNumber = -1;
    public boolean redelivered;
    public long sentUs = -1;
    public String session;
    public String connection;
    public String node;
    public int code;
    public String reason;

    void reset() {
        type = Type.OTHER;
        seq = 0;
        idPhase = -1;
        idNumber = -1;
        redelivered = false;
        sentUs = -1;
        session = null;
        connection = null;
        node = null;
        code = 0;
        reason = null;
    }
}
