package io.lasthop.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lasthop.edge.testing.TestCertificates;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Certificates and keys as openssl writes them (an IT: it runs openssl). */
class ReloadingSslContextIT {
    private static TestCertificates certs;

    @BeforeAll
    static void create() throws Exception {
        certs = TestCertificates.create();
    }

    @AfterAll
    static void remove() throws Exception {
        certs.close();
    }

    @ParameterizedTest
    @EnumSource(TestCertificates.Key.class)
    void everyKeyFormatLoads(TestCertificates.Key key) throws Exception {
        TestCertificates.Pair pair = certs.server(key);
        SslContext ssl = ReloadingSslContext.load(pair.cert(), pair.key()).current();
        assertTrue(ssl.isServer());
        assertTrue(ssl.applicationProtocolNegotiator().protocols().contains("h2"));
    }

    /**
     * The edge bundles netty-tcnative's libraries for Linux and macOS (x86-64, ARM64) and Windows
     * x86-64: BoringSSL serves there, and a platform where it does not load fails here, saying why.
     */
    @Test
    void boringSslServesWhereItsLibraryShips() throws Exception {
        assertTrue(OpenSsl.isAvailable(), "BoringSSL did not load: " + OpenSsl.unavailabilityCause());
        TestCertificates.Pair pair = certs.server(TestCertificates.Key.values()[0]);
        SslContext ssl = ReloadingSslContext.load(pair.cert(), pair.key()).current();
        assertInstanceOf(OpenSslContext.class, ssl);
        assertEquals(SslProvider.OPENSSL, ReloadingSslContext.provider());
    }

    @Test
    void aChangedFileIsReloadedAndABrokenOneKeepsTheLastGoodContext() throws Exception {
        TestCertificates.Pair first = certs.server(TestCertificates.Key.RSA_PKCS8);
        TestCertificates.Pair served = new TestCertificates.Pair(
                first.cert().resolveSibling("r.pem"), first.key().resolveSibling("r.key"));
        Files.copy(first.cert(), served.cert());
        Files.copy(first.key(), served.key());
        ReloadingSslContext tls = ReloadingSslContext.load(served.cert(), served.key());
        SslContext loaded = tls.current();
        assertFalse(tls.reload(false), "nothing changed");
        assertSame(loaded, tls.current());

        Files.writeString(served.key(), "-----BEGIN PRIVATE KEY-----\nhalf written");
        Files.setLastModifiedTime(served.key(), FileTime.from(Instant.now().plusSeconds(5)));
        assertFalse(tls.reload(false));
        assertSame(loaded, tls.current(), "a broken key keeps the last good context");

        TestCertificates.Pair next = certs.server(TestCertificates.Key.EC_PKCS8);
        Files.copy(next.cert(), served.cert(), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(next.key(), served.key(), StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(served.key(), FileTime.from(Instant.now().plusSeconds(10)));
        assertTrue(tls.reload(false));
        assertNotSame(loaded, tls.current());
        assertTrue(tls.reload(true), "SIGHUP reloads even when nothing changed");
    }

    @Test
    void unreadableFilesStopTheStart() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ReloadingSslContext.load(certs.caCert().resolveSibling("missing.pem"), certs.caCert()));
        assertTrue(e.getMessage().contains("missing.pem"), e.getMessage());
    }
}
