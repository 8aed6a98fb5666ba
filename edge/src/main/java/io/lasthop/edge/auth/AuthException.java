package io.lasthop.edge.auth;

import io.lasthop.protocol.ErrorCode;

/** A token that was refused, with the code the client is told. */
public final class AuthException extends Exception {
    private final ErrorCode code;

    public AuthException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
