package io.lasthop.edge.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

/** Mints HS256 tokens: for dev mode's /dev/token, and for tests. */
public final class DevTokens {
    /**
     * The secret of dev mode. It is public, in this source file, which is the point: dev mode must
     * never guard anything real.
     */
    public static final String DEV_SECRET = "lasthop-dev-secret-do-not-use-in-production!";

    private DevTokens() {}

    public static String mint(byte[] secret, String subject, Duration ttl) {
        return mint(secret, claims(subject, ttl).build());
    }

    /** A token whose {@code lasthop} claim allows the demo: prices and chat topics, chat sends. */
    public static String mintForDemo(byte[] secret, String subject, Duration ttl) {
        return mint(
                secret,
                claims(subject, ttl)
                        .claim(
                                Permissions.CLAIM,
                                Map.of(
                                        "subscribe", List.of("prices.*", "chat.*", "user.{sub}.#"),
                                        "send", List.of("chat.*")))
                        .build());
    }

    private static JWTClaimsSet.Builder claims(String subject, Duration ttl) {
        return new JWTClaimsSet.Builder()
                .subject(subject)
                .issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plus(ttl)));
    }

    public static String mint(byte[] secret, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(secret));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalArgumentException("cannot sign: " + e.getMessage(), e);
        }
    }
}
