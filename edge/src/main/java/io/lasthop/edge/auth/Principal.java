package io.lasthop.edge.auth;

import java.time.Instant;
import java.util.List;

/**
 * The verified identity behind a connection.
 *
 * @param userId    the token's {@code sub}
 * @param expiresAt the token's {@code exp}
 * @param subscribe topic patterns the session may subscribe to, {@code {sub}} already expanded
 * @param send      routing-key patterns the session may send to on {@code lasthop.inbound}
 * @param issuedAt  the token's {@code iat}, or null without one: decides whether a revocation
 *                  covers the token
 */
public record Principal(String userId, Instant expiresAt, List<String> subscribe, List<String> send, Instant issuedAt) {

    public Principal(String userId, Instant expiresAt, Instant issuedAt) {
        this(userId, expiresAt, List.of(), List.of(), issuedAt);
    }
}
