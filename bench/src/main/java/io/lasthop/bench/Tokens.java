package io.lasthop.bench;

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

/**
 * Mints the HS256 tokens the edge is started to accept: {@code sub} and {@code exp}, as PROTOCOL.md
 * §7, and, for sessions that subscribe, a {@code lasthop} claim granting topics (§8).
 */
public final class Tokens {
    static final String CLAIM = "lasthop";
    private static final ThreadLocal<MACSigner> SIGNER = new ThreadLocal<>();
    private static final ThreadLocal<byte[]> KEY = new ThreadLocal<>();

    private Tokens() {}

    public static String mint(byte[] secret, String subject, Duration ttl) {
        return mint(secret, subject, ttl, List.of());
    }

    /**
     * A token whose {@code lasthop} claim allows {@code sub} to the given patterns; without
     * patterns, no claim at all, so the session may neither send nor subscribe.
     */
    public static String mint(byte[] secret, String subject, Duration ttl, List<String> subscribe) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .subject(subject)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)));
        if (!subscribe.isEmpty()) {
            b.claim(CLAIM, Map.of("subscribe", List.copyOf(subscribe)));
        }
        JWTClaimsSet claims = b.build();
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(signer(secret));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalArgumentException("cannot sign: " + e.getMessage(), e);
        }
    }

    private static MACSigner signer(byte[] secret) throws JOSEException {
        if (KEY.get() != secret) {
            SIGNER.set(new MACSigner(secret));
            KEY.set(secret);
        }
        return SIGNER.get();
    }
}
