package io.lasthop.edge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.SignedJWT;
import io.lasthop.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every public-key algorithm family, accepted when allowed and refused when not, and what
 * {@code jwt.algorithms} unset allows: each key its own algorithm.
 */
class PublicKeyAlgorithmsTest {
    static final RSAKey RSA = TestKeys.rsa("rsa-1");
    static final RSAKey RSA_2 = TestKeys.rsa("rsa-2");
    static final ECKey P256 = TestKeys.ec(Curve.P_256, "p256");
    static final ECKey P384 = TestKeys.ec(Curve.P_384, "p384");
    static final ECKey P521 = TestKeys.ec(Curve.P_521, "p521");
    static final OctetKeyPair ED = TestKeys.ed25519("ed");
    /** 64 bytes, enough for HS512. */
    static final byte[] SECRET = "0123456789abcdef".repeat(4).getBytes(StandardCharsets.UTF_8);

    static final Set<String> ALL_PUBLIC =
            Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519");

    private final List<TokenVerifier> opened = new ArrayList<>();

    static Stream<Arguments> families() {
        return Stream.of(
                Arguments.of("RS256", RSA),
                Arguments.of("RS384", RSA),
                Arguments.of("RS512", RSA),
                Arguments.of("PS256", RSA),
                Arguments.of("PS384", RSA),
                Arguments.of("PS512", RSA),
                Arguments.of("ES256", P256),
                Arguments.of("ES384", P384),
                Arguments.of("ES512", P521),
                Arguments.of("EdDSA", ED),
                Arguments.of("Ed25519", ED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void acceptedWhenAllowed(String alg, JWK key) throws AuthException {
        TokenVerifier v = verifier(null, Set.of(alg), RSA, P256, P384, P521, ED);
        assertEquals(
                "alice",
                v.verify(TestKeys.token(key, JWSAlgorithm.parse(alg), "alice")).userId());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void refusedWhenNotAllowed(String alg, JWK key) {
        Set<String> others = new LinkedHashSet<>(ALL_PUBLIC);
        others.remove(alg);
        TokenVerifier v = verifier(SECRET, others, RSA, P256, P384, P521, ED);
        AuthException e = refused(v, TestKeys.token(key, JWSAlgorithm.parse(alg), "alice"));
        assertTrue(e.getMessage().contains("algorithm " + alg + " is not allowed"), e.getMessage());
    }

    /** Same kid, same type, another key: the signature decides, not the header. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void refusedWhenSignedByAnotherKeyUnderTheSameKid(String alg, JWK key) {
        JWK impostor = key instanceof RSAKey
                ? TestKeys.rsa(key.getKeyID())
                : key instanceof ECKey ec
                        ? TestKeys.ec(ec.getCurve(), key.getKeyID())
                        : TestKeys.ed25519(key.getKeyID());
        TokenVerifier v = verifier(null, ALL_PUBLIC, RSA, P256, P384, P521, ED);
        AuthException e = refused(v, TestKeys.token(impostor, JWSAlgorithm.parse(alg), "alice"));
        assertTrue(e.getMessage().contains("signature mismatch"), e.getMessage());
    }

    // ---- jwt.algorithms unset ----

    @Test
    void unsetAllowsWhatEachKeyIsFor() throws AuthException {
        TokenVerifier v = verifier(null, null, RSA, P384, ED);
        assertEquals("a", v.verify(TestKeys.token(RSA, JWSAlgorithm.RS256, "a")).userId());
        assertEquals(
                "a", v.verify(TestKeys.token(P384, JWSAlgorithm.ES384, "a")).userId());
        assertEquals("a", v.verify(TestKeys.token(ED, JWSAlgorithm.EdDSA, "a")).userId());
        assertEquals(
                "a", v.verify(TestKeys.token(ED, JWSAlgorithm.Ed25519, "a")).userId());
        // An RSA key without alg is for RS256 only; PS and other hashes must be allowed by name.
        for (JWSAlgorithm other : List.of(JWSAlgorithm.PS256, JWSAlgorithm.RS512)) {
            AuthException e = refused(v, TestKeys.token(RSA, other, "a"));
            assertTrue(e.getMessage().contains("jwt.algorithms is unset"), e.getMessage());
        }
        // No secret: no HMAC, whatever the header says.
        refused(v, hs256("a"));
    }

    @Test
    void unsetFollowsTheAlgOfEachKey() throws AuthException {
        RSAKey ps384 = new RSAKey.Builder(RSA).algorithm(JWSAlgorithm.PS384).build();
        TokenVerifier v = verifier(null, null, ps384);
        assertEquals("a", v.verify(TestKeys.token(RSA, JWSAlgorithm.PS384, "a")).userId());
        refused(v, TestKeys.token(RSA, JWSAlgorithm.RS256, "a"));
    }

    /** A key's own alg binds it even when the allowlist names more. */
    @Test
    void aKeysAlgBindsItUnderAnAllowlistToo() {
        RSAKey rs256Only = new RSAKey.Builder(RSA).algorithm(JWSAlgorithm.RS256).build();
        TokenVerifier v = verifier(null, Set.of("RS256", "PS256"), rs256Only);
        AuthException e = refused(v, TestKeys.token(RSA, JWSAlgorithm.PS256, "a"));
        assertTrue(e.getMessage().contains("no key with kid \"rsa-1\" verifies PS256"), e.getMessage());
    }

    @Test
    void unsetWithASecretAllowsHs256AndTheKeys() throws AuthException {
        TokenVerifier v = verifier(SECRET, null, RSA);
        assertEquals("a", v.verify(hs256("a")).userId());
        assertEquals("a", v.verify(TestKeys.token(RSA, JWSAlgorithm.RS256, "a")).userId());
        refused(v, hs512("a"));
    }

    // ---- kid ----

    @Test
    void aTokenWithoutKidIsTriedAgainstEveryKeyOfItsAlgorithm() throws AuthException {
        TokenVerifier v = verifier(null, null, RSA, RSA_2, P256);
        String token = TestKeys.token(
                RSA_2, new JWSHeader(JWSAlgorithm.RS256), TestKeys.claims("a").build());
        assertEquals("a", v.verify(token).userId());
    }

    @Test
    void aKidSelectsItsKeyOnly() {
        TokenVerifier v = verifier(null, null, RSA, RSA_2);
        // Signed by rsa-2, but naming rsa-1.
        String token = TestKeys.token(
                RSA_2,
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(),
                TestKeys.claims("a").build());
        assertTrue(refused(v, token).getMessage().contains("signature mismatch"));
    }

    @Test
    void keysWithoutKidServeTokensWithAnyKid() throws Exception {
        JWK pem = KeyFiles.parse(TestKeys.pem(RSA)).get(0);
        assertEquals(null, pem.getKeyID());
        TokenVerifier v = verifier(null, null, pem);
        assertEquals("a", v.verify(TestKeys.token(RSA, JWSAlgorithm.RS256, "a")).userId());
        String other = TestKeys.token(
                RSA,
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("whatever").build(),
                TestKeys.claims("a").build());
        assertEquals("a", v.verify(other).userId());
    }

    // ---- keys that are not used ----

    @Test
    void shortRsaKeysAreNotUsed() throws Exception {
        RSAKey weak = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(1024, true)
                .keyID("weak")
                .generate();
        TokenVerifier v = verifier(null, null, weak, P256);
        JWSHeader header =
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("weak").build();
        SignedJWT jwt = new SignedJWT(header, TestKeys.claims("a").build());
        jwt.sign(new com.nimbusds.jose.crypto.RSASSASigner(weak.toPrivateKey(), true));
        refused(v, jwt.serialize());
    }

    @Test
    void encryptionKeysAreNotUsed() {
        RSAKey enc = new RSAKey.Builder(RSA)
                .keyUse(com.nimbusds.jose.jwk.KeyUse.ENCRYPTION)
                .build();
        TokenVerifier v = verifier(null, Set.of("RS256"), enc, P256);
        refused(v, TestKeys.token(RSA, JWSAlgorithm.RS256, "a"));
    }

    @Test
    void expiredKeysAreNotUsed() {
        RSAKey expired = new RSAKey.Builder(RSA)
                .expirationTime(java.util.Date.from(Clock.systemUTC().instant().minusSeconds(60)))
                .build();
        TokenVerifier v = verifier(null, null, expired, P256);
        refused(v, TestKeys.token(RSA, JWSAlgorithm.RS256, "a"));
    }

    /** The edge's PEM reading against the JDK's own Ed25519, signing without Nimbus. */
    @Test
    void ed25519PemFromTheJdkVerifiesATokenTheJdkSigned() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        JWK key = KeyFiles.parse(TestKeys.pem("PUBLIC KEY", pair.getPublic().getEncoded()))
                .get(0);
        String input = Base64URL.encode("{\"alg\":\"EdDSA\",\"kid\":\"jdk\"}") + "."
                + Base64URL.encode(TestKeys.claims("jdk-user").build().toString());
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(pair.getPrivate());
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        String token = input + "." + Base64URL.encode(s.sign());
        assertEquals("jdk-user", verifier(null, null, key).verify(token).userId());
        assertTrue(refused(verifier(null, null, ED), token).getMessage().contains("no key has kid"));
    }

    // ---- helpers ----

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

    private static String hs256(String sub) {
        return DevTokens.mint(SECRET, TestKeys.claims(sub).build());
    }

    static AuthException refused(TokenVerifier v, String token) {
        AuthException e = assertThrows(AuthException.class, () -> v.verify(token));
        assertEquals(ErrorCode.TOKEN_INVALID, e.code(), e.getMessage());
        return e;
    }

    private static String hs512(String sub) {
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader(JWSAlgorithm.HS512), TestKeys.claims(sub).build());
            jwt.sign(new MACSigner(SECRET));
            return jwt.serialize();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
