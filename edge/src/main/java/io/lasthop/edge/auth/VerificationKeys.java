package io.lasthop.edge.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.SocketTimeoutException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public keys of one {@link KeySource}, kept in memory so that verifying a token never waits for
 * the source. Read once at start; then, on a background thread, again when they are older than
 * {@code refresh} and whenever a token names a {@code kid} they lack ({@link #refresh}). Two reads of
 * the source begin at least {@code minInterval} apart, so a flood of bogus kids costs the issuer one
 * request per interval. A read that fails, or yields no usable key, keeps the last good keys.
 * Thread-safe.
 */
final class VerificationKeys implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VerificationKeys.class);
    /**
     * Keys kept from one source. A token without a kid is tried against each key of its algorithm, on
     * an event loop: this bounds that work. Issuers publish two to five.
     */
    static final int MAX_KEYS = 50;
    /** While one failure lasts, it is logged again this often; other repeats go to debug. */
    private static final Duration REPEAT_LOG = Duration.ofMinutes(5);
    /** Ticks are never closer than this, whatever the intervals. */
    private static final long MIN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** One usable key and its verifier, built once per read. */
    record Key(JWK jwk, JWSVerifier verifier) {
        String kid() {
            return jwk.getKeyID();
        }

        /** False past the key's {@code exp} or before its {@code nbf}, when it has them. */
        boolean inForce(Instant now) {
            return (jwk.getExpirationTime() == null
                            || now.isBefore(jwk.getExpirationTime().toInstant()))
                    && (jwk.getNotBeforeTime() == null
                            || !now.isBefore(jwk.getNotBeforeTime().toInstant()));
        }
    }

    /** The keys of the last good read. */
    record Snapshot(List<Key> keys, Instant readAt) {}

    private final KeySource source;
    private final Duration refresh;
    // A read asked for while none could begin; the next tick does it.
    private volatile boolean wanted;
    private final long minIntervalNanos;
    private final Clock clock;
    private final AtomicBoolean reading = new AtomicBoolean();
    private volatile Snapshot snapshot;
    private volatile boolean everRead;
    private volatile long lastReadNanos;
    private volatile String lastFailure;
    private volatile ScheduledFuture<?> ticks;
    // Touched by one read at a time (the reading flag, or start before any tick).
    private Instant lastFailureLogged = Instant.MIN;
    private String lastLoggedFailure;
    private int failuresInARow;
    private String lastKeysLogged = "";
    private String lastDropped = "";

    VerificationKeys(KeySource source, Duration refresh, Duration minInterval, Clock clock) {
        if (refresh.isNegative() || refresh.isZero() || minInterval.isNegative()) {
            throw new IllegalArgumentException("key refresh intervals must be positive");
        }
        this.source = source;
        this.refresh = refresh;
        this.minIntervalNanos = minInterval.toNanos();
        this.clock = clock;
    }

    /**
     * Reads the source on the calling thread, then starts the background refresh.
     *
     * @param required whether a failed first read is an error (key files) or only logged (a JWKS URL:
     *                 the issuer may be down while the edge starts; tokens wait for the next good read)
     * @throws IllegalArgumentException when {@code required} and the first read failed
     */
    VerificationKeys start(boolean required) {
        everRead = true;
        wanted = false;
        lastReadNanos = System.nanoTime();
        if (!read("start") && required) {
            throw new IllegalArgumentException("cannot read public keys from " + source + ": " + lastFailure);
        }
        long tick = Math.max(MIN_TICK_NANOS, Math.min(refresh.toNanos(), minIntervalNanos));
        ticks = scheduleTicks(this, tick);
        return this;
    }

    /** The keys of the last good read, or null before the first. */
    Snapshot snapshot() {
        return snapshot;
    }

    KeySource source() {
        return source;
    }

    /** Why the last read failed, or null when it succeeded. */
    String lastFailure() {
        return lastFailure;
    }

    /**
     * Asks for a read on the refresh thread, and returns at once. While a read runs, or when the last
     * one began less than {@code minInterval} ago, returns false and leaves the read to the next tick
     * after the interval: a new key whose first token comes just after a read is still fetched, and a
     * flood of unknown kids still costs one read per interval.
     */
    boolean refresh(String why) {
        if (startRead(why)) {
            return true;
        }
        wanted = true;
        return false;
    }

    private boolean startRead(String why) {
        if (!mayRead() || !reading.compareAndSet(false, true)) {
            return false;
        }
        if (!mayRead()) { // another thread's read began and ended between the two checks
            reading.set(false);
            return false;
        }
        everRead = true;
        wanted = false;
        lastReadNanos = System.nanoTime();
        try {
            Refresher.EXECUTOR.execute(() -> {
                try {
                    read(why);
                } finally {
                    reading.set(false);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            reading.set(false);
            return false;
        }
    }

    private boolean mayRead() {
        return !everRead || System.nanoTime() - lastReadNanos >= minIntervalNanos;
    }

    /** What the keys are, for a refusal's message. */
    String describe() {
        Snapshot s = snapshot;
        if (s == null) {
            return "no key from " + source + " yet" + (lastFailure == null ? "" : " (" + lastFailure + ")");
        }
        return s.keys().size() + " key(s) from " + source + ", read at " + s.readAt();
    }

    @Override
    public void close() {
        ScheduledFuture<?> t = ticks;
        if (t != null) {
            t.cancel(false);
        }
    }

    private void tick() {
        Snapshot s = snapshot;
        if (s == null) {
            startRead("no keys yet");
        } else if (wanted) {
            startRead("a kid asked for within the last interval");
        } else if (!clock.instant().isBefore(s.readAt().plus(refresh))) {
            startRead("periodic");
        }
    }

    /** Reads the source and swaps the keys in; on failure keeps the old ones. */
    private boolean read(String why) {
        List<JWK> read;
        try {
            read = source.read();
        } catch (IOException | ParseException | RuntimeException e) {
            failed(why, describe(e));
            return false;
        }
        List<Key> keys = usable(read);
        if (keys.isEmpty()) {
            failed(why, "no usable key among the " + read.size() + " read");
            return false;
        }
        snapshot = new Snapshot(List.copyOf(keys), clock.instant());
        lastFailure = null;
        if (failuresInARow > 0) {
            log.info("jwt: read public keys from {} again, after {} failed attempt(s)", source, failuresInARow);
            failuresInARow = 0;
        }
        String now = keys.stream().map(k -> describe(k.jwk())).toList().toString();
        if (!now.equals(lastKeysLogged)) {
            log.info("jwt: {} public key(s) from {} ({}): {}", keys.size(), source, why, now);
            lastKeysLogged = now;
        }
        return true;
    }

    /** The keys that can verify some algorithm the edge accepts, public parts only, with verifiers. */
    private List<Key> usable(List<JWK> read) {
        List<Key> keys = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        Instant now = clock.instant();
        for (JWK jwk : read) {
            if (KeyUse.ENCRYPTION.equals(jwk.getKeyUse())) {
                continue; // Keycloak and others publish one beside their signing keys: expected, not news
            }
            String refusal = refusal(jwk);
            if (refusal != null) {
                dropped.add(describe(jwk) + ": " + refusal);
                continue;
            }
            JWK pub = jwk.toPublicJWK();
            try {
                Key key = new Key(pub, verifier(pub));
                if (!key.inForce(now)) {
                    dropped.add(describe(jwk) + ": not in force (exp " + pub.getExpirationTime() + ", nbf "
                            + pub.getNotBeforeTime() + "); kept, unused until then");
                }
                if (keys.size() == MAX_KEYS) {
                    dropped.add(describe(jwk) + ": more than " + MAX_KEYS + " keys");
                    continue;
                }
                keys.add(key);
            } catch (JOSEException | RuntimeException e) {
                dropped.add(describe(jwk) + ": " + e.getMessage());
            }
        }
        if (!dropped.isEmpty() && !(dropped + "").equals(lastDropped)) {
            log.warn("jwt: keys from {} not used: {}", source, dropped);
        }
        lastDropped = dropped + "";
        return keys;
    }

    /** Why the edge never verifies with {@code jwk}, or null when it may. */
    private static String refusal(JWK jwk) {
        if (jwk instanceof OctetSequenceKey) {
            // Else an HS256 token could be checked against a key an issuer published.
            return "a symmetric key; only jwt.hs256.secret verifies HMAC tokens";
        }
        if (jwk instanceof RSAKey rsa && rsa.size() < JwsAlgorithms.MIN_RSA_BITS) {
            return "an RSA key of " + rsa.size() + " bits, under " + JwsAlgorithms.MIN_RSA_BITS;
        }
        for (JWSAlgorithm alg : JwsAlgorithms.PUBLIC_KEY) {
            if (JwsAlgorithms.fits(jwk, alg)) {
                return null;
            }
        }
        return "verifies no algorithm the edge accepts (kty " + jwk.getKeyType() + ", alg " + jwk.getAlgorithm()
                + ", use " + jwk.getKeyUse() + ")";
    }

    private static JWSVerifier verifier(JWK key) throws JOSEException {
        if (key instanceof RSAKey rsa) {
            return new RSASSAVerifier(rsa);
        }
        if (key instanceof ECKey ec) {
            return new ECDSAVerifier(ec);
        }
        if (key instanceof OctetKeyPair okp) {
            return new Ed25519Verifier(okp);
        }
        throw new JOSEException("unsupported key type " + key.getKeyType());
    }

    private void failed(String why, String reason) {
        lastFailure = reason;
        failuresInARow++;
        Instant now = clock.instant();
        boolean repeat = reason.equals(lastLoggedFailure) && now.isBefore(lastFailureLogged.plus(REPEAT_LOG));
        Snapshot s = snapshot;
        String consequence = s == null
                ? "tokens that need these keys are refused until a read succeeds"
                : "still verifying with the " + s.keys().size() + " key(s) read at " + s.readAt();
        if (repeat) {
            log.debug("jwt: cannot read public keys from {} ({}): {}; {}", source, why, reason, consequence);
            return;
        }
        lastLoggedFailure = reason;
        lastFailureLogged = now;
        if (s == null) {
            log.error("jwt: cannot read public keys from {} ({}): {}; {}", source, why, reason, consequence);
        } else {
            log.warn("jwt: cannot read public keys from {} ({}): {}; {}", source, why, reason, consequence);
        }
    }

    private static String describe(Exception e) {
        if (e instanceof SocketTimeoutException) {
            return "timed out (" + e.getMessage() + ")";
        }
        if (e instanceof ParseException) {
            return "not a key set: " + e.getMessage();
        }
        return e.getMessage() == null
                ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static String describe(JWK jwk) {
        return "kid=" + jwk.getKeyID() + " " + jwk.getKeyType()
                + (jwk.getAlgorithm() == null ? "" : " " + jwk.getAlgorithm());
    }

    /**
     * Ticks hold the keys only weakly: a verifier nobody closed stops being refreshed once it is
     * collected, instead of reading its source for the life of the process.
     */
    private static ScheduledFuture<?> scheduleTicks(VerificationKeys keys, long periodNanos) {
        WeakReference<VerificationKeys> ref = new WeakReference<>(keys);
        AtomicReference<ScheduledFuture<?>> self = new AtomicReference<>();
        self.set(Refresher.EXECUTOR.scheduleWithFixedDelay(
                () -> {
                    VerificationKeys k = ref.get();
                    if (k != null) {
                        k.tick();
                    } else if (self.get() != null) {
                        self.get().cancel(false);
                    }
                },
                periodNanos,
                periodNanos,
                TimeUnit.NANOSECONDS));
        return self.get();
    }

    /** One daemon thread reads every key source of the process: reads are rare, and bounded in time. */
    private static final class Refresher {
        static final ScheduledThreadPoolExecutor EXECUTOR = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "lasthop-jwt-keys");
            t.setDaemon(true);
            return t;
        });

        static {
            EXECUTOR.setRemoveOnCancelPolicy(true);
        }
    }
}
