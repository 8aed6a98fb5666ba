package io.lasthop.protocol;

/**
 * Why the edge ended a connection. On WebSocket the number is the close code; on every transport
 * the edge also sends a {@code close} frame carrying it, since HTTP responses have no close code.
 *
 * <p>Ranges tell a client what to do without knowing every code:
 * <ul>
 *   <li>4000–4099: reconnect and resume the same session (after {@code reconnectAfterMs} if given);
 *   <li>4100–4199: reconnect only after acting: fetch a fresh token, or drop the session id;
 *   <li>4500–4599: terminal, do not reconnect automatically.
 * </ul>
 */
public enum CloseCode {
    /** The node is draining or restarting; reconnect, ideally to another node. */
    GOING_AWAY(4000, "going_away"),
    /** The client held deliveries unacked past the ack deadline; they were requeued. */
    ACK_TIMEOUT(4001, "ack_timeout"),
    /** Nothing was heard from the client within the heartbeat timeout. */
    HEARTBEAT_TIMEOUT(4002, "heartbeat_timeout"),
    /**
     * The client left more unread than the per-connection output bound ({@code
     * connection.max.output.bytes}); its unacked deliveries were requeued.
     */
    SLOW_CONSUMER(4003, "slow_consumer"),
    /**
     * The client sent frames that cost an answer (pings, refused frames, token refreshes) far past
     * its budget of answers: 1,000 past it, an allowance refilled at the budget's rate.
     */
    TOO_MANY_FRAMES(4004, "too_many_frames"),
    /** The token expired and no fresh one was sent in-band in time. */
    TOKEN_EXPIRED(4100, "token_expired"),
    /** The session's queue no longer exists; reconnect without a session id. */
    SESSION_EXPIRED(4101, "session_expired"),
    /**
     * The broker node that holds the session's queue is down (a classic queue on a cluster):
     * reconnect without a session id; messages sent meanwhile may be missing, so resync.
     */
    SESSION_LOST(4102, "session_lost"),
    /** Another connection resumed this session; this one must not fight for it. */
    SESSION_TAKEN_OVER(4500, "session_taken_over"),
    /** A service or operator cut this user or session off; tokens issued before that are refused. */
    REVOKED(4501, "revoked");

    private final int code;
    private final String reason;

    CloseCode(int code, String reason) {
        this.code = code;
        this.reason = reason;
    }

    public int code() {
        return code;
    }

    /** Short machine-readable name, also used as the WebSocket close reason. */
    public String reason() {
        return reason;
    }
}
