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

/** Mints the HS256 tokens the edge is started to accept: {@code sub} and {@code exp}, as PROTOCOL.md §7. */
public final class Tokens {
    private static final ThreadLocal<MACSigner> SIGNER = new ThreadLocal<>();
    private static final ThreadLocal<byte[]> KEY = new ThreadLocal<>();

    private Tokens() {}

    public static String mint(byte[] secret, String subject, Duration ttl) {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(subject).issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl))).build();
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
