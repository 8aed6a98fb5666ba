package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Await;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.PrivateBroker;
import io.lasthop.edge.testing.ResilientClient;
import io.lasthop.protocol.AmqpNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The broker application stops and starts (stop_app / start_app) under live sessions, on a
 * RabbitMQ node of the test's own: persistent messages in durable session queues survive, the
 * edge reports not-ready meanwhile, and sessions re-attach at the paced rate with nothing lost.
 */
class BrokerRestartIT {

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void brokerRestartLosesNoPersistentMessage() throws Exception {
        int sessions = 60;
        try (PrivateBroker broker = PrivateBroker.start();
                Edge edge = new Edge(c -> c.set(Settings.AMQP_URI, broker.uri()).set(Settings.RECOVERY_RATE, 200))) {
            ScheduledExecutorService timer = ResilientClient.timer();
            List<String> users = ResilientClient.newUsers(sessions);
            List<ResilientClient> clients = new ArrayList<>();
            try {
                clients.addAll(ResilientClient.openMany(users, edge::ws, timer));
                publishRound(broker, users, 0);
                Await.until(
                        () -> clients.stream().allMatch(c -> c.shown().size() == 1), Duration.ofSeconds(30), "round 0");
                // Half the users go away: their next messages wait in durable queues over the restart.
                for (int i = 0; i < sessions / 2; i++) {
                    clients.get(i).close();
                }
                publishRound(broker, users, 1);

                broker.stopApp();
                Await.until(() -> !edge.server().ready(), Duration.ofSeconds(30), "the edge to notice");
                assertEquals(503, edge.get("/readyz").statusCode());
                long start = System.nanoTime();
                broker.startApp();
                Await.until(() -> edge.server().ready(), Duration.ofSeconds(60), "the edge to reconnect");
                publishRound(broker, users, 2);

                for (int i = 0; i < sessions / 2; i++) {
                    ResilientClient gone = clients.get(i);
                    clients.set(i, gone.resumeAs(Edge.token(users.get(i)), edge::ws, timer));
                }
                for (int i = 0; i < sessions; i++) {
                    ResilientClient c = clients.get(i);
                    String user = users.get(i);
                    Await.until(() -> c.shown().size() >= 3, Duration.ofSeconds(60), "3 messages for " + user);
                    List<String> shown = c.shown();
                    assertEquals(
                            List.of(user + "#1", user + "#2"),
                            shown.subList(shown.size() - 2, shown.size()),
                            "session " + i + " got the messages published before and after the restart");
                }
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                System.out.printf(
                        "broker restart: %d sessions, all messages delivered %d ms after start_app%n", sessions, ms);
            } finally {
                clients.forEach(ResilientClient::close);
                timer.shutdownNow();
            }
        }
    }

    private static void publishRound(PrivateBroker broker, List<String> users, int round) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(broker.uri());
        try (Connection c = f.newConnection("test-publisher");
                Channel ch = c.createChannel()) {
            ch.confirmSelect();
            for (String user : users) {
                ch.basicPublish(
                        AmqpNames.USER_EXCHANGE,
                        user,
                        true,
                        new AMQP.BasicProperties.Builder()
                                .messageId(user + "#" + round)
                                .deliveryMode(2)
                                .contentType("application/json")
                                .build(),
                        "{}".getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(30_000);
        }
    }
}
