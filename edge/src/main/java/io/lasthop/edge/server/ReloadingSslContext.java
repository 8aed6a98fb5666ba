package io.lasthop.edge.server;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS listener's certificate chain and private key, from PEM files (RSA or EC keys, PKCS#8 or
 * PKCS#1/SEC1), offering HTTP/2 and HTTP/1.1 by ALPN, TLS 1.3 and 1.2. Rebuilt when the files
 * change, for new connections; open connections keep the context they were accepted with. A
 * failed reload (a half-written file) keeps the last good context and is retried at the next check.
 * Thread-safe.
 */
final class ReloadingSslContext {
    private static final Logger log = LoggerFactory.getLogger(ReloadingSslContext.class);

    private final Path certFile;
    private final Path keyFile;
    private volatile SslContext current;
    private volatile String loadedStamp;

    private ReloadingSslContext(Path certFile, Path keyFile) {
        this.certFile = certFile;
        this.keyFile = keyFile;
    }

    /** Loads the files now; a start-up with unreadable ones fails with the reason. */
    static ReloadingSslContext load(Path certFile, Path keyFile) {
        ReloadingSslContext tls = new ReloadingSslContext(certFile, keyFile);
        try {
            String stamp = tls.stamp();
            tls.current = tls.build();
            tls.loadedStamp = stamp;
            log.info(
                    "TLS with {}",
                    provider() == SslProvider.OPENSSL ? "BoringSSL (netty-tcnative)" : "the JDK's provider");
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "cannot load the TLS certificate " + certFile + " and key " + keyFile + ": " + e.getMessage(), e);
        }
        return tls;
    }

    SslContext current() {
        return current;
    }

    /**
     * Rebuilds the context if either file changed since the last load, or always when
     * {@code force}; returns whether it did.
     */
    boolean reload(boolean force) {
        try {
            String stamp = stamp();
            if (!force && stamp.equals(loadedStamp)) {
                return false;
            }
            current = build();
            loadedStamp = stamp;
            log.info("TLS certificate reloaded from {}", certFile);
            return true;
        } catch (IOException | IllegalArgumentException e) {
            log.warn("TLS certificate not reloaded, the previous one stays in use: {}", e.toString());
            return false;
        }
    }

    /**
     * BoringSSL (netty-tcnative) where its native library loads, else the JDK's provider. Measured in
     * bench/README.md ("TLS"): a full handshake costs about a third of the JDK's server CPU, which is
     * what a reconnect storm over TLS spends, and an idle connection about the same memory, though
     * in native memory (about 8 KiB, outside the heap) rather than on the heap.
     */
    static SslProvider provider() {
        return OpenSsl.isAvailable() && SslProvider.isAlpnSupported(SslProvider.OPENSSL)
                ? SslProvider.OPENSSL
                : SslProvider.JDK;
    }

    private SslContext build() throws SSLException {
        return SslContextBuilder.forServer(certFile.toFile(), keyFile.toFile())
                .sslProvider(provider())
                .protocols("TLSv1.3", "TLSv1.2")
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2,
                        ApplicationProtocolNames.HTTP_1_1))
                .build();
    }

    private String stamp() throws IOException {
        return Files.getLastModifiedTime(certFile) + "/" + Files.size(certFile) + " "
                + Files.getLastModifiedTime(keyFile) + "/" + Files.size(keyFile);
    }
}
