package io.lasthop.edge.auth;

import static io.lasthop.edge.auth.PublicKeyAlgorithmsTest.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import io.lasthop.edge.testing.Await;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Keys from an issuer's JWKS URL (a server in the test, counting its requests): rotation, removal, an
 * issuer that is down or answers garbage, and floods of unknown kids.
 */
class KeyRotationTest {
    static final RSAKey OLD = PublicKeyAlgorithmsTest.RSA;
    static final ECKey NEW = TestKeys.ec(Curve.P_256, "2025-06");
    static final Duration WAIT = Duration.ofSeconds(10);

    private final List<AutoCloseable> opened = new ArrayList<>();

    @Test
    void aTokenOfANewKeyIsAcceptedOnceTheEdgeHasReadTheRotatedSet() throws Exception {
        JwksServer issuer = server(OLD);
        VerificationKeys keys = keys(issuer, Duration.ofHours(1), Duration.ofMillis(100), Duration.ofSeconds(2));
        TokenVerifier v = verifier(keys);
        assertEquals("a", v.verify(TestKeys.token(OLD, JWSAlgorithm.RS256, "a")).userId());

        issuer.publish(OLD, NEW);
        String fresh = TestKeys.token(NEW, JWSAlgorithm.ES256, "b");
        // The first token with the new kid is refused at once (no waiting on an event loop) and makes
        // the edge read the set again; the tokens after it pass.
        Await.until(() -> accepted(v, fresh), WAIT, "a token signed with the new key to be accepted");
        assertEquals("a", v.verify(TestKeys.token(OLD, JWSAlgorithm.RS256, "a")).userId(), "the old key still works");
        assertTrue(issuer.requests() <= 3, "requests: " + issuer.requests());
    }

    /**
     * The first token of a new key comes just after a read, within the interval, and no other token
     * follows: the edge still fetches the set once the interval has passed, instead of at the next
     * periodic refresh (an hour here).
     */
    @Test
    void aKidAskedForWithinTheIntervalIsFetchedAfterIt() throws Exception {
        JwksServer issuer = server(OLD);
        VerificationKeys keys = keys(issuer, Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofSeconds(2));
        TokenVerifier v = verifier(keys);
        Await.until(() -> accepted(v, TestKeys.token(OLD, JWSAlgorithm.RS256, "a")), WAIT, "the first read");

        issuer.publish(OLD, NEW);
        String fresh = TestKeys.token(NEW, JWSAlgorithm.ES256, "b");
        assertTrue(refused(v, fresh).getMessage().contains("2025-06"), "refused at once: the set is not read yet");
        Await.until(() -> issuer.requests() >= 2, WAIT, "the read the new kid asked for, with no token asking again");
        Await.until(() -> accepted(v, fresh), WAIT, "the new key in use");
        assertEquals(2, issuer.requests());
    }

    @Test
    void aTokenOfARemovedKeyIsRefusedAfterTheNextRefresh() throws Exception {
        JwksServer issuer = server(OLD, NEW);
        TokenVerifier v = verifier(keys(issuer, Duration.ofMillis(200), Duration.ofMillis(50), Duration.ofSeconds(2)));
        String old = TestKeys.token(OLD, JWSAlgorithm.RS256, "a");
        assertEquals("a", v.verify(old).userId());

        issuer.publish(NEW);
        Await.until(() -> !accepted(v, old), WAIT, "the periodic refresh to drop the removed key");
        assertTrue(refused(v, old).getMessage().contains("no key has kid \"rsa-1\""));
        assertEquals("b", v.verify(TestKeys.token(NEW, JWSAlgorithm.ES256, "b")).userId());
    }

    @Test
    void periodicRefreshRunsWithoutAnyToken() throws Exception {
        JwksServer issuer = server(OLD);
        keys(issuer, Duration.ofMillis(100), Duration.ofMillis(50), Duration.ofSeconds(2));
        Await.until(() -> issuer.requests() >= 4, WAIT, "three periodic refreshes after the first read");
    }

