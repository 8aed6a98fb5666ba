package io.lasthop.edge.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimNames;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import io.lasthop.edge.config.EdgeConfig;
import io.lasthop.edge.config.Settings;
import io.lasthop.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies JWTs with Nimbus JOSE+JWT: HMAC with the shared secret, and RSA, RSA-PSS, ECDSA and Ed25519
 * with public keys from an issuer's JWKS or key files ({@link VerificationKeys}), each algorithm only
 * when allowed; a required {@code sub} and {@code exp}, {@code exp}/{@code nbf} with a small leeway,
 * and {@code iss}/{@code aud} when configured. Thread-safe. Verification only reads keys in memory, so
 * it may run on an event loop: a token naming an unknown {@code kid} is refused at once, and the keys
 * are re-read in the background for the tokens after it. About 300 lines because the path a token
 * takes (header, key, signature, claims) reads best in one file; key sources are {@link
 * VerificationKeys}'s.
 */
public final class TokenVerifier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TokenVerifier.class);
    private static final int MIN_SECRET_BYTES = 32;
    /** How much of a token's kid a refusal or a log line repeats: it is the sender's text. */
    private static final int KID_SHOWN = 64;
    /** Accepted tokens one thread remembers; with {@link #MAX_REMEMBERED_CHARS}, under 2 MiB a thread. */
    static final int REMEMBERED_PER_THREAD = 256;
    /** Longer tokens are verified every time. */
    private static final int MAX_REMEMBERED_CHARS = 4096;

    private final Set<JWSAlgorithm> allowlist;
    private final MACVerifier hmac;
    private final List<VerificationKeys> publicKeys;
    private final DefaultJOSEObjectTypeVerifier<SecurityContext> types;
    private final DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier;
    private final Clock clock;
    /**
     * Tokens this verifier accepted, per thread (event loops, mostly), each with the key sets it was
     * checked against: a long-polling client sends its token with every poll and every POST of
     * frames, and verifying it each time cost an event loop a JWT parse (a quarter of what the edge
     * allocated under 100 long-polling pingers) and a signature check per request. A remembered
     * token is accepted again only before its {@code exp} and while every key source still holds
     * the set it was verified with, so neither expiry nor a key's removal waits for the entry to go.
     * Only accepted tokens are kept, and the callers' revocation checks run on every request as
     * before.
     */
    private final ThreadLocal<Map<String, Accepted>> accepted =
            ThreadLocal.withInitial(() -> new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Accepted> eldest) {
                    return size() > REMEMBERED_PER_THREAD;
                }
            });

    /** HMAC only: {@code algorithms} a non-empty subset of HS256, HS384 and HS512. */
    public TokenVerifier(
            byte[] secret, Set<String> algorithms, String issuer, String audience, Duration leeway, Clock clock) {
        this(secret, algorithms, List.of(), issuer, audience, leeway, clock);
    }

    /**
     * @param secret     the HMAC secret, at least 32 bytes, or null when only public keys verify tokens
     * @param algorithms the allowlist, or null for the default: HS256 with a secret, and what each
     *                   public key is for ({@link JwsAlgorithms#implied})
     * @param publicKeys started key sources; this verifier closes them
     */
    TokenVerifier(
            byte[] secret,
            Set<String> algorithms,
            List<VerificationKeys> publicKeys,
            String issuer,
            String audience,
            Duration leeway,
            Clock clock) {
        if (secret != null && secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the HS256 secret must be at least " + MIN_SECRET_BYTES + " bytes");
        }
        if (secret == null && publicKeys.isEmpty()) {
            throw new IllegalArgumentException(
                    "no key to verify tokens with: set jwt.hs256.secret, jwt.jwks.url " + "or jwt.public.keys");
        }
        if (algorithms != null) {
            Set<JWSAlgorithm> allowed = JwsAlgorithms.parse(algorithms);
            if (allowed.isEmpty()) {
                throw new IllegalArgumentException("jwt.algorithms is empty: list algorithms, or unset it");
            }
            for (JWSAlgorithm alg : allowed) {
                if (JwsAlgorithms.HMAC.contains(alg) && secret == null) {
                    throw new IllegalArgumentException(
                            "jwt.algorithms allows " + alg + " but jwt.hs256.secret is not set");
                }
                if (JwsAlgorithms.PUBLIC_KEY.contains(alg) && publicKeys.isEmpty()) {
                    throw new IllegalArgumentException("jwt.algorithms allows " + alg
                            + " but no public key is configured: set jwt.jwks.url or jwt.public.keys");
                }
            }
            this.allowlist = Set.copyOf(allowed);
        } else {
            this.allowlist = null;
        }
        try {
            this.hmac = secret == null ? null : new MACVerifier(secret);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("unusable HMAC secret: " + e.getMessage(), e);
        }
        this.publicKeys = List.copyOf(publicKeys);
        this.clock = clock;
        // No typ, JWT, or an OAuth access token's at+jwt (RFC 9068); anything else is another kind of token.
        this.types = new DefaultJOSEObjectTypeVerifier<>(
                JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), new JOSEObjectType("application/at+jwt"), null);
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
        this.claimsVerifier = new DefaultJWTClaimsVerifier<>(audiences, exact.build(), required, null) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        claimsVerifier.setMaxClockSkew((int) leeway.toSeconds());
    }

    /**
     * The verifier {@code config} describes. Reads the key sources before it returns: key files must
     * read, or this throws; a JWKS URL that cannot be fetched is logged and retried in the background.
     * Blocks for up to {@code jwt.jwks.timeout} twice: never call it on an event loop.
     */
    public static TokenVerifier fromConfig(EdgeConfig config, byte[] secret) {
        Duration refresh = config.get(Settings.JWT_KEYS_REFRESH);
        Duration minInterval = config.get(Settings.JWT_KEYS_REFRESH_MIN_INTERVAL);
        if (minInterval.compareTo(Duration.ofSeconds(1)) < 0 || refresh.compareTo(minInterval) < 0) {
            throw new IllegalArgumentException(Settings.JWT_KEYS_REFRESH_MIN_INTERVAL.env()
                    + " must be at least 1s, and " + Settings.JWT_KEYS_REFRESH.env() + " at least as long");
        }
        List<KeySource> sources = new ArrayList<>();
        List<Path> files =
                config.get(Settings.JWT_PUBLIC_KEYS).stream().map(Path::of).toList();
        if (!files.isEmpty()) {
            sources.add(new KeyFiles(files));
        }
        String url = config.get(Settings.JWT_JWKS_URL);
        if (url != null && !url.isBlank()) {
            JwksUrl jwks = new JwksUrl(url, config.get(Settings.JWT_JWKS_TIMEOUT));
            if (jwks.cleartextToAnotherHost()) {
                log.warn(
                        "jwt: {} is plain http to another host: whoever is on the path can hand this edge keys "
                                + "and so mint tokens; use https",
                        url);
            }
            sources.add(jwks);
        }
        Set<String> algorithms = config.get(Settings.JWT_ALGORITHMS);
        List<VerificationKeys> keys = new ArrayList<>();
        try {
            for (KeySource source : sources) {
                keys.add(new VerificationKeys(source, refresh, minInterval, Clock.systemUTC())
                        .start(source instanceof KeyFiles));
            }
            return new TokenVerifier(
                    secret,
                    algorithms == null || algorithms.isEmpty() ? null : algorithms,
                    keys,
                    config.get(Settings.JWT_ISSUER),
                    config.get(Settings.JWT_AUDIENCE),
                    config.get(Settings.JWT_LEEWAY),
                    Clock.systemUTC());
        } catch (RuntimeException e) {
            keys.forEach(VerificationKeys::close);
            throw e;
        }
    }

    /** Whether {@code config} names public keys (a JWKS URL or key files), so a secret is optional. */
    public static boolean hasPublicKeys(EdgeConfig config) {
        String url = config.get(Settings.JWT_JWKS_URL);
        return (url != null && !url.isBlank())
                || !config.get(Settings.JWT_PUBLIC_KEYS).isEmpty();
    }

    public static byte[] secretBytes(String secret) {
        return secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
    }

    public Principal verify(String token) throws AuthException {
        if (token == null || token.length() > MAX_REMEMBERED_CHARS) {
            return verifyNow(token);
        }
        Map<String, Accepted> mine = accepted.get();
        Accepted a = mine.get(token);
        if (a != null && clock.instant().isBefore(a.principal.expiresAt()) && a.keysStillInUse(publicKeys)) {
            return a.principal;
        }
        // The key sets before the check: a set that changes during it makes this entry stale.
        Object[] keySets = keySets();
        Principal p = verifyNow(token);
        mine.put(token, new Accepted(p, keySets));
        return p;
    }

    private Principal verifyNow(String token) throws AuthException {
        if (token == null || token.isEmpty()) {
            throw new AuthException(
                    ErrorCode.TOKEN_MISSING, "no token: pass ?token= or an Authorization: Bearer header");
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            checkHeader(jwt.getHeader());
            checkSignature(jwt);
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            claimsVerifier.verify(claims, null);
            // Nimbus turns a numeric sub into text, and not faithfully (1e3 becomes "1000.0", digits past
            // a double's precision are lost), so two numbers could become one user. RFC 7519 makes sub a
            // StringOrURI: read the raw claim, after the signature is checked.
            if (jwt.getPayload().toJSONObject().get(JWTClaimNames.SUBJECT) instanceof Number) {
                throw new AuthException(
                        ErrorCode.TOKEN_INVALID,
                        "token refused: sub must be a string "
                                + "(RFC 7519 StringOrURI); send a numeric id as \"123\", not 123");
            }
            String sub = claims.getSubject();
            if (sub == null || sub.isEmpty()) {
                throw new AuthException(ErrorCode.TOKEN_INVALID, "the token's sub is empty");
            }
            Object lasthop = claims.getClaim(Permissions.CLAIM);
            return new Principal(
                    sub,
                    claims.getExpirationTime().toInstant(),
                    Permissions.patterns(lasthop, "subscribe", sub),
                    Permissions.patterns(lasthop, "send", sub),
                    claims.getIssueTime() == null ? null : claims.getIssueTime().toInstant());
        } catch (BadJWTException e) {
            // Outside its validity period (exp, or nbf not reached) is "expired": a fresh token fixes it.
            ErrorCode code = "Expired JWT".equals(e.getMessage()) || "JWT before use time".equals(e.getMessage())
                    ? ErrorCode.TOKEN_EXPIRED
                    : ErrorCode.TOKEN_INVALID;
            throw new AuthException(code, "token refused: " + e.getMessage());
        } catch (ParseException | BadJOSEException | JOSEException e) {
            throw new AuthException(ErrorCode.TOKEN_INVALID, "token refused: " + e.getMessage());
        }
    }

    private Object[] keySets() {
        Object[] sets = new Object[publicKeys.size()];
        for (int i = 0; i < sets.length; i++) {
            sets[i] = publicKeys.get(i).snapshot();
        }
        return sets;
    }

    /** A token accepted, and the key set of each source when it was. */
    private record Accepted(Principal principal, Object[] keySets) {
        boolean keysStillInUse(List<VerificationKeys> sources) {
            for (int i = 0; i < keySets.length; i++) {
                if (sources.get(i).snapshot() != keySets[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Keys come from the edge's configuration only: a header that brings its own key, or says where to
     * fetch one, would let the sender choose the key its token is checked with.
     */
    private void checkHeader(JWSHeader h) throws AuthException, BadJOSEException {
        String carried = h.getJWK() != null
                ? "jwk"
                : h.getJWKURL() != null
                        ? "jku"
                        : h.getX509CertURL() != null ? "x5u" : h.getX509CertChain() != null ? "x5c" : null;
        if (carried != null) {
            throw new AuthException(
                    ErrorCode.TOKEN_INVALID,
                    "token refused: its header carries \"" + carried
                            + "\"; the edge takes keys from its own configuration only");
        }
        types.verify(h.getType(), null);
    }

    private void checkSignature(SignedJWT jwt) throws AuthException, JOSEException {
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        if (JwsAlgorithms.HMAC.contains(alg)) {
            // Only ever the configured secret: never a public key's bytes (the RS256-to-HS256 confusion).
            boolean allowed =
                    hmac != null && (allowlist == null ? JWSAlgorithm.HS256.equals(alg) : allowlist.contains(alg));
            if (!allowed) {
                throw notAllowed(alg);
            }
            if (!jwt.verify(hmac)) {
                throw new AuthException(ErrorCode.TOKEN_INVALID, "token refused: signature mismatch");
            }
            return;
        }
        if (!JwsAlgorithms.PUBLIC_KEY.contains(alg)
                || publicKeys.isEmpty()
                || (allowlist != null && !allowlist.contains(alg))) {
            throw notAllowed(alg);
        }
        for (VerificationKeys.Key key : candidates(jwt.getHeader())) {
            if (jwt.verify(key.verifier())) {
                return;
            }
        }
        throw new AuthException(ErrorCode.TOKEN_INVALID, "token refused: signature mismatch");
    }

    /**
     * The keys to try, never empty. A kid selects the keys that carry it; a kid no key carries selects
     * the keys without one (PEM keys), and asks for the key sources to be read again. No kid: every key.
     */
    private List<VerificationKeys.Key> candidates(JWSHeader h) throws AuthException {
        JWSAlgorithm alg = h.getAlgorithm();
        String kid = h.getKeyID();
        Instant now = clock.instant();
        boolean kidKnown = false;
        boolean anyKeys = false;
        List<VerificationKeys.Key> named = new ArrayList<>();
        List<VerificationKeys.Key> unnamed = new ArrayList<>();
        for (VerificationKeys source : publicKeys) {
            VerificationKeys.Snapshot s = source.snapshot();
            if (s == null) {
                continue;
            }
            anyKeys = true;
            for (VerificationKeys.Key key : s.keys()) {
                boolean same = kid != null && kid.equals(key.kid());
                kidKnown |= same;
                if (!key.inForce(now)
                        || !JwsAlgorithms.fits(key.jwk(), alg)
                        || (allowlist == null
                                && !JwsAlgorithms.implied(key.jwk()).contains(alg))) {
                    continue;
                }
                if (kid == null || same) {
                    named.add(key);
                } else if (key.kid() == null) {
                    unnamed.add(key);
                }
            }
        }
        if (kid != null && !kidKnown) {
            refreshAll(kid);
        } else if (!anyKeys) {
            refreshAll(null);
        }
        List<VerificationKeys.Key> chosen = kid != null && !kidKnown ? unnamed : named;
        if (!chosen.isEmpty()) {
            return chosen;
        }
        String keys = publicKeys.stream().map(VerificationKeys::describe).collect(Collectors.joining("; "));
        if (!anyKeys) {
            throw new AuthException(ErrorCode.TOKEN_INVALID, "token refused: no public key yet (" + keys + ")");
        }
        if (kid != null && !kidKnown) {
            throw new AuthException(
                    ErrorCode.TOKEN_INVALID,
                    "token refused: no key has kid \"" + shown(kid)
                            + "\" (" + keys + "); the edge reads its keys again, at most once per "
                            + Settings.JWT_KEYS_REFRESH_MIN_INTERVAL.key());
        }
        throw new AuthException(
                ErrorCode.TOKEN_INVALID,
                "token refused: no key "
                        + (kid == null ? "" : "with kid \"" + shown(kid) + "\" ") + "verifies " + alg
                        + (allowlist == null
                                ? " (jwt.algorithms is unset: each key verifies its own alg only, RS256 "
                                        + "for an RSA key without one)"
                                : ""));
    }

    private void refreshAll(String unknownKid) {
        for (VerificationKeys source : publicKeys) {
            if (source.refresh(unknownKid == null ? "no keys yet" : "unknown kid") && unknownKid != null) {
                log.info(
                        "jwt: a token names kid \"{}\", which no key has: reading {} again",
                        shown(unknownKid),
                        source.source());
            }
        }
    }

    private AuthException notAllowed(JWSAlgorithm alg) {
        String allowed = allowlist != null
                ? allowlist.stream().map(JWSAlgorithm::getName).sorted().collect(Collectors.joining(", "))
                : hmac != null ? "HS256 and what the public keys are for" : "what the public keys are for";
        return new AuthException(
                ErrorCode.TOKEN_INVALID,
                "token refused: algorithm " + shown(alg.getName()) + " is not allowed (allowed: " + allowed + ")");
    }

    /** The sender's text, cut short and stripped of control characters, for messages and logs. */
    private static String shown(String text) {
        String cut = text.length() > KID_SHOWN ? text.substring(0, KID_SHOWN) + "…" : text;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    /** Stops the background refresh of the public keys. */
    @Override
    public void close() {
        publicKeys.forEach(VerificationKeys::close);
    }
}
