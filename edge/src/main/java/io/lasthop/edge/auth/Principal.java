package io.lasthop.edge.auth;

import java.time.Instant;

/**
 * The verified identity behind a connection.
 *
 * @param userId    the token's {@code sub}
 * @param expiresAt the token's {@code exp}
 */
public record Principal(String userId, Instant expiresAt) {}