    /** An issuer that is down, failing, slow or talking nonsense: the cached keys go on working. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "STOPPED, Connect",
        "ERROR, response code: 500",
        "GARBAGE, not a key set",
        "EMPTY, no usable key",
        "HANG, timed out"
    })
    void aFailingIssuerLeavesTheCachedKeysWorking(String failure, String logged) throws Exception {
        JwksServer issuer = server(OLD);
        VerificationKeys keys = keys(issuer, Duration.ofMillis(100), Duration.ofMillis(50), Duration.ofMillis(300));
        TokenVerifier v = verifier(keys);
        if (failure.equals("STOPPED")) {
            issuer.stop();
        } else {
            issuer.mode(JwksServer.Mode.valueOf(failure));
        }
        Await.until(() -> keys.lastFailure() != null, WAIT, "a failed refresh");
        assertTrue(keys.lastFailure().contains(logged), keys.lastFailure());
        assertEquals("a", v.verify(TestKeys.token(OLD, JWSAlgorithm.RS256, "a")).userId());
        // Unknown kids are still refused, promptly, while the issuer misbehaves.
        long started = System.nanoTime();
        refused(v, TestKeys.token(NEW, JWSAlgorithm.ES256, "b"));
        assertTrue(System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(250), "verify waited for the issuer");
    }

    @Test
    void anIssuerDownAtStartIsReadWhenItComesBack() throws Exception {
        JwksServer issuer = server(OLD);
        issuer.mode(JwksServer.Mode.ERROR);
        VerificationKeys keys = keys(issuer, Duration.ofHours(1), Duration.ofMillis(100), Duration.ofSeconds(2));
        TokenVerifier v = verifier(keys);
        String token = TestKeys.token(OLD, JWSAlgorithm.RS256, "a");
        assertTrue(refused(v, token).getMessage().contains("no public key yet"));
        assertTrue(refused(v, token).getMessage().contains("response code: 500"));

        issuer.publish(OLD);
        Await.until(() -> accepted(v, token), WAIT, "the keys once the issuer answers");
        assertNull(keys.lastFailure());
    }

    /**
     * Thousands of tokens with made-up kids, from several threads, within two refresh intervals: the
     * issuer sees at most one request per interval, and a good token still passes meanwhile.
     */
    @Test
    void aFloodOfBogusKidsDoesNotMultiplyFetches() throws Exception {
        JwksServer issuer = server(OLD);
        Duration interval = Duration.ofMillis(500);
        VerificationKeys keys = keys(issuer, Duration.ofHours(1), interval, Duration.ofSeconds(2));
        TokenVerifier v = verifier(keys);
        String good = TestKeys.token(OLD, JWSAlgorithm.RS256, "a");
        List<String> bogus = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            // Signed by a real key: the edge cannot tell these from a rotation until it looks.
            bogus.add(TestKeys.token(
                    new com.nimbusds.jose.jwk.ECKey.Builder(NEW)
                            .keyID(UUID.randomUUID().toString())
                            .build(),
                    JWSAlgorithm.ES256,
                    "m"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicLong refusedCount = new AtomicLong();
        long started = System.nanoTime();
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                runs.add(pool.submit(() -> {
                    for (int round = 0; round < 10; round++) {
                        for (String token : bogus) {
                            if (!accepted(v, token)) {
                                refusedCount.incrementAndGet();
                            }
                        }
                    }
                }));
            }
            for (Future<?> run : runs) {
                run.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(4 * 10 * 200, refusedCount.get());
        // The read an unknown kid asks for runs in the background: on a busy machine the flood can
        // end before it begins.
        Await.until(() -> issuer.requests() >= 2, Duration.ofSeconds(10), "unknown kids to make the edge look");
        long elapsed = System.nanoTime() - started;
        assertEquals("a", v.verify(good).userId());
        long allowed = 1 + elapsed / interval.toNanos() + 1; // the first read, then one per interval begun
        assertTrue(
                issuer.requests() <= allowed,
                issuer.requests() + " requests in " + TimeUnit.NANOSECONDS.toMillis(elapsed) + " ms");
    }

    /** With the issuer hanging, unknown kids neither wait for it nor queue up reads behind it. */
    @Test
    void unknownKidsNeverWaitForAHangingIssuer() throws Exception {
        JwksServer issuer = server(OLD);
        VerificationKeys keys = keys(issuer, Duration.ofHours(1), Duration.ofMillis(10), Duration.ofSeconds(5));
        TokenVerifier v = verifier(keys);
        List<String> bogus = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            bogus.add(TestKeys.token(
                    new com.nimbusds.jose.jwk.ECKey.Builder(NEW)
                            .keyID("bogus-" + i)
                            .build(),
                    JWSAlgorithm.ES256,
                    "m"));
        }
        issuer.mode(JwksServer.Mode.HANG);
        long started = System.nanoTime();
        for (String token : bogus) {
            refused(v, token);
        }
        assertTrue(
                System.nanoTime() - started < TimeUnit.SECONDS.toNanos(2),
                "refusals waited for the issuer (its timeout is 5 s)");
        assertTrue(issuer.requests() <= 2, "one read hangs, and no other starts behind it: " + issuer.requests());
        assertEquals("a", v.verify(TestKeys.token(OLD, JWSAlgorithm.RS256, "a")).userId());
    }

    @Test
    void closingStopsTheRefresh() throws Exception {
        JwksServer issuer = server(OLD);
        VerificationKeys keys = keys(issuer, Duration.ofMillis(60), Duration.ofMillis(50), Duration.ofSeconds(2));
        Await.until(() -> issuer.requests() >= 2, WAIT, "a periodic refresh");
        keys.close();
        int after = issuer.requests();
        Thread.sleep(400); // an absence has no event to wait on: several periods
        assertTrue(
                issuer.requests() <= after + 1, "still refreshing after close: " + after + " -> " + issuer.requests());
    }

    // ---- helpers ----

    private JwksServer server(com.nimbusds.jose.jwk.JWK... keys) throws Exception {
        JwksServer s = JwksServer.start(keys);
        opened.add(s);
        return s;
    }

    private VerificationKeys keys(JwksServer issuer, Duration refresh, Duration minInterval, Duration timeout) {
        VerificationKeys keys = new VerificationKeys(
                        new JwksUrl(issuer.url(), timeout), refresh, minInterval, Clock.systemUTC())
                .start(false);
        opened.add(keys);
        return keys;
    }

    private TokenVerifier verifier(VerificationKeys keys) {
        return new TokenVerifier(null, null, List.of(keys), null, null, Duration.ofSeconds(5), Clock.systemUTC());
    }

    static boolean accepted(TokenVerifier v, String token) {
        try {
            v.verify(token);
            return true;
        } catch (AuthException e) {
            return false;
        }
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }
}
