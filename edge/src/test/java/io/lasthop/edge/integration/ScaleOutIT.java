package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.lasthop.edge.testing.Await;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.EdgeAddress;
import io.lasthop.edge.testing.EdgeProcess;
import io.lasthop.edge.testing.Haproxy;
import io.lasthop.edge.testing.PollClient;
import io.lasthop.edge.testing.ResilientClient;
import io.lasthop.edge.testing.SseClient;
import io.lasthop.protocol.AmqpNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Edge nodes as separate processes sharing only the broker: every request to another node, a
 * node killed with SIGKILL under load, and a rolling restart with SIGTERM. Clients reconnect
 * like the browser client does; every message must be shown once, in order.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ScaleOutIT {
    static final Map<String, String> FAST =
            Map.of("LASTHOP_POLL_TIMEOUT", "2s", "LASTHOP_DRAIN_SPREAD", "1s", "LASTHOP_HEARTBEAT", "2s");
    static Broker broker;
    static final List<EdgeProcess> nodes = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        broker = new Broker();
        for (int i = 0; i < 3; i++) {
            nodes.add(EdgeProcess.start("proc-" + i, FAST));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (EdgeProcess n : nodes) {
            n.close();
        }
        broker.close();
    }

    @Test
    void everyRequestToAnotherNodeOnEveryTransport() throws Exception {
        // Long-polling: each poll to the next of three nodes.
        String pollUser = Edge.newUser();
        PollClient poll = new PollClient(Edge.token(pollUser), null);
        poll.poll(nodes.get(0), null);
        Set<String> shown = new LinkedHashSet<>();
        String acks = "[]";
        int total = 20;
        for (int i = 0, published = 0; i < 150 && shown.size() < total; i++) {
            if (published < total) {
                broker.publishJson(AmqpNames.USER_EXCHANGE, pollUser, "poll-" + published, "{}");
                published++;
            }
            long max = 0;
            for (JsonNode f : poll.poll(nodes.get((i + 1) % 3), acks)) {
                if (f.path("t").asText().equals("msg")) {
                    shown.add(f.get("id").asText());
                    max = Math.max(max, f.get("seq").asLong());
                }
            }
            acks = max == 0 ? "[]" : "[{\"t\":\"ack\",\"seq\":" + max + "}]";
        }
        assertEquals(ids("poll-", total), new ArrayList<>(shown));

        // SSE, then HTTP streaming, on one node, their acks POSTed to the two others in turn.
        streamOnOneNodeAcksElsewhere(false);
        streamOnOneNodeAcksElsewhere(true);

        // WebSocket: every reconnect to the next node, resuming the session there.
        String wsUser = Edge.newUser();
        AtomicInteger next = new AtomicInteger();
        ScheduledExecutorService timer = ResilientClient.timer();
        try (ResilientClient ws = new ResilientClient(
                Edge.token(wsUser), () -> nodes.get(next.getAndIncrement() % 3).ws(), timer)) {
            Await.until(ws::isOpen, Broker.timeout(), "open");
            for (int i = 0; i < 6; i++) {
                broker.publishJson(AmqpNames.USER_EXCHANGE, wsUser, "ws-" + i, "{}");
                int want = i + 1;
                Await.until(() -> ws.shown().size() == want, Broker.timeout(), "ws-" + want);
                String before = ws.node();
                kickOff(ws);
                Await.until(() -> ws.isOpen() && !before.equals(ws.node()), Broker.timeout(), "a move to another node");
            }
            assertEquals(ids("ws-", 6), ws.shown());
        } finally {
            timer.shutdownNow();
        }
    }

    private static void streamOnOneNodeAcksElsewhere(boolean ndjson) throws Exception {
        String sseUser = Edge.newUser();
        try (SseClient sse = ndjson
                ? SseClient.connectStream(nodes.get(0), Edge.token(sseUser), null)
                : SseClient.connect(nodes.get(0), Edge.token(sseUser), null)) {
            String session = sse.next("hello").get("session").asText();
            for (int i = 0; i < 10; i++) {
                broker.publishJson(AmqpNames.USER_EXCHANGE, sseUser, "sse-" + i, "{}");
                JsonNode m = sse.next("msg");
                assertEquals("sse-" + i, m.get("id").asText());
                assertEquals(
                        202,
                        sse.postVia(
                                        nodes.get(1 + i % 2),
                                        "{\"t\":\"ack\",\"seq\":" + m.get("seq").asLong() + "}")
                                .statusCode());
            }
            // A forwarded frame is applied asynchronously (202); a ping sent the same way after the
            // last ack is answered on the stream only once that ack was applied.
            assertEquals(202, sse.postVia(nodes.get(2), "{\"t\":\"ping\"}").statusCode());
            sse.next("pong");
            sse.close();
            // Once the stream is gone its channel is closed: anything not acked would be back in the queue.
            String queue = Edge.queueOf(sseUser, session);
            Await.until(() -> broker.consumers(queue) == 0, Broker.timeout(), "the stream's session to close");
            assertEquals(0, broker.ready(queue), "every forwarded ack was applied");
        }
    }

    @Test
    void killNineOfANodeBehindHaproxyUnderLoadLosesNothingAndEveryClientResumes() throws Exception {
        try (EdgeProcess a = EdgeProcess.start("kill-a", FAST);
                EdgeProcess b = EdgeProcess.start("kill-b", FAST);
                Haproxy lb = Haproxy.start(a.port(), b.port())) {
            Await.until(() -> lb.ready(), Duration.ofSeconds(20), "HAProxy to route; log " + lb.log());
            runUnderLoad(
                    200,
                    lb,
                    () -> {
                        long start = System.nanoTime();
                        a.kill9();
                        return start;
                    },
                    "behind HAProxy, after kill -9 of one of two nodes");
        }
    }

    @Test
    void rollingRestartBehindHaproxyLosesNothing() throws Exception {
        try (EdgeProcess a = EdgeProcess.start("roll-a", FAST);
                EdgeProcess b = EdgeProcess.start("roll-b", FAST);
                Haproxy lb = Haproxy.start(a.port(), b.port())) {
            Await.until(() -> lb.ready(), Duration.ofSeconds(20), "HAProxy to route; log " + lb.log());
            runUnderLoad(
                    200,
                    lb,
                    () -> {
                        long start = System.nanoTime();
                        a.terminate();
                        a.restart();
                        Await.until(() -> lb.ready(), Duration.ofSeconds(30), "HAProxy to see the restarted node");
                        b.terminate();
                        b.restart();
                        return start;
                    },
                    "behind HAProxy, after a rolling SIGTERM restart of both nodes");
        }
    }

    @FunctionalInterface
    interface Disruption {
        long run() throws Exception;
    }

    /**
     * {@code sessions} clients connecting through the load balancer, a steady publish to every
     * user, the disruption while it runs, then: every user saw every one of its messages, once,
     * in order.
     */
    private static void runUnderLoad(int sessions, EdgeAddress balancer, Disruption disruption, String what)
            throws Exception {
        ScheduledExecutorService timer = ResilientClient.timer();
        List<String> users = ResilientClient.newUsers(sessions);
        List<ResilientClient> clients = new ArrayList<>();
        try {
            clients.addAll(ResilientClient.openMany(users, balancer::ws, timer));
            int rounds = 20;
            // The publisher keeps going while the disruption happens: a steady rate, not a pause.
            AtomicInteger published = new AtomicInteger();
            Thread publisher = new Thread(
                    () -> {
                        for (int r = 0; r < rounds; r++) {
                            for (String user : users) {
                                broker.publishJson(AmqpNames.USER_EXCHANGE, user, user + "#" + r, "{}");
                            }
                            published.set(r + 1);
                            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                        }
                    },
                    "steady-publisher");
            publisher.start();
            Await.until(() -> published.get() >= rounds / 4, Duration.ofSeconds(60), "the load to run");
            long start = disruption.run();
            Await.until(
                    () -> clients.stream().allMatch(ResilientClient::isOpen),
                    Duration.ofSeconds(90),
                    "every client to resume " + what);
            long resumedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            publisher.join(TimeUnit.SECONDS.toMillis(120));
            assertEquals(rounds, published.get(), "the publisher finished");
            for (int i = 0; i < sessions; i++) {
                ResilientClient c = clients.get(i);
                List<String> expected = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    expected.add(users.get(i) + "#" + r);
                }
                Await.until(() -> c.shown().size() >= rounds, Duration.ofSeconds(60), "messages of client " + c.node());
                assertEquals(expected, c.shown(), "client " + i + " shows every message once, in order");
            }
            int redelivered = clients.stream()
                    .mapToInt(ResilientClient::redeliveriesDropped)
                    .sum();
            System.out.printf(
                    "%s: %d sessions, %d messages each, all resumed in %d ms, %d redeliveries dropped by id%n",
                    what, sessions, rounds, resumedMs, redelivered);
        } finally {
            clients.forEach(ResilientClient::close);
            timer.shutdownNow();
        }
    }

    /** Makes the client's connection drop, as a lost network would, so it reconnects elsewhere. */
    private static void kickOff(ResilientClient ws) {
        ws.dropConnection();
    }

    private static List<String> ids(String prefix, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(prefix + i);
        }
        return out;
    }
}
