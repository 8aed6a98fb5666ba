package io.lasthop.edge.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The JWS algorithms the edge verifies, and which of them a public key may verify. */
final class JwsAlgorithms {
    static final Set<JWSAlgorithm> HMAC = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
    static final Set<JWSAlgorithm> RSA = Set.of(
            JWSAlgorithm.RS256,
            JWSAlgorithm.RS384,
            JWSAlgorithm.RS512,
            JWSAlgorithm.PS256,
            JWSAlgorithm.PS384,
            JWSAlgorithm.PS512);
    static final Set<JWSAlgorithm> EC = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    /** EdDSA as RFC 8037 names it, and Ed25519 as RFC 9864 does; both with an Ed25519 key only. */
    static final Set<JWSAlgorithm> ED25519 = Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);

    static final Set<JWSAlgorithm> PUBLIC_KEY =
            Stream.of(RSA, EC, ED25519).flatMap(Set::stream).collect(Collectors.toUnmodifiableSet());
    /** In the order the documentation lists them. */
    static final List<String> SUPPORTED = List.of(
            "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
            "EdDSA", "Ed25519");

    /** RSA keys shorter than this are not used: no issuer should sign with one. */
    static final int MIN_RSA_BITS = 2048;

    private JwsAlgorithms() {}

    /** The algorithms named, exactly as JWA spells them; an unknown name is an error. */
    static Set<JWSAlgorithm> parse(Set<String> names) {
        Set<JWSAlgorithm> out = new LinkedHashSet<>();
        for (String name : names) {
            if (!SUPPORTED.contains(name)) {
                throw new IllegalArgumentException("jwt.algorithms: \"" + name + "\" is not one of " + SUPPORTED
                        + " (names are case-sensitive; \"none\" is never accepted)");
            }
            out.add(JWSAlgorithm.parse(name));
        }
        return out;
    }

    /**
     * What {@code key} verifies when {@code jwt.algorithms} is unset: its own {@code alg} when it has one,
     * else the algorithm every issuer uses with its kind of key (RS256 for RSA, the curve's ES algorithm
     * for EC, EdDSA and Ed25519 for Ed25519).
     */
    static Set<JWSAlgorithm> implied(JWK key) {
        if (key.getAlgorithm() != null) {
            JWSAlgorithm own = JWSAlgorithm.parse(key.getAlgorithm().getName());
            return fits(key, own) ? Set.of(own) : Set.of();
        }
        if (key instanceof RSAKey) {
            return Set.of(JWSAlgorithm.RS256);
        }
        if (key instanceof ECKey ec) {
            Curve c = ec.getCurve();
            return Curve.P_256.equals(c)
                    ? Set.of(JWSAlgorithm.ES256)
                    : Curve.P_384.equals(c)
                            ? Set.of(JWSAlgorithm.ES384)
                            : Curve.P_521.equals(c) ? Set.of(JWSAlgorithm.ES512) : Set.of();
        }
        if (key instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
            return ED25519;
        }
        return Set.of();
    }

    /**
     * Whether {@code key} can verify {@code alg} at all: a signing key of the algorithm's type and curve,
     * whose own {@code alg}, when it has one, is {@code alg}.
     */
    static boolean fits(JWK key, JWSAlgorithm alg) {
        if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
            return false;
        }
        if (key.getAlgorithm() != null && !key.getAlgorithm().getName().equals(alg.getName())) {
            return false;
        }
        if (RSA.contains(alg)) {
            return key instanceof RSAKey;
        }
        if (EC.contains(alg)) {
            return key instanceof ECKey ec && Curve.forJWSAlgorithm(alg).contains(ec.getCurve());
        }
        if (ED25519.contains(alg)) {
            return key instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve());
        }
        return false;
    }
}
