package io.lasthop.edge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.JWTClaimsSet;
import io.lasthop.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The lasthop claim, read through the real verifier. */
class PermissionsTest {
    static final byte[] SECRET = "permissions-test-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    final TokenVerifier verifier =
            new TokenVerifier(SECRET, Set.of("HS256"), null, null, Duration.ZERO, Clock.systemUTC());

    private Principal verify(String sub, Object claim) throws AuthException {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .subject(sub)
                .expirationTime(Date.from(Instant.now().plusSeconds(60)));
        if (claim != null) {
            b.claim(Permissions.CLAIM, claim);
        }
        return verifier.verify(DevTokens.mint(SECRET, b.build()));
    }

    @Test
    void patternsAreExpandedForTheSubject() throws AuthException {
        Principal p = verify(
                "alice", Map.of("subscribe", List.of("prices.#", "user.{sub}.#"), "send", List.of("chat.{sub}")));
        assertEquals(List.of("prices.#", "user.alice.#"), p.subscribe());
        assertEquals(List.of("chat.alice"), p.send());
        assertTrue(Permissions.allows(p.subscribe(), "user.alice.inbox"));
        assertFalse(Permissions.allows(p.subscribe(), "user.bob.inbox"));
        assertTrue(Permissions.allows(p.send(), "chat.alice"));
        assertFalse(Permissions.allows(p.send(), "chat.bob"));
    }

    @Test
    void noClaimMeansNoRight() throws AuthException {
        Principal p = verify("alice", null);
        assertTrue(p.subscribe().isEmpty());
        assertTrue(p.send().isEmpty());
        assertFalse(Permissions.allows(p.send(), "anything"));
    }

    @Test
    void aPlaceholderPatternGrantsNothingToADottedSubject() throws AuthException {
        Principal p = verify("a.b", Map.of("subscribe", List.of("user.{sub}.#", "public.#")));
        assertEquals(List.of("public.#"), p.subscribe());
    }

    @Test
    void malformedClaimsAreRefusedNotIgnored() {
        assertEquals(
                ErrorCode.TOKEN_INVALID,
                assertThrows(AuthException.class, () -> verify("alice", "prices.#"))
                        .code());
        assertEquals(
                ErrorCode.TOKEN_INVALID,
                assertThrows(AuthException.class, () -> verify("alice", Map.of("subscribe", "prices.#")))
                        .code());
        assertEquals(
                ErrorCode.TOKEN_INVALID,
                assertThrows(AuthException.class, () -> verify("alice", Map.of("send", List.of(1, 2))))
                        .code());
    }
}
