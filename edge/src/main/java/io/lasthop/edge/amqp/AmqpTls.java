package io.lasthop.edge.amqp;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * The TLS context of connections to the broker: the broker's certificate verified against the
 * given CA certificates (or the JVM's trust store), and a client certificate when one is given.
 * TLS 1.3 or 1.2, the JDK's defaults for everything else.
 */
final class AmqpTls {
    private AmqpTls() {}

    static SSLContext context(Path caFile, Path certFile, Path keyFile) {
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException(
                    "a client certificate needs both amqp.tls.cert.file and amqp.tls.key.file");
        }
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(caFile == null ? null : trustStore(caFile));
            KeyManagerFactory keys = null;
            if (certFile != null) {
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(keyStore(certFile, keyFile), new char[0]);
            }
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
            return ssl;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot set up TLS to the broker: " + e.getMessage(), e);
        }
    }

    private static KeyStore trustStore(Path caFile) throws GeneralSecurityException, IOException {
        KeyStore store = emptyStore();
        int i = 0;
        for (Certificate c : certificates(caFile)) {
            store.setCertificateEntry("ca-" + i++, c);
        }
        if (i == 0) {
            throw new GeneralSecurityException("no certificate in " + caFile);
        }
        return store;
    }

    private static KeyStore keyStore(Path certFile, Path keyFile) throws GeneralSecurityException, IOException {
        KeyStore store = emptyStore();
        store.setKeyEntry(
                "client",
                privateKey(keyFile),
                new char[0],
                certificates(certFile).toArray(Certificate[]::new));
        return store;
    }

    private static Collection<? extends Certificate> certificates(Path file)
            throws GeneralSecurityException, IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
    }

    /** A PEM private key: PKCS#8, or PKCS#1 (RSA) / SEC1 (EC) as openssl writes them. */
    private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        try (Reader in = Files.newBufferedReader(file);
                PEMParser pem = new PEMParser(in)) {
            Object o = pem.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            throw new GeneralSecurityException("no unencrypted private key in " + file);
        }
    }

    private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }
}
