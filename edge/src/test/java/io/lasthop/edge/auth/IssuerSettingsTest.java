package io.lasthop.edge.auth;

import static io.lasthop.edge.auth.PublicKeyAlgorithmsTest.refused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import io.lasthop.edge.config.EdgeConfig;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.server.EdgeServer;
import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The issuer settings as an operator writes them: key files, a JWKS URL, and what start refuses. */
class IssuerSettingsTest {
    static final RSAKey RSA = PublicKeyAlgorithmsTest.RSA;
    static final ECKey P256 = PublicKeyAlgorithmsTest.P256;
    static final OctetKeyPair ED = PublicKeyAlgorithmsTest.ED;
    static final String REPLY_SECRET = "reply-secret-reply-secret-reply-secret!";

    @TempDir
    Path dir;

    @Test
    void pemFilesAndAJwksFileTogether() throws Exception {
        Path rsaPem = write("rsa.pem", TestKeys.pem(RSA));
        Path ecPem = write("ec.pem", "comment lines around blocks are ignored\n" + TestKeys.pem(P256));
        Path jwks = write("jwks.json", new JWKSet(List.of(ED)).toPublicJWKSet().toString());
        try (TokenVerifier v = TokenVerifier.fromConfig(
                config(c ->
                        c.set(Settings.JWT_PUBLIC_KEYS, Set.of(rsaPem.toString(), ecPem.toString(), jwks.toString()))),
                null)) {
            assertEquals(
                    "a", v.verify(TestKeys.token(RSA, JWSAlgorithm.RS256, "a")).userId());
            assertEquals(
                    "a", v.verify(TestKeys.token(P256, JWSAlgorithm.ES256, "a")).userId());
            assertEquals(
                    "a", v.verify(TestKeys.token(ED, JWSAlgorithm.EdDSA, "a")).userId());
            // Unset jwt.algorithms: a PEM RSA key is for RS256 only.
            refused(v, TestKeys.token(RSA, JWSAlgorithm.PS256, "a"));
        }
        try (TokenVerifier v = TokenVerifier.fromConfig(
                config(c -> c.set(Settings.JWT_PUBLIC_KEYS, Set.of(rsaPem.toString()))
                        .set(Settings.JWT_ALGORITHMS, Set.of("PS256"))),
                null)) {
            assertEquals(
                    "a", v.verify(TestKeys.token(RSA, JWSAlgorithm.PS256, "a")).userId());
            refused(v, TestKeys.token(RSA, JWSAlgorithm.RS256, "a"));
        }
    }

    @Test
    void aSingleJwkFile() throws Exception {
        Path jwk = write("key.json", P256.toPublicJWK().toJSONString());
        try (TokenVerifier v =
                TokenVerifier.fromConfig(config(c -> c.set(Settings.JWT_PUBLIC_KEYS, Set.of(jwk.toString()))), null)) {
            assertEquals(
                    "a", v.verify(TestKeys.token(P256, JWSAlgorithm.ES256, "a")).userId());
        }
    }

