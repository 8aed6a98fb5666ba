package io.lasthop.protocol;

/**
 * Codes of {@code error} frames and of JSON error bodies of HTTP responses. An error frame never
 * ends the connection by itself: the offending frame is dropped and nothing else changes.
 */
public enum ErrorCode {
    /** The frame is not a JSON object, or a field is missing or has the wrong type. */
    BAD_FRAME("bad_frame"),
    /** The frame's {@code t} names no frame type this edge knows. */
    UNKNOWN_FRAME_TYPE("unknown_frame_type"),
    /** The frame exceeds the configured size limit. */
    FRAME_TOO_LARGE("frame_too_large"),
    /** An ack names a delivery this connection never made. */
    UNKNOWN_DELIVERY("unknown_delivery"),
    /** No token was given. */
    TOKEN_MISSING("token_missing"),
    /** The token's signature, algorithm or claims are not acceptable. */
    TOKEN_INVALID("token_invalid"),
    /** The token is past its {@code exp}, or before its {@code nbf}. */
    TOKEN_EXPIRED("token_expired"),
    /** The user was revoked after this token was issued. */
    TOKEN_REVOKED("token_revoked"),
    /** The token does not allow this topic or routing key. */
    FORBIDDEN("forbidden"),
    /** A routing key with a wildcard, or a topic pattern that is not well formed. */
    BAD_KEY("bad_key"),
    /** The broker accepted the message but no queue is bound to receive it. */
    UNROUTABLE("unroutable"),
    /** The broker refused the message (basic.nack), e.g. a full queue with reject-publish. */
    REJECTED("rejected"),
    /** A message body over the inbound size limit. */
    TOO_LARGE("too_large"),
    /** More messages per second than the session's allowance. */
    RATE_LIMITED("rate_limited"),
    /** The session holds as many subscriptions as it may. */
    TOO_MANY_SUBSCRIPTIONS("too_many_subscriptions"),
    /** A reply token that is forged, malformed, or was issued to another user. */
    REPLY_TOKEN_INVALID("reply_token_invalid"),
    /** A reply token past its expiry. */
    REPLY_TOKEN_EXPIRED("reply_token_expired"),
    /** A session id that is not of the form the edge issues. */
    BAD_SESSION_ID("bad_session_id"),
    /** The session is not connected to this node. */
    SESSION_NOT_FOUND("session_not_found"),
    /**
     * A POST named a connection of the session that is gone; its frames were dropped. Acks of a
     * gone connection have no effect: its unacked deliveries are redelivered on the new one.
     */
    STALE_CONNECTION("stale_connection"),
    /** The broker is unreachable; retry later. */
    UNAVAILABLE("unavailable"),
    /** The node holds as many connections as it may; retry, ideally on another node. */
    OVERLOADED("overloaded"),
    /** The user holds as many sessions on this node as it may. */
    TOO_MANY_SESSIONS("too_many_sessions"),
    /** The request did not arrive whole within the request timeout. */
    REQUEST_TIMEOUT("request_timeout"),
    /** A browser origin that may not open a WebSocket here (cross-site WebSocket hijacking). */
    ORIGIN_FORBIDDEN("origin_forbidden"),
    /** The request does not fit the endpoint (method, upgrade headers). */
    BAD_REQUEST("bad_request"),
    /** No endpoint at this path. */
    NOT_FOUND("not_found");

    private final String code;

    ErrorCode(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
