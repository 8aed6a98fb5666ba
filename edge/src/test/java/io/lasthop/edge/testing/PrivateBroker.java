package io.lasthop.edge.testing;

import java.io.IOException;
import java.time.Duration;

/**
 * A RabbitMQ node of the test's own, on free ports and in a temporary folder, so a test can stop
 * and restart a broker without touching the one every other test shares. A one-node
 * {@link PrivateCluster}: same start (a cookie and config of its own, no CLI while it boots), same
 * clean-up (stop, SIGKILL as a fallback, shutdown hook, watchdog).
 */
public final class PrivateBroker implements AutoCloseable {
    private final PrivateCluster node;

    private PrivateBroker(PrivateCluster node) {
        this.node = node;
    }

    public static PrivateBroker start() throws IOException, InterruptedException {
        return start("");
    }

    /** @param extraConfig rabbitmq.conf lines, e.g. a TLS listener or {@code channel_max = 8\n} */
    public static PrivateBroker start(String extraConfig) throws IOException, InterruptedException {
        return new PrivateBroker(PrivateCluster.start(1, extraConfig));
    }

    /** {@code rabbitmqctl} on the node, with a 60 s limit. */
    public String rabbitmqctl(String... args) throws IOException, InterruptedException {
        return node.rabbitmqctl(1, args);
    }

    public String uri() {
        return node.uri(1);
    }

    /** Stops the RabbitMQ application; the Erlang node stays, as in a rolling broker restart. */
    public void stopApp() throws IOException, InterruptedException {
        node.rabbitmqctl(1, Duration.ofSeconds(60), "stop_app");
    }

    public void startApp() throws IOException, InterruptedException {
        node.rabbitmqctl(1, Duration.ofSeconds(60), "start_app");
        node.rabbitmqctl(1, Duration.ofSeconds(100), "await_startup", "--timeout", "90");
    }

    @Override
    public void close() throws InterruptedException {
        node.close();
    }
}
