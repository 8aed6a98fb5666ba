package io.lasthop.edge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lasthop.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ReplyTokensTest {
    static final byte[] KEY =
            ReplyTokens.deriveKey("a-jwt-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8));
    static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    final ReplyTokens tokens = new ReplyTokens(KEY, Duration.ofMinutes(10), Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aTokenGrantsItsReplyAddressToItsUser() throws AuthException {
        ReplyTokens.Grant g = tokens.verify(tokens.mint("alice", "amq.gen-1", "c-1"), "alice");
        assertEquals("amq.gen-1", g.replyTo());
        assertEquals("c-1", g.correlationId());
        assertNull(tokens.verify(tokens.mint("alice", "q", null), "alice").correlationId());
    }

    @Test
    void anyNodeWithTheSameSecretVerifies() throws AuthException {
        ReplyTokens otherNode = new ReplyTokens(KEY.clone(), Duration.ofMinutes(10), Clock.fixed(NOW, ZoneOffset.UTC));
        assertEquals(
                "q", otherNode.verify(tokens.mint("alice", "q", "c"), "alice").replyTo());
    }

    @Test
    void anotherUsersTokenIsRefused() {
        AuthException e = assertThrows(AuthException.class, () -> tokens.verify(tokens.mint("alice", "q", "c"), "bob"));
        assertEquals(ErrorCode.REPLY_TOKEN_INVALID, e.code());
    }

    @Test
    void expiredTokenIsRefused() {
        String token = tokens.mint("alice", "q", "c");
        ReplyTokens later = new ReplyTokens(
                KEY, Duration.ofMinutes(10), Clock.fixed(NOW.plus(Duration.ofMinutes(11)), ZoneOffset.UTC));
        assertEquals(
                ErrorCode.REPLY_TOKEN_EXPIRED,
                assertThrows(AuthException.class, () -> later.verify(token, "alice"))
                        .code());
    }

    @Test
    void tamperedOrForeignKeyTokensAreRefused() {
        String token = tokens.mint("alice", "q", "c");
        String tampered = token.substring(0, 5) + (token.charAt(5) == 'A' ? 'B' : 'A') + token.substring(6);
        assertEquals(
                ErrorCode.REPLY_TOKEN_INVALID,
                assertThrows(AuthException.class, () -> tokens.verify(tampered, "alice"))
                        .code());
        ReplyTokens otherKey = new ReplyTokens(
                ReplyTokens.deriveKey("another-secret-another-secret-xx!!".getBytes(StandardCharsets.UTF_8)),
                Duration.ofMinutes(10),
                Clock.fixed(NOW, ZoneOffset.UTC));
        assertEquals(
                ErrorCode.REPLY_TOKEN_INVALID,
                assertThrows(AuthException.class, () -> tokens.verify(otherKey.mint("alice", "q", "c"), "alice"))
                        .code());
        for (String junk : new String[] {"", ".", "abc", "a.b.c", "!!!.???"}) {
            assertEquals(
                    ErrorCode.REPLY_TOKEN_INVALID,
                    assertThrows(AuthException.class, () -> tokens.verify(junk, "alice"))
                            .code(),
                    junk);
        }
    }

    @Test
    void theReplyKeyIsNotTheJwtSecret() {
        byte[] jwt = "a-jwt-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);
        assertNotEquals(
                new String(jwt, StandardCharsets.ISO_8859_1),
                new String(ReplyTokens.deriveKey(jwt), StandardCharsets.ISO_8859_1));
    }
}
