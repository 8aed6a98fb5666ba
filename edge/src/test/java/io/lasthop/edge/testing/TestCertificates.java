package io.lasthop.edge.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate authority of the test's own, made with openssl in a temporary folder, and the
 * certificates it signs for 127.0.0.1 and localhost: a server's, a client's, RSA or EC, with keys
 * in the PEM forms openssl writes (PKCS#8, or PKCS#1 and SEC1 with {@code -traditional}).
 */
public final class TestCertificates implements AutoCloseable {
    /** Key algorithms and the PEM form of the private key. */
    public enum Key {
        RSA_PKCS8,
        RSA_PKCS1,
        EC_PKCS8,
        EC_SEC1
    }

    /** A certificate and its key, as files. */
    public record Pair(Path cert, Path key) {}

    private final Path dir;
    private final Path caCert;
    private final Path caKey;
    private int serial;

    private TestCertificates(Path dir) throws IOException {
        this.dir = dir;
        this.caCert = dir.resolve("ca.pem");
        this.caKey = dir.resolve("ca.key");
        openssl(
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                caKey.toString(),
                "-out",
                caCert.toString(),
                "-days",
                "2",
                "-subj",
                "/CN=Lasthop test CA");
    }

    public static TestCertificates create() throws IOException {
        return new TestCertificates(Files.createTempDirectory("lasthop-tls"));
    }

    public Path caCert() {
        return caCert;
    }

    /** A server certificate for 127.0.0.1 and localhost. */
    public Pair server(Key key) throws IOException {
        return issue("server", key, "serverAuth");
    }

    public Pair client(Key key) throws IOException {
        return issue("client", key, "clientAuth");
    }

    /** An SSL context that trusts this CA only. */
    public SSLContext trustingContext() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", certificate(caCert));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    public static X509Certificate certificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private Pair issue(String name, Key key, String usage) throws IOException {
        String base = name + "-" + (++serial);
        Path keyFile = dir.resolve(base + ".key");
        Path csr = dir.resolve(base + ".csr");
        Path cert = dir.resolve(base + ".pem");
        Path ext = dir.resolve(base + ".ext");
        Files.writeString(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=" + usage + "\n");
        boolean rsa = key == Key.RSA_PKCS8 || key == Key.RSA_PKCS1;
        if (rsa) {
            openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", keyFile.toString());
        } else {
            openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", keyFile.toString());
        }
        if (key == Key.RSA_PKCS1) {
            openssl("rsa", "-in", keyFile.toString(), "-out", keyFile.toString(), "-traditional");
        } else if (key == Key.EC_SEC1) {
            openssl("ec", "-in", keyFile.toString(), "-out", keyFile.toString());
        }
        openssl("req", "-new", "-key", keyFile.toString(), "-out", csr.toString(), "-subj", "/CN=" + name);
        openssl(
                "x509",
                "-req",
                "-in",
                csr.toString(),
                "-CA",
                caCert.toString(),
                "-CAkey",
                caKey.toString(),
                "-set_serial",
                Integer.toString(1000 + serial),
                "-days",
                "2",
                "-out",
                cert.toString(),
                "-extfile",
                ext.toString());
        return new Pair(cert, keyFile);
    }

    private void openssl(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .directory(dir.toFile())
                    .start();
        } catch (IOException e) {
            throw new AssertionError("openssl is not installed: apt-get install -y openssl (.ci/run does)", e);
        }
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }
}
