package io.lasthop.edge.auth;

import io.lasthop.protocol.ErrorCode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Users cut off by a service or an operator: for {@code revocation.retention} after a revocation,
 * a token of that user issued at or before it (or with no {@code iat} at all) is refused, so a
 * revoked client cannot simply reconnect with the token it holds. Tokens issued afterwards are
 * accepted: the issuer decides whether the user may have one. Each node keeps its own list, learnt
 * from the revocations it receives; a node started later does not know older ones. Thread-safe.
 */
public final class Revocations {
    /** Users remembered at once; past it the oldest revocations are forgotten first. */
    static final int MAX_USERS = 100_000;

    private final Duration retention;
    private final Clock clock;
    private final Map<String, Instant> revokedAt = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
            return size() > MAX_USERS || eldest.getValue().plus(retention).isBefore(clock.instant());
        }
    };

    public Revocations(Duration retention, Clock clock) {
        this.retention = retention;
        this.clock = clock;
    }

    /** Revokes every token of {@code userId} issued until now. */
    public synchronized void revoke(String userId) {
        // Re-inserted, so the map stays in revocation order and the eldest entry expires first.
        revokedAt.remove(userId);
        revokedAt.put(userId, clock.instant());
    }

    /** Refuses {@code p} if its user was revoked after its token was issued. */
    public synchronized void check(Principal p) throws AuthException {
        Instant at = revokedAt.get(p.userId());
        if (at == null || at.plus(retention).isBefore(clock.instant())) {
            return;
        }
        // iat has whole seconds: a token of the revocation's second may predate it.
        if (p.issuedAt() == null || p.issuedAt().getEpochSecond() <= at.getEpochSecond()) {
            throw new AuthException(
                    ErrorCode.TOKEN_REVOKED,
                    "this user was revoked at " + at + "; tokens issued before then are refused");
        }
    }
}
