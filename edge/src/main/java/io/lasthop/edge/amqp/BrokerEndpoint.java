package io.lasthop.edge.amqp;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.AddressResolver;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ListAddressResolver;
import io.lasthop.edge.config.EdgeConfig;
import io.lasthop.edge.config.Settings;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
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
    private final List<Address> addresses;

    private BrokerEndpoint(ConnectionFactory factory, List<Address> addresses) {
        this.factory = factory;
        this.addresses = addresses;
    }

    public static BrokerEndpoint of(EdgeConfig config) {
        return of(
                config.get(Settings.AMQP_URI),
                config.get(Settings.AMQP_ADDRESSES),
                path(config.get(Settings.AMQP_TLS_CA_FILE)),
                path(config.get(Settings.AMQP_TLS_CERT_FILE)),
                path(config.get(Settings.AMQP_TLS_KEY_FILE)));
    }

    /** A plain or {@code amqps://} endpoint with the JVM's trust store and no client certificate. */
    public static BrokerEndpoint of(String uri) {
        return of(uri, null, null, null, null);
    }

    /**
     * @param addresses a cluster's nodes, {@code host:port,host:port}, or null for the URI's host
     * @param caFile    PEM certificates to trust for an {@code amqps://} broker instead of the JVM's
     * @param certFile  with {@code keyFile}: a client certificate to present, PEM
     */
    static BrokerEndpoint of(String uri, String addresses, Path caFile, Path certFile, Path keyFile) {
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
        // A session's basic.qos is sent without waiting for its qos-ok (SessionLink.attach): the
        // reply arrives while basic.consume waits for consume-ok, and must not be taken for it.
        factory.setChannelShouldCheckRpcResponseType(true);
        List<Address> nodes = addresses == null || addresses.isBlank()
                ? List.of(new Address(factory.getHost(), factory.getPort()))
                : List.of(Address.parseAddresses(addresses));
        return new BrokerEndpoint(factory, nodes);
    }

    /** How many broker nodes this endpoint knows. */
    public int nodes() {
        return addresses.size();
    }

    /**
     * Opens a connection, to the {@code preferred}-th node (modulo their number) if it answers,
     * else to the next one that does. Giving each connection of a node another preference spreads
     * them over a cluster. Blocking.
     *
     * @param dispatch the threads amqp-client calls consumers on; null for its own default
     */
    public Connection open(ExecutorService dispatch, String name, int preferred) throws IOException, TimeoutException {
        int n = addresses.size();
        List<Address> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            order.add(addresses.get(Math.floorMod(preferred + i, n)));
        }
        // amqp-client would shuffle the list: the order is the point here.
        AddressResolver inOrder = new ListAddressResolver(order) {
            @Override
            public List<Address> maybeShuffle(List<Address> input) {
                return input;
            }
        };
        return factory.newConnection(dispatch, inOrder, name);
    }

    /** The nodes, for logs. */
    public String describe() {
        return addresses + (factory.isSSL() ? " (TLS)" : "");
    }

    private static Path path(String file) {
        return file == null || file.isEmpty() ? null : Path.of(file);
    }

    private static String redact(String uri) {
        return uri.replaceAll("//[^@/]*@", "//***@");
    }
}
