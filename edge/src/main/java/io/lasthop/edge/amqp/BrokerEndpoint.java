package io.lasthop.edge.amqp;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.lasthop.edge.config.EdgeConfig;
import io.lasthop.edge.config.Settings;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;

/**
 * Where and how the edge connects to RabbitMQ: the one place that configures amqp-client. Every
 * connection the edge opens comes from here, so they all get the same TLS, timeouts and recovery
 * policy. amqp-client's automatic recovery is off: the edge recovers itself, paced
 * ({@link ReconnectingConnection}), because replaying every consumer at once storms the broker.
 */
public final class BrokerEndpoint {
    private final ConnectionFactory factory;

    private BrokerEndpoint(ConnectionFactory factory) {
        this.factory = factory;
    }

    public static BrokerEndpoint of(EdgeConfig config) {
        return of(config.get(Settings.AMQP_URI), path(config.get(Settings.AMQP_TLS_CA_FILE)),
                path(config.get(Settings.AMQP_TLS_CERT_FILE)), path(config.get(Settings.AMQP_TLS_KEY_FILE)));
    }

    /** A plain or {@code amqps://} endpoint with the JVM's trust store and no client certificate. */
    public static BrokerEndpoint of(String uri) {
        return of(uri, null, null, null);
    }

    /**
     * @param caFile   PEM certificates to trust for an {@code amqps://} broker instead of the JVM's
     * @param certFile with {@code keyFile}: a client certificate to present, PEM
     */
    static BrokerEndpoint of(String uri, Path caFile, Path certFile, Path keyFile) {
        ConnectionFactory factory = new ConnectionFactory();
        try {
            factory.setUri(uri);
        } catch (URISyntaxException | GeneralSecurityException e) {
            throw new IllegalArgumentException("bad AMQP URI " + redact(uri) + ": " + e.getMessage(), e);
        }
        boolean tls = uri.startsWith("amqps://");
        if (!tls && (caFile != null || certFile != null || keyFile != null)) {
            throw new IllegalArgumentException("amqp.tls.* is set but amqp.uri is not amqps://");
        }
        if (tls) {
            // setUri trusts any certificate for amqps: replace that with a verifying context.
            factory.useSslProtocol(AmqpTls.context(caFile, certFile, keyFile));
            factory.enableHostnameVerification();
        }
        factory.setAutomaticRecoveryEnabled(false);
        factory.setTopologyRecoveryEnabled(false);
        factory.setRequestedHeartbeat(15);
        factory.setConnectionTimeout(5_000);
        factory.setHandshakeTimeout(10_000);
        factory.setShutdownTimeout(2_000);
        return new BrokerEndpoint(factory);
    }

    /**
     * Opens a connection. Blocking.
     *
     * @param dispatch the threads amqp-client calls consumers on; null for its own default
     */
    public Connection open(ExecutorService dispatch, String name) throws IOException, TimeoutException {
        return dispatch == null ? factory.newConnection(name) : factory.newConnection(dispatch, name);
    }

    /** host:port, for logs. */
    public String describe() {
        return factory.getHost() + ":" + factory.getPort() + (factory.isSSL() ? " (TLS)" : "");
    }

    private static Path path(String file) {
        return file == null || file.isEmpty() ? null : Path.of(file);
    }

    private static String redact(String uri) {
        return uri.replaceAll("//[^@/]*@", "//***@");
    }
}
