package io.lasthop.protocol;

/** A client frame that cannot be accepted, with the code to report to the client. */
public final class FrameException extends Exception {
    private final ErrorCode code;

    public FrameException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
