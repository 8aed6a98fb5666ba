package io.lasthop.edge.amqp;

import com.rabbitmq.client.ConnectionFactory;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;

/** The one way the edge configures amqp-client connections. */
public final class ConnectionFactories {
    private ConnectionFactories() {}

    /**
     * A factory for {@code uri} without amqp-client's automatic recovery: the edge recovers itself,
     * paced, because replaying every consumer at once storms the broker.
     */
    public static ConnectionFactory of(String uri) {
        ConnectionFactory factory = new ConnectionFactory();
        try {
            factory.setUri(uri);
        } catch (URISyntaxException | GeneralSecurityException e) {
            throw new IllegalArgumentException("bad AMQP URI " + uri + ": " + e.getMessage(), e);
        }
        factory.setAutomaticRecoveryEnabled(false);
        factory.setTopologyRecoveryEnabled(false);
        factory.setRequestedHeartbeat(15);
        factory.setConnectionTimeout(5_000);
        factory.setShutdownTimeout(2_000);
        return factory;
    }
}
