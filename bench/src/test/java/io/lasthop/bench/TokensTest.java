package io.lasthop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokensTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef-bench".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OTHER = "another-secret-another-secret-another!!".getBytes(StandardCharsets.UTF_8);

    private static SignedJWT parse(String token) throws Exception {
        return SignedJWT.parse(token);
    }

    @Test
    void aSubscribingTokenGrantsItsPatternsInTheLasthopClaim() throws Exception {
        SignedJWT jwt = parse(Tokens.mint(SECRET, "bench-r-fe3", Duration.ofHours(6), List.of("bench.r.a.*")));
        assertTrue(jwt.verify(new MACVerifier(SECRET)));
        assertFalse(jwt.verify(new MACVerifier(OTHER)));
        JWTClaimsSet c = jwt.getJWTClaimsSet();
        assertEquals("bench-r-fe3", c.getSubject());
        assertTrue(c.getExpirationTime().getTime() - c.getIssueTime().getTime()
                >= Duration.ofHours(6).toMillis() - 1_000);
        // PROTOCOL.md §8: an object whose "subscribe" is an array of strings, and no "send"
        assertEquals(Map.of("subscribe", List.of("bench.r.a.*")), c.getJSONObjectClaim("lasthop"));
        assertTrue(
                jwt.getPayload().toString().contains("\"lasthop\":{\"subscribe\":[\"bench.r.a.*\"]}"),
                jwt.getPayload().toString());
    }

    @Test
    void aPlainTokenHasNoClaimSoItMayNeitherSendNorSubscribe() throws Exception {
        assertNull(parse(Tokens.mint(SECRET, "u", Duration.ofMinutes(1)))
                .getJWTClaimsSet()
                .getClaim("lasthop"));
        assertNull(parse(Tokens.mint(SECRET, "u", Duration.ofMinutes(1), List.of()))
                .getJWTClaimsSet()
                .getClaim("lasthop"));
    }
}
