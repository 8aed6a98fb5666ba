package io.lasthop.service;

import java.io.IOException;

/**
 * A publish the broker did not confirm as delivered. {@link #reason()} says what happened, which
 * decides whether retrying can help: after {@link Reason#TIMED_OUT}, {@link Reason#CHANNEL_CLOSED}
 * and {@link Reason#INTERRUPTED} the message may or may not have been delivered, so a retry should
 * reuse {@link #messageId()} (browsers de-duplicate by it).
 */
public final class PublishException extends IOException {
    /** Why a publish failed. */
    public enum Reason {
        /** {@code basic.nack}: a queue refused the message, e.g. a full session queue (PROTOCOL.md §10). */
        NACKED,
        /** {@code basic.return}: no queue took a mandatory message, e.g. a session queue that expired. */
        UNROUTABLE,
        /** No confirm within the publisher's confirm timeout. */
        TIMED_OUT,
        /** The broker closed the channel or connection before confirming, e.g. 404 for a missing exchange. */
        CHANNEL_CLOSED,
        /** The calling thread was interrupted while waiting; its interrupt flag is set again. */
        INTERRUPTED
    }

    private final Reason reason;
    private final String messageId;

    PublishException(Reason reason, String messageId, String message, Throwable cause) {
        super(message + " (message_id " + messageId + ")", cause);
        this.reason = reason;
        this.messageId = messageId;
    }

    public Reason reason() {
        return reason;
    }

    /** The {@code message_id} the failed publish carried. */
    public String messageId() {
        return messageId;
    }
}
