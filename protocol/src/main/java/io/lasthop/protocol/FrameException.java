package io.lasthop.protocol;

/**
 * A client frame that cannot be accepted, with the code to report to the client, and the
 * {@code ref} of the request it was, when that much could be read.
 */
public final class FrameException extends Exception {
    private final ErrorCode code;
    private final long ref;

    public FrameException(ErrorCode code, String message) {
        this(code, message, -1);
    }

    private FrameException(ErrorCode code, String message, long ref) {
        super(message, null, false, false);
        this.code = code;
        this.ref = ref;
    }

    public ErrorCode code() {
        return code;
    }

    /** The request's {@code ref}, for the error to answer it; -1 when the frame had none that could be read. */
    public long ref() {
        return ref;
    }

    /** This refusal, answering request {@code ref}. */
    FrameException answering(long ref) {
        return new FrameException(code, getMessage(), ref);
    }
}
