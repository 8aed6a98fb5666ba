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
 */
public record Principal(String userId, Instant expiresAt, List<String> subscribe, List<String> send) {

    public Principal(String userId, Instant expiresAt) {
        this(userId, expiresAt, List.of(), List.of());
    }
}
