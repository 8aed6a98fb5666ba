package io.lasthop.edge.testing;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The real RabbitMQ the integration tests run against, used the way a service would: a stock
 * amqp-client connection. When no broker answers, tests fail with how to start one; never skip.
 */
public final class Broker implements AutoCloseable {
    public static final String URI =
            System.getenv().getOrDefault("LASTHOP_TEST_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/%2F");

    private final ConnectionFactory factory = new ConnectionFactory();
    private Connection connection;
    private Channel channel;

    public Broker() {
        try {
            factory.setUri(URI);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        factory.setAutomaticRecoveryEnabled(false);
        connect();
    }

    private void connect() {
        try {
            connection = factory.newConnection("lasthop-test-publisher");
            channel = connection.createChannel();
            channel.confirmSelect();
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException(
                    "RabbitMQ is not reachable at " + URI + " (" + e + ").\n"
                            + "The integration tests need a real broker. Start one with:\n"
                            + "    rabbitmq-server -detached && rabbitmqctl await_startup\n"
                            + "or point LASTHOP_TEST_AMQP_URI at one.",
                    e);
        }
    }

    /** Publishes persistently with a confirm; reconnects first if a test closed the connection. */
    public void publish(String exchange, String routingKey, AMQP.BasicProperties props, byte[] body) {
        try {
            if (!channel.isOpen()) {
                connect();
            }
            channel.basicPublish(exchange, routingKey, true, props, body);
            channel.waitForConfirmsOrDie(10_000);
        } catch (IOException | InterruptedException | TimeoutException e) {
            throw new IllegalStateException("publish failed: " + e, e);
        }
    }

    public void publishJson(String exchange, String routingKey, String messageId, String json) {
        publish(
                exchange,
                routingKey,
                new AMQP.BasicProperties.Builder()
                        .messageId(messageId)
                        .contentType("application/json")
                        .deliveryMode(2)
                        .build(),
                json.getBytes(StandardCharsets.UTF_8));
    }

    /** The next message in a queue, waiting up to the test timeout; null if none came. */
    public com.rabbitmq.client.GetResponse await(String queue) {
        long deadline = System.nanoTime() + timeout().toNanos();
        try {
            while (System.nanoTime() < deadline) {
                com.rabbitmq.client.GetResponse r = channel().basicGet(queue, true);
                if (r != null) {
                    return r;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return null;
    }

    public Channel channel() {
        if (!channel.isOpen()) {
            connect();
        }
        return channel;
    }

    /** Messages ready in a queue (not counting unacked ones); -1 when the queue does not exist. */
    public long ready(String queue) {
        try (Channel ch = connection().createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        } catch (IOException e) {
            return -1;
        } catch (TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Consumers of a queue; -1 when the queue does not exist. */
    public long consumers(String queue) {
        try (Channel ch = connection().createChannel()) {
            return ch.queueDeclarePassive(queue).getConsumerCount();
        } catch (IOException e) {
            return -1;
        } catch (TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean queueExists(String queue) {
        return ready(queue) >= 0;
    }

    /** Declares a throwaway queue bound to an exchange, to observe what reaches it. */
    public String tapQueue(String exchange, String routingKey) throws IOException {
        String q = channel().queueDeclare("", false, true, true, Map.of()).getQueue();
        channel().queueBind(q, exchange, routingKey);
        return q;
    }

    private Connection connection() {
        if (!connection.isOpen()) {
            connect();
        }
        return connection;
    }

    /**
     * Closes every connection of one edge node from the broker's side, all at once as a failure
     * would; other clients of the shared broker (other tests, other runs on this machine) keep
     * theirs.
     *
     * @return how many connections were closed
     */
    public static int closeConnectionsOf(String nodeId) throws IOException, InterruptedException {
        // One eval, so that they go within microseconds of each other, not a rabbitmqctl call apart.
        String erlang = "length([rabbit_networking:close_connection(P, \"lasthop test: broker-side kill\") "
                + "|| P <- rabbit_networking:connections(), "
                + "{client_properties, CP} <- rabbit_networking:connection_info(P, [client_properties]), "
                + "{<<\"connection_name\">>, _, Name} <- CP, "
                + "binary:match(Name, <<\"lasthop-edge " + nodeId + " \">>) =/= nomatch]).";
        return Integer.parseInt(ctl("-q", "eval", erlang).trim());
    }

    /** Runs {@code rabbitmqctl} on the shared node; fails the test if the command fails. */
    public static String ctl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("rabbitmqctl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("rabbitmqctl " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    public static Duration timeout() {
        return Duration.ofSeconds(15);
    }

    @Override
    public void close() {
        try {
            if (connection.isOpen()) {
                connection.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
    }
}
