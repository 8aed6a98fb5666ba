package io.lasthop.edge.session;

import io.lasthop.edge.auth.AuthException;
import io.lasthop.edge.auth.Principal;
import io.lasthop.protocol.CloseCode;
import io.lasthop.protocol.ErrorCode;
import io.lasthop.protocol.ServerFrames;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The token behind a session's connection: its rights, its in-band refresh ({@code auth} frames),
 * and its expiry, which closes the connection unless a fresh token came first. Event loop only.
 */
final class SessionToken {
    private final Session session;
    private final SessionContext ctx;
    private final EventLoop loop;
    private Principal principal;
    private ScheduledFuture<?> expiry;

    SessionToken(Session session, SessionContext ctx, EventLoop loop, Principal principal) {
        this.session = session;
        this.ctx = ctx;
        this.loop = loop;
        this.principal = principal;
    }

    /** The identity and rights of the newest token the client presented. */
    Principal principal() {
        return principal;
    }

    /** Replaces the token with {@code token} if it is valid and for the same user; answers either way. */
    void refresh(String token) {
        Principal p;
        try {
            p = ctx.tokens().verify(token);
            ctx.revocations().check(p);
        } catch (AuthException e) {
            ctx.metrics().authFailure(e.code());
            session.sendError(-1, e.code(), e.getMessage());
            return;
        }
        if (!p.userId().equals(principal.userId())) {
            ctx.metrics().authFailure(ErrorCode.TOKEN_INVALID);
            session.sendError(
                    -1, ErrorCode.TOKEN_INVALID, "the new token is for another subject; a connection keeps its user");
            return;
        }
        principal = p;
        scheduleExpiry();
        session.send(out -> ServerFrames.writeAuthOk(out, p.expiresAt().toEpochMilli()), false);
    }

    void scheduleExpiry() {
        cancel();
        long delay = principal.expiresAt().toEpochMilli() + ctx.settings().leewayMillis() - System.currentTimeMillis();
        expiry = loop.schedule(
                () -> session.close(
                        CloseCode.TOKEN_EXPIRED,
                        "the token expired; reconnect with a fresh one, or send it in an auth frame before expiry"),
                Math.max(delay, 0),
                TimeUnit.MILLISECONDS);
    }

    void cancel() {
        if (expiry != null) {
            expiry.cancel(false);
        }
    }
}
