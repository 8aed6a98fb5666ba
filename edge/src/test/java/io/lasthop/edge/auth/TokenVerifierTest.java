package io.lasthop.edge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.management.ThreadMXBean;
import io.lasthop.protocol.ErrorCode;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TokenVerifierTest {
    /** 64 bytes: long enough for HS512 too. */
    private static final byte[] SECRET =
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    private static final byte[] OTHER_SECRET =
            "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Duration LEEWAY = Duration.ofSeconds(5);

    private final TokenVerifier verifier = verifier(null, null, CLOCK);

    // ---- accepted ----

    @Test
    void validHs256Token() throws AuthException {
        Principal p = verifier.verify(
                DevTokens.mint(SECRET, claims("alice", NOW.plusSeconds(600)).build()));
        assertEquals(new Principal("alice", NOW.plusSeconds(600), NOW), p);
    }

    @Test
    void explicitJwtTypeIsAccepted() throws Exception {
        String token = sign(
                new JWSHeader.Builder(JWSAlgorithm.HS256)
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims("alice", NOW.plusSeconds(60)).build(),
                SECRET);
        assertEquals("alice", verifier.verify(token).userId());
    }

    @Test
    void otherAllowlistedHmacAlgorithmIsAccepted() throws Exception {
        TokenVerifier both = new TokenVerifier(SECRET, Set.of("HS256", "HS512"), null, null, LEEWAY, CLOCK);
        String token = sign(
                new JWSHeader(JWSAlgorithm.HS512),
                claims("alice", NOW.plusSeconds(60)).build(),
                SECRET);
        assertEquals("alice", both.verify(token).userId());
    }

    /** Issue 11, finding 7: Keycloak and most issuers always set kid. */
    @ParameterizedTest
    @ValueSource(strings = {"hmac-1", "5f7c1e0a-2b3d-4e5f-8a9b-0c1d2e3f4a5b", ""})
    void tokenWithAKeyIdIsAccepted(String kid) throws Exception {
        String token = sign(
                new JWSHeader.Builder(JWSAlgorithm.HS256)
                        .keyID(kid)
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims("alice", NOW.plusSeconds(60)).build(),
                SECRET);
        assertEquals("alice", verifier.verify(token).userId());
    }

    @Test
    void otherAllowlistedHmacAlgorithmWithAKeyIdIsAccepted() throws Exception {
        TokenVerifier both = new TokenVerifier(SECRET, Set.of("HS256", "HS512"), null, null, LEEWAY, CLOCK);
        String token = sign(
                new JWSHeader.Builder(JWSAlgorithm.HS512).keyID("k").build(),
                claims("alice", NOW.plusSeconds(60)).build(),
                SECRET);
        assertEquals("alice", both.verify(token).userId());
    }

    @Test
    void issuerAndAudienceAreIgnoredWhenNotConfigured() throws AuthException {
        String token =
                mint(claims("alice", NOW.plusSeconds(60)).issuer("anyone").audience("anything"));
        assertEquals("alice", verifier.verify(token).userId());
    }

    // ---- signature and algorithm ----

    @Test
    void unsignedAlgNoneTokenIsRefused() {
        String token = new PlainJWT(claims("alice", NOW.plusSeconds(60)).build()).serialize();
        assertRefused(ErrorCode.TOKEN_INVALID, token);
    }

    @Test
    void validTokenWithItsSignatureStrippedIsRefused() {
        String token = mint(claims("alice", NOW.plusSeconds(60)));
        assertRefused(ErrorCode.TOKEN_INVALID, token.substring(0, token.lastIndexOf('.') + 1));
    }

    @Test
    void tokenSignedWithAnAlgorithmNotAllowedIsRefused() throws Exception {
        String token = sign(
                new JWSHeader(JWSAlgorithm.HS512),
                claims("alice", NOW.plusSeconds(60)).build(),
                SECRET);
        assertRefused(ErrorCode.TOKEN_INVALID, token);
    }

    @Test
    void wrongSecretIsRefused() {
        assertRefused(
                ErrorCode.TOKEN_INVALID,
                DevTokens.mint(
                        OTHER_SECRET, claims("alice", NOW.plusSeconds(60)).build()));
    }

    @Test
    void tamperedPayloadIsRefused() {
        String good = mint(claims("alice", NOW.plusSeconds(60)));
        String other = mint(claims("mallory", NOW.plusSeconds(60)));
        String[] g = good.split("\\.");
        String[] o = other.split("\\.");
        assertRefused(ErrorCode.TOKEN_INVALID, g[0] + "." + o[1] + "." + g[2]);
    }

    /** A kid selects nothing with one shared secret, so it must not let another secret or algorithm in. */
    @Test
    void keyIdDoesNotHelpAWrongSecretOrAlgorithm() throws Exception {
        assertRefused(
                ErrorCode.TOKEN_INVALID,
                sign(
                        new JWSHeader.Builder(JWSAlgorithm.HS256)
                                .keyID("hmac-1")
                                .build(),
                        claims("alice", NOW.plusSeconds(60)).build(),
                        OTHER_SECRET));
        assertRefused(
                ErrorCode.TOKEN_INVALID,
                sign(
                        new JWSHeader.Builder(JWSAlgorithm.HS512)
                                .keyID("hmac-1")
                                .build(),
                        claims("alice", NOW.plusSeconds(60)).build(),
                        SECRET));
    }

    @ParameterizedTest
    @ValueSource(strings = {"secevent+jwt", "logout+jwt", "JOSE", "dpop+jwt"})
    void otherTokenTypeIsRefused(String typ) throws Exception {
        String token = sign(
                new JWSHeader.Builder(JWSAlgorithm.HS256)
                        .type(new JOSEObjectType(typ))
                        .build(),
                claims("alice", NOW.plusSeconds(60)).build(),
                SECRET);
        assertRefused(ErrorCode.TOKEN_INVALID, token);
    }

    /** RFC 9068 access tokens, as Auth0's RFC 9068 profile and IdentityServer mint them. */
    @ParameterizedTest
    @ValueSource(strings = {"at+jwt", "application/at+jwt", "AT+JWT"})
    void accessTokenTypeIsAccepted(String typ) throws Exception {
        String token = sign(
                new JWSHeader.Builder(JWSAlgorithm.HS256)
                        .type(new JOSEObjectType(typ))
                        .build(),
                claims("alice", NOW.plusSeconds(60)).build(),
                SECRET);
        assertEquals("alice", verifier.verify(token).userId());
    }

    /** Claims of a token with a bad signature are never looked at, so it is invalid, not expired. */
    @Test
    void expiredTokenWithWrongSecretIsInvalid() {
        assertRefused(
                ErrorCode.TOKEN_INVALID,
                DevTokens.mint(
                        OTHER_SECRET, claims("alice", NOW.minusSeconds(3600)).build()));
    }

    // ---- time ----

    @Test
    void expiredBeyondLeewayIsRefusedAsExpired() {
        assertRefused(ErrorCode.TOKEN_EXPIRED, mint(claims("alice", NOW.minusSeconds(60))));
        assertRefused(
                ErrorCode.TOKEN_EXPIRED, mint(claims("alice", NOW.minus(LEEWAY).minusSeconds(1))));
    }

    @Test
    void expiredWithinLeewayIsAccepted() throws AuthException {
        assertEquals(
                "alice",
                verifier.verify(mint(claims("alice", NOW.minusSeconds(3)))).userId());
    }

    @Test
    void tokenExpiresAsTheClockMovesOn() throws AuthException {
        String token = mint(claims("alice", NOW.plusSeconds(60)));
        assertEquals("alice", verifier.verify(token).userId());
        TokenVerifier later = verifier(null, null, Clock.offset(CLOCK, Duration.ofMinutes(2)));
        AuthException e = assertThrows(AuthException.class, () -> later.verify(token));
        assertEquals(ErrorCode.TOKEN_EXPIRED, e.code());
    }

    /** ErrorCode.TOKEN_EXPIRED: "The token is past its exp, or before its nbf." */
    @Test
    void notYetValidIsRefusedAsExpired() {
        assertRefused(
                ErrorCode.TOKEN_EXPIRED,
                mint(claims("alice", NOW.plusSeconds(600)).notBeforeTime(at(NOW.plusSeconds(60)))));
    }

    @Test
    void notBeforeWithinLeewayIsAccepted() throws AuthException {
        String token = mint(claims("alice", NOW.plusSeconds(600)).notBeforeTime(at(NOW.plusSeconds(3))));
        assertEquals("alice", verifier.verify(token).userId());
    }

    // ---- required claims ----

    @Test
    void missingSubIsRefused() {
        assertRefused(
                ErrorCode.TOKEN_INVALID, mint(new JWTClaimsSet.Builder().expirationTime(at(NOW.plusSeconds(60)))));
    }

    @Test
    void emptySubIsRefused() {
        assertRefused(ErrorCode.TOKEN_INVALID, mint(claims("", NOW.plusSeconds(60))));
    }

    /**
     * RFC 7519 makes sub a StringOrURI. Nimbus turns a number into text, and not faithfully (1e3 is
     * "1000.0", digits past a double's precision are lost), so two numbers could name one user.
     */
    @ParameterizedTest
    @ValueSource(strings = {"123", "1e3", "12345678901234567890123", "1.5", "-7"})
    void numericSubIsRefused(String number) {
        String token = signRaw(
                "{\"alg\":\"HS256\"}",
                "{\"sub\":" + number + ",\"exp\":" + NOW.plusSeconds(60).getEpochSecond() + "}");
        AuthException e = assertThrows(AuthException.class, () -> verifier.verify(token));
        assertEquals(ErrorCode.TOKEN_INVALID, e.code());
        assertTrue(e.getMessage().contains("sub must be a string"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "[\"alice\"]", "{\"id\":\"alice\"}", "null"})
    void subThatIsNoStringIsRefused(String value) {
        String token = signRaw(
                "{\"alg\":\"HS256\"}",
                "{\"sub\":" + value + ",\"exp\":" + NOW.plusSeconds(60).getEpochSecond() + "}");
        assertRefused(ErrorCode.TOKEN_INVALID, token);
    }

    @Test
    void numericLookingStringSubIsAccepted() throws AuthException {
        assertEquals(
                "123", verifier.verify(mint(claims("123", NOW.plusSeconds(60)))).userId());
    }

    @Test
    void missingExpIsRefused() {
        assertRefused(ErrorCode.TOKEN_INVALID, mint(new JWTClaimsSet.Builder().subject("alice")));
    }

    // ---- issuer and audience ----

    @Test
    void issuerMustMatchWhenConfigured() throws AuthException {
        TokenVerifier v = verifier("https://auth.example", null, CLOCK);
        assertEquals(
                "alice",
                v.verify(mint(claims("alice", NOW.plusSeconds(60)).issuer("https://auth.example")))
                        .userId());
        assertRefused(
                v,
                ErrorCode.TOKEN_INVALID,
                mint(claims("alice", NOW.plusSeconds(60)).issuer("https://evil.example")));
        assertRefused(v, ErrorCode.TOKEN_INVALID, mint(claims("alice", NOW.plusSeconds(60))));
    }

    @Test
    void audienceMustMatchWhenConfigured() throws AuthException {
        TokenVerifier v = verifier(null, "lasthop", CLOCK);
        assertEquals(
                "alice",
                v.verify(mint(claims("alice", NOW.plusSeconds(60)).audience("lasthop")))
                        .userId());
        assertEquals(
                "alice",
                v.verify(mint(claims("alice", NOW.plusSeconds(60)).audience(List.of("api", "lasthop"))))
                        .userId());
        assertRefused(
                v,
                ErrorCode.TOKEN_INVALID,
                mint(claims("alice", NOW.plusSeconds(60)).audience("api")));
        assertRefused(v, ErrorCode.TOKEN_INVALID, mint(claims("alice", NOW.plusSeconds(60))));
    }

    @Test
    void emptyIssuerAndAudienceMeanNotConfigured() throws AuthException {
        TokenVerifier v = verifier("", "", CLOCK);
        assertEquals(
                "alice", v.verify(mint(claims("alice", NOW.plusSeconds(60)))).userId());
    }

    // ---- not a token ----

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "a.b.c", "a.b", "....", "eyJhbGciOiJIUzI1NiJ9.e30.", "Bearer x.y.z"})
    void garbageIsInvalid(String token) {
        assertRefused(ErrorCode.TOKEN_INVALID, token);
    }

    @ParameterizedTest
    @NullAndEmptySource
    void noTokenIsMissing(String token) {
        assertRefused(ErrorCode.TOKEN_MISSING, token);
    }

    // ---- construction ----

    @Test
    void constructorRefusesAShortSecret() {
        byte[] shortSecret = new byte[31];
        assertThrows(
                IllegalArgumentException.class,
                () -> new TokenVerifier(shortSecret, Set.of("HS256"), null, null, LEEWAY, CLOCK));
        assertThrows(
                IllegalArgumentException.class,
                () -> new TokenVerifier(null, Set.of("HS256"), null, null, LEEWAY, CLOCK));
    }

    /** Public-key algorithms need public keys; unknown names (none, wrong case) are refused outright. */
    @ParameterizedTest
    @ValueSource(strings = {"RS256", "ES256", "none", "PS256", "EdDSA", "hs256", "ES256K"})
    void constructorRefusesAlgorithmsItHasNoKeyForOrDoesNotKnow(String alg) {
        assertThrows(
                IllegalArgumentException.class,
                () -> new TokenVerifier(SECRET, Set.of(alg), null, null, LEEWAY, CLOCK));
        assertThrows(
                IllegalArgumentException.class,
                () -> new TokenVerifier(SECRET, Set.of("HS256", alg), null, null, LEEWAY, CLOCK));
    }

    @Test
    void constructorRefusesAnEmptyAllowlist() {
        assertThrows(
                IllegalArgumentException.class, () -> new TokenVerifier(SECRET, Set.of(), null, null, LEEWAY, CLOCK));
    }

    // ---- accepted tokens remembered ----

    /** A long-polling client sends its token with every request: verified once, not every time. */
    @Test
    void aTokenSentWithEveryRequestIsVerifiedOnce() throws AuthException {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        int n = TokenVerifier.REMEMBERED_PER_THREAD;
        List<String> distinct = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            distinct.add(mint(claims("user-" + i, NOW.plusSeconds(600))));
        }
        String same = mint(claims("alice", NOW.plusSeconds(600)));
        verifier.verify(same);
        long before = threads.getCurrentThreadAllocatedBytes();
        for (String token : distinct) {
            verifier.verify(token);
        }
        long verified = threads.getCurrentThreadAllocatedBytes() - before;
        before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < n; i++) {
            assertEquals("alice", verifier.verify(same).userId());
        }
        long remembered = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(
                remembered * 20 < verified,
                "a remembered token cost " + remembered / n + " bytes, a verification " + verified / n);
    }

    @Test
    void aRememberedTokenIsRefusedOnceItExpires() throws AuthException {
        MovingClock clock = new MovingClock(NOW);
        TokenVerifier v = verifier(null, null, clock);
        String token = mint(claims("alice", NOW.plusSeconds(60)));
        assertEquals("alice", v.verify(token).userId());
        clock.now = NOW.plusSeconds(60).plus(LEEWAY).plusSeconds(1);
        assertRefused(v, ErrorCode.TOKEN_EXPIRED, token);
    }

    /** Within the leeway past exp a token is still accepted, as before: verified again, not remembered. */
    @Test
    void aRememberedTokenPastItsExpiryButWithinTheLeewayIsVerifiedAgain() throws AuthException {
        MovingClock clock = new MovingClock(NOW);
        TokenVerifier v = verifier(null, null, clock);
        String token = mint(claims("alice", NOW.plusSeconds(60)));
        v.verify(token);
        clock.now = NOW.plusSeconds(61);
        assertEquals("alice", v.verify(token).userId());
    }

    @Test
    void aRefusedTokenIsNotRemembered() {
        String token = DevTokens.mint(
                OTHER_SECRET, claims("alice", NOW.plusSeconds(60)).build());
        assertRefused(ErrorCode.TOKEN_INVALID, token);
        assertRefused(ErrorCode.TOKEN_INVALID, token);
    }

    /** A clock a test moves. */
    private static final class MovingClock extends Clock {
        volatile Instant now;

        MovingClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    // ---- helpers ----

    private static TokenVerifier verifier(String issuer, String audience, Clock clock) {
        return new TokenVerifier(SECRET, Set.of("HS256"), issuer, audience, LEEWAY, clock);
    }

    private static JWTClaimsSet.Builder claims(String sub, Instant exp) {
        return new JWTClaimsSet.Builder().subject(sub).issueTime(at(NOW)).expirationTime(at(exp));
    }

    private static String mint(JWTClaimsSet.Builder claims) {
        return DevTokens.mint(SECRET, claims.build());
    }

    private static String sign(JWSHeader header, JWTClaimsSet claims, byte[] secret) throws Exception {
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(new MACSigner(secret));
        return jwt.serialize();
    }

    /** Signs a header and payload as given, so a test can put JSON in them that no builder would. */
    private static String signRaw(String header, String payload) {
        try {
            String input = Base64URL.encode(header).toString() + "." + Base64URL.encode(payload);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
            return input + "." + Base64URL.encode(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    private static Date at(Instant instant) {
        return Date.from(instant);
    }

    private void assertRefused(ErrorCode expected, String token) {
        assertRefused(verifier, expected, token);
    }

    private static void assertRefused(TokenVerifier v, ErrorCode expected, String token) {
        Executable call = () -> v.verify(token);
        AuthException e = assertThrows(AuthException.class, call);
        assertEquals(expected, e.code(), e.getMessage());
    }
}
