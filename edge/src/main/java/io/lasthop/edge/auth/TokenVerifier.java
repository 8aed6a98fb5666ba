package io.lasthop.edge.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimNames;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.lasthop.edge.config.EdgeConfig;
import io.lasthop.edge.config.Settings;
import io.lasthop.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies JWTs with Nimbus JOSE+JWT: only allowlisted HMAC algorithms, a required {@code sub} and
 * {@code exp}, {@code exp}/{@code nbf} with a small leeway, and {@code iss}/{@code aud} when
 * configured. Thread-safe; verification is CPU-only, so it may run on an event loop.
 */
public final class TokenVerifier {
    private static final Set<JWSAlgorithm> HMAC = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
    private static final int MIN_SECRET_BYTES = 32;

    private final DefaultJWTProcessor<SecurityContext> processor;

    public TokenVerifier(byte[] secret, Set<String> algorithms, String issuer, String audience,
                         Duration leeway, Clock clock) {
        if (secret == null || secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the HS256 secret must be at least " + MIN_SECRET_BYTES + " bytes");
        }
        Set<JWSAlgorithm> allowed = algorithms.stream().map(JWSAlgorithm::parse).collect(Collectors.toSet());
        if (allowed.isEmpty() || !HMAC.containsAll(allowed)) {
            throw new IllegalArgumentException("allowed algorithms must be a non-empty subset of " + HMAC
                    + " (the edge verifies with a shared secret); got " + algorithms);
        }
        processor = new DefaultJWTProcessor<>();
        // Tokens may carry typ "JWT" or none; anything else (e.g. "at+jwt" reuse) is refused.
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(
                com.nimbusds.jose.JOSEObjectType.JWT, null));
        // Nimbus's JWK matching refuses a kid that the secret's JWK does not carry, and issuers such as
        // Keycloak always set one. With a single shared secret a kid has nothing to choose between, so
        // every kid, and none, selects that secret.
        List<SecretKey> sharedSecret = List.of(new SecretKeySpec(secret, "HMAC"));
        processor.setJWSKeySelector((header, context) ->
                allowed.contains(header.getAlgorithm()) ? sharedSecret : List.of());
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        if (issuer != null && !issuer.isEmpty()) {
            exact.issuer(issuer);
        }
        Set<String> required = new HashSet<>(Set.of(JWTClaimNames.SUBJECT, JWTClaimNames.EXPIRATION_TIME));
        Set<String> audiences = null;
        if (audience != null && !audience.isEmpty()) {
            // Nimbus probes the set with contains(null), which Set.of refuses.
            audiences = Collections.singleton(audience);
            required.add(JWTClaimNames.AUDIENCE);
        }
        DefaultJWTClaimsVerifier<SecurityContext> claims =
                new DefaultJWTClaimsVerifier<>(audiences, exact.build(), required, null) {
                    @Override
                    protected Date currentTime() {
                        return Date.from(clock.instant());
                    }
                };
        claims.setMaxClockSkew((int) leeway.toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    public static TokenVerifier fromConfig(EdgeConfig config, byte[] secret) {
        return new TokenVerifier(secret, config.get(Settings.JWT_ALGORITHMS), config.get(Settings.JWT_ISSUER),
                config.get(Settings.JWT_AUDIENCE), config.get(Settings.JWT_LEEWAY), Clock.systemUTC());
    }

    public static byte[] secretBytes(String secret) {
        return secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
    }

    public Principal verify(String token) throws AuthException {
        if (token == null || token.isEmpty()) {
            throw new AuthException(ErrorCode.TOKEN_MISSING, "no token: pass ?token= or an Authorization: Bearer header");
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            JWTClaimsSet claims = processor.process(jwt, null);
            // Nimbus turns a numeric sub into text, and not faithfully (1e3 becomes "1000.0", digits past
            // a double's precision are lost), so two numbers could become one user. RFC 7519 makes sub a
            // StringOrURI: read the raw claim, after the signature is checked.
            if (jwt.getPayload().toJSONObject().get(JWTClaimNames.SUBJECT) instanceof Number) {
                throw new AuthException(ErrorCode.TOKEN_INVALID, "token refused: sub must be a string "
                        + "(RFC 7519 StringOrURI); send a numeric id as \"123\", not 123");
            }
            String sub = claims.getSubject();
            if (sub == null || sub.isEmpty()) {
                throw new AuthException(ErrorCode.TOKEN_INVALID, "the token's sub is empty");
            }
            Object lasthop = claims.getClaim(Permissions.CLAIM);
            return new Principal(sub, claims.getExpirationTime().toInstant(),
                    Permissions.patterns(lasthop, "subscribe", sub), Permissions.patterns(lasthop, "send", sub),
                    claims.getIssueTime() == null ? null : claims.getIssueTime().toInstant());
        } catch (BadJWTException e) {
            // Outside its validity period (exp, or nbf not reached) is "expired": a fresh token fixes it.
            ErrorCode code = "Expired JWT".equals(e.getMessage()) || "JWT before use time".equals(e.getMessage())
                    ? ErrorCode.TOKEN_EXPIRED : ErrorCode.TOKEN_INVALID;
            throw new AuthException(code, "token refused: " + e.getMessage());
        } catch (ParseException | BadJOSEException | JOSEException e) {
            throw new AuthException(ErrorCode.TOKEN_INVALID, "token refused: " + e.getMessage());
        }
    }
}
