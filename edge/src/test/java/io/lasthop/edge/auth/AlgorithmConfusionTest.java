package io.lasthop.edge.auth;

import static io.lasthop.edge.auth.PublicKeyAlgorithmsTest.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The classic ways to make a JWT library check a token with a key the attacker chose: HMAC keyed with
 * the issuer's public key, {@code alg: none}, keys or key URLs in the header, a kid naming a key of
 * another type, a symmetric key slipped into a JWKS.
 */
class AlgorithmConfusionTest {
    static final RSAKey ISSUER = PublicKeyAlgorithmsTest.RSA;
    static final byte[] SECRET = PublicKeyAlgorithmsTest.SECRET;
    static final RSAKey ATTACKER = TestKeys.rsa("rsa-1");

    private final List<TokenVerifier> opened = new ArrayList<>();

    /** What an attacker would feed an HMAC as "the key": the public key as the edge might hold it. */
    static Stream<byte[]> publicKeyAsSecret() throws Exception {
        return Stream.of(
                TestKeys.pem(ISSUER).getBytes(StandardCharsets.US_ASCII),
                ISSUER.toPublicKey().getEncoded(),
                ISSUER.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8),
                ISSUER.getModulus().decode());
    }

    @ParameterizedTest
    @MethodSource("publicKeyAsSecret")
    void hmacKeyedWithThePublicKeyIsRefused(byte[] publicKey) throws Exception {
        String token = hmac(JWSAlgorithm.HS256, "rsa-1", publicKey);
        // Public keys only: HMAC is not allowed at all.
        assertTrue(refused(verifier(null, null, ISSUER), token).getMessage().contains("not allowed"));
        // With a secret too, and HS256 allowed: the HMAC is checked with the secret, never a public key.
        TokenVerifier both = verifier(SECRET, Set.of("HS256", "RS256"), ISSUER);
        assertTrue(refused(both, token).getMessage().contains("signature mismatch"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
    void unsignedTokensAreRefused(String alg) {
        String unsigned = Base64URL.encode("{\"alg\":\"" + alg + "\",\"kid\":\"rsa-1\"}") + "."
                + Base64URL.encode(TestKeys.claims("mallory").build().toString());
        TokenVerifier v = verifier(SECRET, null, ISSUER);
        refused(v, unsigned + ".");
        refused(v, unsigned + "." + Base64URL.encode("sig"));
    }

    /** A header that brings a key, or says where to fetch one, is refused before any key is chosen. */
    @Test
    void embeddedJwkIsRefused() {
        String token = TestKeys.token(
                ATTACKER,
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .keyID("rsa-1")
                        .jwk(ATTACKER.toPublicJWK())
                        .build(),
                TestKeys.claims("mallory").build());
        assertTrue(refused(verifier(null, null, ISSUER), token).getMessage().contains("carries \"jwk\""));
    }

    @Test
    void jkuIsRefusedAndNeverFetched() throws Exception {
        try (JwksServer attackers = JwksServer.start(ATTACKER)) {
            String token = TestKeys.token(
                    ATTACKER,
                    new JWSHeader.Builder(JWSAlgorithm.RS256)
                            .keyID("rsa-1")
                            .jwkURL(URI.create(attackers.url()))
                            .build(),
                    TestKeys.claims("mallory").build());
            assertTrue(refused(verifier(null, null, ISSUER), token).getMessage().contains("carries \"jku\""));
            // Also when the token is otherwise good: the edge takes no key hint from a sender.
            String signedByIssuer = TestKeys.token(
                    ISSUER,
                    new JWSHeader.Builder(JWSAlgorithm.RS256)
                            .keyID("rsa-1")
                            .jwkURL(URI.create(attackers.url()))
                            .build(),
                    TestKeys.claims("alice").build());
            refused(verifier(null, null, ISSUER), signedByIssuer);
            assertEquals(0, attackers.requests(), "the edge fetched a URL named by a token");
        }
    }

    @Test
    void x5uAndX5cAreRefused() throws Exception {
        String x5u = TestKeys.token(
                ATTACKER,
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .x509CertURL(URI.create("https://attacker.example/cert.pem"))
                        .build(),
                TestKeys.claims("m").build());
        assertTrue(refused(verifier(null, null, ISSUER), x5u).getMessage().contains("carries \"x5u\""));
        String x5c = TestKeys.token(
                ATTACKER,
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .x509CertChain(List.of(Base64.encode(new byte[] {0x30, 0x00})))
                        .build(),
                TestKeys.claims("m").build());
        assertTrue(refused(verifier(null, null, ISSUER), x5c).getMessage().contains("carries \"x5c\""));
    }

    /** The kid names the issuer's RSA key, the header says ES256, the attacker signed with an EC key. */
    @Test
    void aKidCannotLendItsKeyToAnotherAlgorithm() {
        ECKey attackerEc = TestKeys.ec(Curve.P_256, "rsa-1");
        String token = TestKeys.token(attackerEc, JWSAlgorithm.ES256, "mallory");
        TokenVerifier v = verifier(null, Set.of("RS256", "ES256"), ISSUER);
        assertTrue(refused(v, token).getMessage().contains("no key with kid \"rsa-1\" verifies ES256"));
    }

    /** An issuer (or whoever controls its JWKS) publishing a symmetric key gives no one an HMAC key. */
    @Test
    void symmetricKeysInAKeySetAreNeverUsed() throws Exception {
        byte[] shared = "a-symmetric-key-that-an-issuer-published".getBytes(StandardCharsets.UTF_8);
        JWK oct = new OctetSequenceKey.Builder(shared).keyID("sym").build();
        String token = hmac(JWSAlgorithm.HS256, "sym", shared);
        refused(verifier(null, null, oct, ISSUER), token);
        refused(verifier(SECRET, Set.of("HS256", "RS256"), oct, ISSUER), token);
    }

    @Test
    void unknownCriticalHeaderIsRefused() {
        String token = TestKeys.token(
                ISSUER,
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .keyID("rsa-1")
                        .criticalParams(Set.of("exp-policy"))
                        .customParam("exp-policy", "lenient")
                        .build(),
                TestKeys.claims("alice").build());
        refused(verifier(null, null, ISSUER), token);
    }

    // ---- helpers ----

    private static String hmac(JWSAlgorithm alg, String kid, byte[] key) throws Exception {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(alg).keyID(kid).build(),
                TestKeys.claims("mallory").build());
        jwt.sign(new MACSigner(key));
        return jwt.serialize();
    }

    private TokenVerifier verifier(byte[] secret, Set<String> algorithms, JWK... keys) {
        VerificationKeys source = new VerificationKeys(
                        TestKeys.fixed(keys), Duration.ofMinutes(5), Duration.ofSeconds(10), Clock.systemUTC())
                .start(false);
        TokenVerifier v = new TokenVerifier(
                secret, algorithms, List.of(source), null, null, Duration.ofSeconds(5), Clock.systemUTC());
        opened.add(v);
        return v;
    }

    @AfterEach
    void close() {
        opened.forEach(TokenVerifier::close);
    }
}
