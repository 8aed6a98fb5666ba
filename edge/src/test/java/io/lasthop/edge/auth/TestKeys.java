package io.lasthop.edge.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/** Key pairs an issuer would hold, and tokens signed with them by Nimbus, for the tests. */
public final class TestKeys {
    private TestKeys() {}

    public static RSAKey rsa(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }

    public static ECKey ec(Curve curve, String kid) {
        try {
            return new ECKeyGenerator(curve).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }

    public static OctetKeyPair ed25519(String kid) {
        try {
            return new OctetKeyPairGenerator(Curve.Ed25519).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }

    /** A token for {@code sub}, valid for ten minutes, with the key's kid in its header. */
    public static String token(JWK key, JWSAlgorithm alg, String sub) {
        return token(
                key,
                new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(),
                claims(sub).build());
    }

    public static JWTClaimsSet.Builder claims(String sub) {
        Instant now = Clock.systemUTC().instant();
        return new JWTClaimsSet.Builder()
                .subject(sub)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(10))));
    }

    public static String token(JWK key, JWSHeader header, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(signer(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }

    public static JWSSigner signer(JWK key) throws JOSEException {
        if (key instanceof RSAKey rsa) {
            return new RSASSASigner(rsa);
        }
        if (key instanceof ECKey ec) {
            return new ECDSASigner(ec);
        }
        return new Ed25519Signer((OctetKeyPair) key);
    }

    /** The public key as PEM, as {@code openssl pkey -pubout} writes it; RSA and EC keys. */
    public static String pem(JWK key) {
        try {
            byte[] der = key instanceof RSAKey rsa
                    ? rsa.toPublicKey().getEncoded()
                    : key.toECKey().toPublicKey().getEncoded();
            return pem("PUBLIC KEY", der);
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }

    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    /** A key source holding fixed keys, read as often as asked. */
    static KeySource fixed(JWK... keys) {
        List<JWK> list = List.of(keys);
        return new KeySource() {
            @Override
            public List<JWK> read() {
                return list;
            }

            @Override
            public String toString() {
                return "test keys";
            }
        };
    }
}