    /** A certificate as an issuer hands it out: made by the JDK's keytool, its key used to sign. */
    @Test
    void aCertificatePemFile() throws Exception {
        Path store = dir.resolve("issuer.p12");
        keytool(
                "-genkeypair",
                "-alias",
                "issuer",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=issuer",
                "-validity",
                "2",
                "-keystore",
                store.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                "changeit");
        Path cert = dir.resolve("issuer.crt");
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "issuer",
                "-keystore",
                store.toString(),
                "-storepass",
                "changeit",
                "-file",
                cert.toString());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(store.toFile())) {
            ks.load(in, "changeit".toCharArray());
        }
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("from-cert").build(),
                TestKeys.claims("cert-user").build());
        jwt.sign(new RSASSASigner((PrivateKey) ks.getKey("issuer", "changeit".toCharArray())));
        try (TokenVerifier v =
                TokenVerifier.fromConfig(config(c -> c.set(Settings.JWT_PUBLIC_KEYS, Set.of(cert.toString()))), null)) {
            assertEquals("cert-user", v.verify(jwt.serialize()).userId());
        }
    }

    /** Key files are the operator's own: one that cannot be read stops the start, with its name. */
    @Test
    void aKeyFileThatDoesNotReadStopsTheStart() throws Exception {
        Path priv = write(
                "private.pem", TestKeys.pem("PRIVATE KEY", RSA.toPrivateKey().getEncoded()));
        Path pkcs1 = write("pkcs1.pem", TestKeys.pem("RSA PUBLIC KEY", new byte[] {0x30, 0x00}));
        Path garbage = write("garbage.pem", "not a key");
        Path missing = dir.resolve("missing.pem");
        for (Object[] c : new Object[][] {
            {priv, "public key only"},
            {pkcs1, "openssl rsa -RSAPublicKey_in"},
            {garbage, "no PEM block"},
            {missing, "missing.pem"}
        }) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> TokenVerifier.fromConfig(
                            config(b -> b.set(Settings.JWT_PUBLIC_KEYS, Set.of(c[0].toString()))), null));
            assertTrue(e.getMessage().contains((String) c[1]), e.getMessage());
        }
    }

    /** An issuer down at start is logged, not fatal: the edge starts and takes its keys later. */
    @Test
    void anUnreachableJwksUrlDoesNotStopTheStart() throws Exception {
        JwksServer issuer = JwksServer.start(RSA);
        String url = issuer.url();
        issuer.close();
        try (TokenVerifier v = TokenVerifier.fromConfig(
                config(c -> c.set(Settings.JWT_JWKS_URL, url).set(Settings.JWT_JWKS_TIMEOUT, Duration.ofMillis(500))),
                null)) {
            assertTrue(refused(v, TestKeys.token(RSA, JWSAlgorithm.RS256, "a"))
                    .getMessage()
                    .contains("no public key yet"));
        }
    }

    @Test
    void settingsThatContradictEachOtherAreRefused() throws Exception {
        Path pem = write("rsa.pem", TestKeys.pem(RSA));
        byte[] secret = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        refusedAtStart("RS256 but no public key", secret, c -> c.set(Settings.JWT_ALGORITHMS, Set.of("RS256")));
        refusedAtStart("HS256 but jwt.hs256.secret is not set", null, c -> c.set(
                        Settings.JWT_PUBLIC_KEYS, Set.of(pem.toString()))
                .set(Settings.JWT_ALGORITHMS, Set.of("HS256", "RS256")));
        refusedAtStart("\"rs256\" is not one of", null, c -> c.set(Settings.JWT_PUBLIC_KEYS, Set.of(pem.toString()))
                .set(Settings.JWT_ALGORITHMS, Set.of("rs256")));
        refusedAtStart("must be an https://", secret, c -> c.set(Settings.JWT_JWKS_URL, "file:///etc/jwks.json"));
        refusedAtStart("at least 1s", secret, c -> c.set(Settings.JWT_PUBLIC_KEYS, Set.of(pem.toString()))
                .set(Settings.JWT_KEYS_REFRESH_MIN_INTERVAL, Duration.ofMillis(10)));
    }

    // ---- EdgeServer: refused before any thread starts ----

    @Test
    void theEdgeNeedsSomeKeySource() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new EdgeServer(EdgeConfig.newBuilder().build()));
        for (String name : List.of("LASTHOP_JWT_HS256_SECRET", "LASTHOP_JWT_JWKS_URL", "LASTHOP_JWT_PUBLIC_KEYS")) {
            assertTrue(e.getMessage().contains(name), e.getMessage());
        }
    }

    @Test
    void publicKeysOnlyNeedAReplyTokenSecret() throws Exception {
        Path pem = write("rsa.pem", TestKeys.pem(RSA));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new EdgeServer(EdgeConfig.newBuilder()
                        .set(Settings.JWT_PUBLIC_KEYS, Set.of(pem.toString()))
                        .build()));
        assertTrue(e.getMessage().contains("LASTHOP_REPLY_TOKEN_SECRET is required"), e.getMessage());
        IllegalArgumentException shortOne = assertThrows(
                IllegalArgumentException.class,
                () -> new EdgeServer(EdgeConfig.newBuilder()
                        .set(Settings.JWT_PUBLIC_KEYS, Set.of(pem.toString()))
                        .set(Settings.REPLY_TOKEN_SECRET, "short")
                        .build()));
        assertTrue(shortOne.getMessage().contains("at least 32 bytes"), shortOne.getMessage());
    }

    @Test
    void replyTokensFollowTheirOwnSecretWhenSet() throws Exception {
        byte[] jwtSecret = "jwt-secret-jwt-secret-jwt-secret-jwt".getBytes(StandardCharsets.UTF_8);
        EdgeConfig own = EdgeConfig.newBuilder()
                .set(Settings.REPLY_TOKEN_SECRET, REPLY_SECRET)
                .build();
        // Nodes with the same reply secret accept each other's reply tokens, whatever verifies JWTs.
        ReplyTokens a = ReplyTokens.fromConfig(own, null);
        ReplyTokens b = ReplyTokens.fromConfig(own, jwtSecret);
        assertEquals("q", b.verify(a.mint("alice", "q", "c"), "alice").replyTo());
        assertFalse(java.util.Arrays.equals(
                ReplyTokens.key(own, jwtSecret), ReplyTokens.key(EdgeConfig.DEFAULT, jwtSecret)));
        // Unset: derived from the JWT secret, as before.
        assertArrayEquals(ReplyTokens.deriveKey(jwtSecret), ReplyTokens.key(EdgeConfig.DEFAULT, jwtSecret));
    }

    // ---- helpers ----

    private void refusedAtStart(String expected, byte[] secret, UnaryOperator<EdgeConfig.Builder> settings) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TokenVerifier.fromConfig(config(settings), secret)
                        .close());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static EdgeConfig config(UnaryOperator<EdgeConfig.Builder> settings) {
        return settings.apply(EdgeConfig.newBuilder()).build();
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool took over 60 s");
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
