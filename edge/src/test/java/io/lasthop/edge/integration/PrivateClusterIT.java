package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.ShutdownSignalException;
import io.lasthop.edge.testing.Await;
import io.lasthop.edge.testing.PrivateCluster;
import io.lasthop.edge.testing.PrivateCluster.QueueInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Proves {@link PrivateCluster} (3 nodes clustered, queue placement, kill -9 of a node, restart,
 * clean-up), and records what RabbitMQ does when a node of a cluster dies, as amqp-client 5.24
 * consumers and publishers on the surviving nodes see it. The facts below are assertions of
 * {@link #nodeLoss()}, except timings and counts, which it prints; measured on RabbitMQ 3.10.8,
 * Erlang 25.2.3, 3 nodes on one 2-core machine, the node killed with SIGKILL of its beam.smp.
 *
 * <p>Placement: a classic queue declared with {@code x-queue-master-locator=client-local} lives on
 * the node the declaring connection is attached to; a quorum queue declared with
 * {@code x-queue-leader-locator=client-local} has its leader there (3.10 accepts the argument), and
 * members on all 3 nodes.
 *
 * <p>When the node holding a <b>classic</b> queue dies (durable, or non-durable with x-expires
 * alike):
 * <ul>
 *   <li>A consumer of that queue on a surviving node gets {@code basic.cancel}
 *       ({@code Consumer.handleCancel}) within a fraction of a second (50 ms in most runs, 190 ms in
 *       one, on a machine with a load of 8 to 17); its channel and connection stay open. Nothing
 *       else: no channel close, no shutdown signal.</li>
 *   <li>Deliveries it had not acked stay unacked: a {@code basic.ack} of them afterwards is accepted
 *       without error (the channel stays open) and does nothing: for a durable queue those messages
 *       are delivered again when the node comes back.</li>
 *   <li>A connection to the dead node is closed with a hard error (not initiated by the application).</li>
 *   <li>A publisher on a surviving node, publishing to the queue (default exchange, or a direct
 *       exchange it is bound to): with {@code mandatory}, each message is returned
 *       ({@code basic.return} 312 NO_ROUTE) and then <em>confirmed</em> (basic.ack, not nack); without
 *       mandatory it is confirmed and silently dropped. Messages published between the kill and
 *       the moment the survivors notice it (50 to 200 ms here) are nacked (2 to 12 per queue). In
 *       the run that counted them, none of those was in the durable queue when its node came back
 *       (printed: "nacked to the publisher"; not asserted: a nacked persistent message may well
 *       have reached the disk). A publisher that wants to know must publish mandatory.</li>
 *   <li>{@code queue.declare passive}, {@code queue.declare} and {@code basic.consume} through a
 *       survivor fail with channel error 404 NOT_FOUND; the text tells the two kinds apart:
 *       durable: "home node '&lt;node&gt;' of durable queue '&lt;q&gt;' in vhost '/' is down or
 *       inaccessible" (the queue cannot be re-declared anywhere while its node is down);
 *       non-durable: "no queue '&lt;q&gt;' in vhost '/'": the survivors deleted it, and a
 *       {@code queue.declare} then creates a <em>new, empty</em> queue of that name on the declaring
 *       node. A re-attach that declares (not passive) would present that empty queue as the old one.</li>
 *   <li>{@code rabbitmqctl list_queues} shows a durable one with state "down" (type printed
 *       "rabbit_classic_queue"); a non-durable one is not listed.</li>
 *   <li>When the node comes back: a durable queue is back on it, running, with every confirmed
 *       persistent message, the unacked ones included, each flagged redelivered (after a crash the
 *       broker cannot tell which were delivered). The cancelled consumer gets nothing: the client
 *       must consume again. A non-durable queue never comes back.</li>
 * </ul>
 *
 * <p>When the node holding a <b>quorum</b> queue's leader dies: a consumer on a survivor sees nothing
 * (no cancel, no channel close) but a pause in deliveries while a new leader is elected (a few
 * hundred ms here, printed); every confirmed message is delivered, none nacked; passive and normal
 * declares succeed throughout; the leader moves to a survivor and stays there when the old node
 * comes back as a member.
 *
 * <p>A classic queue on a surviving node sees nothing at all.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrivateClusterIT {
    private static final String DURABLE = "classic-durable";
    private static final String TRANSIENT = "classic-transient";
    private static final String QUORUM = "quorum";
    private static final String ON_2 = "classic-on-2";
    private static final String EXCHANGE = "cluster-it";

    static PrivateCluster cluster;
    static final List<Connection> connections = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() throws Exception {
        cluster = PrivateCluster.start(3);
    }

    @AfterAll
    static void stop() throws Exception {
        for (Connection c : connections) {
            c.abort(2000);
        }
        if (cluster == null) {
            return;
        }
        List<ProcessHandle> vms = new ArrayList<>();
        for (int i = 1; i <= cluster.size(); i++) {
            if (cluster.isUp(i)) {
                ProcessHandle.of(cluster.osPid(i)).ifPresent(vms::add);
            }
        }
        cluster.close();
        for (ProcessHandle vm : vms) {
            assertFalse(vm.isAlive(), "close() leaves no Erlang VM behind: " + vm.pid());
        }
    }

    @Test
    @Order(1)
    void threeNodesFormOneCluster() throws Exception {
        assertEquals(3, cluster.size());
        Set<String> names = Set.of(cluster.nodeName(1), cluster.nodeName(2), cluster.nodeName(3));
        assertEquals(3, names.size());
        for (int i = 1; i <= 3; i++) {
            assertEquals("lasthop-c" + cluster.port(i) + "@localhost", cluster.nodeName(i));
            assertEquals("amqp://guest:guest@127.0.0.1:" + cluster.port(i) + "/%2F", cluster.uri(i));
            assertEquals(names, cluster.runningNodes(i), "node " + i + " sees all three running");
            assertTrue(
                    ProcessHandle.of(cluster.osPid(i))
                            .map(h -> h.info().command().orElse(""))
                            .orElse("")
                            .endsWith("beam.smp"),
                    "the pid of node " + i + " is its Erlang VM");
        }
        assertEquals(
                "127.0.0.1:" + cluster.port(1) + ",127.0.0.1:" + cluster.port(2) + ",127.0.0.1:" + cluster.port(3),
                cluster.addresses());
        assertTrue(cluster.version().matches("\\d+\\.\\d+\\.\\d+.*"), cluster.version());
        for (int i = 1; i <= 3; i++) {
            try (Connection c = connect(i)) {
                assertEquals(
                        cluster.version(),
                        c.getServerProperties().get("version").toString());
            }
        }
        ConnectionFactory f = new ConnectionFactory();
        try (Connection c = f.newConnection(Address.parseAddresses(cluster.addresses()))) {
            assertTrue(c.isOpen(), "the address list connects");
        }
        System.out.println("PrivateClusterIT: RabbitMQ " + cluster.version() + ", 3 nodes started in "
                + cluster.startupTime().toMillis() + " ms");
    }

    @Test
    @Order(2)
    void nodeLoss() throws Exception {
        Connection c1 = connect(1);
        Connection c2 = connect(2);
        Connection c3 = connect(3);
        Map<String, Object> transientArgs = Map.of("x-queue-master-locator", "client-local", "x-expires", 600_000);
        Map<String, Object> durableArgs = Map.of(
                "x-queue-master-locator", "client-local", "x-expires", 600_000, "x-single-active-consumer", true);
        Map<String, Object> quorumArgs = Map.of(
                "x-queue-type",
                "quorum",
                "x-queue-leader-locator",
                "client-local",
                "x-single-active-consumer",
                true,
                "x-expires",
                600_000);

        // Placement: each queue on the node of the connection that declared it.
        Channel d1 = c1.createChannel();
        d1.queueDeclare(DURABLE, true, false, false, durableArgs);
        d1.queueDeclare(TRANSIENT, false, false, false, transientArgs);
        d1.queueDeclare(QUORUM, true, false, false, quorumArgs);
        d1.exchangeDeclare(EXCHANGE, "direct", false, true, null);
        d1.queueBind(DURABLE, EXCHANGE, DURABLE);
        d1.queueBind(TRANSIENT, EXCHANGE, TRANSIENT);
        c2.createChannel().queueDeclare(ON_2, true, false, false, durableArgs);
        assertEquals(1, cluster.queueNode(DURABLE));
        assertEquals(1, cluster.queueNode(TRANSIENT));
        assertEquals(1, cluster.queueNode(QUORUM), "x-queue-leader-locator=client-local");
        assertEquals(2, cluster.queueNode(ON_2));
        assertEquals(List.of(1, 2, 3), cluster.queue(QUORUM).orElseThrow().members());
        assertEquals(Map.of(1, 3, 2, 1, 3, 0), cluster.queuesPerNode());

        // Through node 3 to a consumer on node 1.
        Publisher pub = new Publisher(c3);
        Recorder onNode1 = consume(c1, DURABLE, true, 10);
        pub.publish(DURABLE, "hello", true);
        assertTrue(pub.channel.waitForConfirms(5000));
        Await.until(() -> onNode1.bodies.contains("hello"), Duration.ofSeconds(5), "the delivery on node 1");
        onNode1.channel.basicCancel(onNode1.tag);

        // Consumers on node 2: the one of the durable queue keeps 5 deliveries unacked.
        Recorder durable = consume(c2, DURABLE, false, 5);
        Recorder trans = consume(c2, TRANSIENT, true, 50);
        Recorder quorum = consume(c2, QUORUM, true, 50);
        Recorder on2 = consume(c2, ON_2, true, 50);
        Map<String, Recorder> consumers = Map.of(DURABLE, durable, TRANSIENT, trans, QUORUM, quorum, ON_2, on2);
        assertEquals(Map.of(1, 0, 2, 4, 3, 0), cluster.consumersPerNode());
        assertEquals(
                Set.of(ON_2),
                cluster.consumers().stream()
                        .filter(PrivateCluster.ConsumerInfo::local)
                        .map(PrivateCluster.ConsumerInfo::queue)
                        .collect(java.util.stream.Collectors.toSet()));
        for (int i = 0; i < 10; i++) {
            pub.publish(DURABLE, DURABLE + "#before" + i, true);
        }
        assertTrue(pub.channel.waitForConfirms(5000));
        Await.until(() -> durable.bodies.size() == 5, Duration.ofSeconds(5), "5 unacked deliveries");

        // A steady publish through node 3 to every queue, 50 rounds a second, across the kill.
        AtomicBoolean stop = new AtomicBoolean();
        Thread steady = new Thread(
                () -> {
                    for (int i = 0; !stop.get(); i++) {
                        for (String q : List.of(DURABLE, TRANSIENT, QUORUM, ON_2)) {
                            try {
                                pub.publish(q, q + "#" + i, true);
                            } catch (IOException e) {
                                pub.failed.add(q + "#" + i + " " + e);
                            }
                        }
                        sleep(20);
                    }
                },
                "steady publisher");
        steady.start();
        sleep(500);
        long killedAt = System.nanoTime();
        cluster.kill9(1);
        long seenAt = System.nanoTime();
        sleep(1000);
        stop.set(true);
        steady.join(5000);
        pub.channel.waitForConfirms(15000);
        assertEquals(Set.of(), pub.failed);
        assertEquals(0, pub.pending.size(), "every publish confirmed or nacked");

        for (Recorder r : consumers.values()) {
            System.out.printf(
                    "%s: %s, channel open %s, %d deliveries%n",
                    r.queue,
                    r.cancelledAt == 0
                            ? "no cancel"
                            : "basic.cancel " + ms(r.cancelledAt - killedAt) + " ms after the kill",
                    r.channel.isOpen(),
                    r.bodies.size());
        }
        System.out.printf(
                "kill9(1) returned after %d ms; quorum deliveries paused at most %d ms; publisher: %d returned %s, "
                        + "nacked %s%n",
                ms(seenAt - killedAt), quorum.longestGap(), pub.returned.size(), pub.returnCodes, pub.nacked);

        // Classic queues of the dead node: basic.cancel within seconds; the channel stays open.
        for (Recorder r : List.of(durable, trans)) {
            assertTrue(r.cancelledAt != 0, r.queue + ": basic.cancel");
            assertTrue(r.cancelledAt - killedAt < TimeUnit.SECONDS.toNanos(5), r.queue + ": cancel within 5 s");
            assertTrue(r.channel.isOpen(), r.queue + ": the consumer's channel stays open");
            assertNull(r.shutdown, r.queue + ": no shutdown signal");
        }
        // The quorum queue's and node 2's consumers: nothing.
        for (Recorder r : List.of(quorum, on2)) {
            assertEquals(0, r.cancelledAt, r.queue + ": no basic.cancel");
            assertTrue(r.channel.isOpen(), r.queue + ": channel open");
            assertNull(r.shutdown, r.queue + ": no shutdown signal");
        }
        assertFalse(c1.isOpen(), "the connection to the dead node is closed");
        assertTrue(
                c1.getCloseReason().isHardError() && !c1.getCloseReason().isInitiatedByApplication(),
                c1.getCloseReason().toString());

        // Publishing to the dead classic queues: returned 312 NO_ROUTE, yet confirmed (ack).
        assertEquals(Set.of("312 NO_ROUTE"), pub.returnCodes);
        for (String q : List.of(DURABLE, TRANSIENT)) {
            long returned =
                    pub.returned.stream().filter(b -> b.startsWith(q + "#")).count();
            assertTrue(returned >= 10, q + ": the publishes of the second after the kill are returned, " + returned);
            assertTrue(
                    pub.confirmed.containsAll(pub.returned.stream()
                            .filter(b -> b.startsWith(q + "#"))
                            .toList()),
                    q + ": returned messages are confirmed (ack), not nacked");
        }
        assertTrue(
                pub.nacked.stream().noneMatch(b -> b.startsWith(QUORUM) || b.startsWith(ON_2)),
                "no publish to the quorum queue or to node 2 nacked: " + pub.nacked);
        // Quorum and node 2: every confirmed message delivered.
        for (String q : List.of(QUORUM, ON_2)) {
            Set<String> lost = new TreeSet<>(pub.confirmedTo(q));
            lost.removeAll(consumers.get(q).bodies);
            assertEquals(Set.of(), lost, q + ": confirmed but not delivered");
            assertTrue(pub.confirmedTo(q).size() >= 20, q + ": published across the kill");
        }
        // Through an exchange it is the same: returned, then confirmed; without mandatory, confirmed.
        Publisher after = new Publisher(c3);
        after.publishTo(EXCHANGE, DURABLE, "via-exchange", true);
        after.publishTo(EXCHANGE, TRANSIENT, "via-exchange-2", true);
        after.publish(DURABLE, "not-mandatory", false);
        assertTrue(after.channel.waitForConfirms(5000), "all three confirmed (ack)");
        Await.until(() -> after.returned.size() == 2, Duration.ofSeconds(5), "two returns");
        assertEquals(Set.of("via-exchange", "via-exchange-2"), after.returned);

        // An ack of a delivery the dead queue had made: accepted, no channel error.
        durable.channel.basicAck(durable.tags.get(durable.tags.size() - 1), true);
        durable.channel.basicQos(5); // a round trip: an error from the ack would have closed the channel
        assertTrue(durable.channel.isOpen(), "ack after the cancel: channel open");

        // Passive declare, declare, consume through node 2.
        String down = "NOT_FOUND - home node '" + cluster.nodeName(1) + "' of durable queue '" + DURABLE
                + "' in vhost '/' is down or inaccessible";
        assertEquals("404 " + down, attempt(c2, ch -> ch.queueDeclarePassive(DURABLE)));
        assertEquals("404 " + down, attempt(c2, ch -> ch.queueDeclare(DURABLE, true, false, false, durableArgs)));
        assertEquals("404 " + down, attempt(c2, ch -> ch.basicConsume(DURABLE, new DefaultConsumer(ch))));
        assertEquals(
                "404 NOT_FOUND - no queue '" + TRANSIENT + "' in vhost '/'",
                attempt(c2, ch -> ch.queueDeclarePassive(TRANSIENT)));
        assertEquals("ok", attempt(c2, ch -> ch.queueDeclarePassive(QUORUM)));
        assertEquals("ok", attempt(c2, ch -> ch.queueDeclare(QUORUM, true, false, false, quorumArgs)));
        assertEquals("ok", attempt(c2, ch -> ch.queueDeclarePassive(ON_2)));
        QueueInfo deadDurable = cluster.queue(DURABLE).orElseThrow();
        assertEquals("down", deadDurable.state());
        assertEquals(1, deadDurable.node());
        assertTrue(cluster.queue(TRANSIENT).isEmpty(), "the non-durable queue is gone");
        int quorumLeader = cluster.queueNode(QUORUM);
        assertTrue(quorumLeader == 2 || quorumLeader == 3, "a new quorum leader: " + quorumLeader);
        assertEquals(List.of(2, 3), cluster.queue(QUORUM).orElseThrow().online());
        // Declaring the non-durable queue again makes a new, empty one on the declaring node.
        AMQP.Queue.DeclareOk fresh = c2.createChannel().queueDeclare(TRANSIENT, false, false, false, transientArgs);
        assertEquals(0, fresh.getMessageCount());
        assertEquals(2, cluster.queueNode(TRANSIENT));

        // Node 1 comes back.
        cluster.restart(1);
        assertEquals(Set.of(cluster.nodeName(1), cluster.nodeName(2), cluster.nodeName(3)), cluster.runningNodes(2));
        QueueInfo back = cluster.queue(DURABLE).orElseThrow();
        assertEquals("running", back.state());
        assertEquals(1, back.node());
        Set<String> confirmedDurable = pub.confirmedTo(DURABLE);
        confirmedDurable.removeAll(pub.returned);
        confirmedDurable.remove("hello");
        Recorder again = consume(c2, DURABLE, true, 100);
        Await.until(
                () -> again.bodies.containsAll(confirmedDurable),
                Duration.ofSeconds(10),
                "every confirmed persistent message of the durable queue, after the restart");
        assertTrue(again.bodies.containsAll(durable.bodies), "the deliveries acked after the cancel come again");
        long nackedBack = pub.nacked.stream().filter(again.bodies::contains).count();
        System.out.printf(
                "after the restart: %d messages of the durable queue, %d of them nacked to the publisher%n",
                again.bodies.size(), nackedBack);
        assertEquals(Set.copyOf(again.bodies), again.redelivered, "all flagged redelivered");
        assertEquals(5, durable.bodies.size(), "the cancelled consumer gets nothing");
        assertEquals(2, cluster.queueNode(TRANSIENT), "only the new non-durable queue, on node 2");
        assertEquals(0, cluster.queue(TRANSIENT).orElseThrow().messages());
        QueueInfo q = cluster.queue(QUORUM).orElseThrow();
        assertEquals(quorumLeader, q.node(), "the quorum leader stays where it moved");
        assertEquals(List.of(1, 2, 3), q.members());
        Await.until(
                () -> {
                    try {
                        return cluster.queue(QUORUM).orElseThrow().online().equals(List.of(1, 2, 3));
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                },
                Duration.ofSeconds(15),
                Duration.ofMillis(500),
                "node 1 online as a member of the quorum queue");
        pub.publish(QUORUM, "after-restart", true);
        assertTrue(pub.channel.waitForConfirms(5000));
        Await.until(
                () -> quorum.bodies.contains("after-restart"),
                Duration.ofSeconds(5),
                "the quorum consumer on node 2 goes on");
        assertEquals(Set.of(), quorum.duplicates, "no quorum delivery twice");
    }

    // ------------------------------------------------------------------ helpers

    static Connection connect(int node) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(cluster.uri(node));
        f.setAutomaticRecoveryEnabled(false);
        Connection c = f.newConnection("PrivateClusterIT-node" + node);
        connections.add(c);
        return c;
    }

    static Recorder consume(Connection c, String queue, boolean ack, int prefetch) throws IOException {
        Channel ch = c.createChannel();
        ch.basicQos(prefetch);
        Recorder r = new Recorder(ch, queue, ack);
        r.tag = ch.basicConsume(queue, false, r);
        return r;
    }

    interface ChannelOp {
        Object apply(Channel ch) throws IOException;
    }

    /** "ok", or the reply code and text of the channel error an operation on a new channel of c ends with. */
    static String attempt(Connection c, ChannelOp op) throws IOException {
        Channel ch = c.createChannel();
        try {
            op.apply(ch);
            ch.close();
            return "ok";
        } catch (IOException e) {
            if (e.getCause() instanceof ShutdownSignalException sig
                    && sig.getReason() instanceof AMQP.Channel.Close close) {
                return close.getReplyCode() + " " + close.getReplyText();
            }
            throw e;
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException(e);
        }
    }

    static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Records what a consumer sees: deliveries, a cancel from the broker, a shutdown. */
    static final class Recorder extends DefaultConsumer {
        final Channel channel;
        final String queue;
        final boolean ack;
        volatile String tag;
        final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
        final List<Long> times = Collections.synchronizedList(new ArrayList<>());
        final List<Long> tags = Collections.synchronizedList(new ArrayList<>());
        final Set<String> duplicates = ConcurrentHashMap.newKeySet();
        final Set<String> redelivered = ConcurrentHashMap.newKeySet();
        volatile long cancelledAt;
        volatile ShutdownSignalException shutdown;

        Recorder(Channel channel, String queue, boolean ack) {
            super(channel);
            this.channel = channel;
            this.queue = queue;
            this.ack = ack;
        }

        @Override
        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                throws IOException {
            String b = new String(body, StandardCharsets.UTF_8);
            if (bodies.contains(b)) {
                duplicates.add(b);
            }
            if (envelope.isRedeliver()) {
                redelivered.add(b);
            }
            bodies.add(b);
            times.add(System.nanoTime());
            tags.add(envelope.getDeliveryTag());
            if (ack) {
                channel.basicAck(envelope.getDeliveryTag(), false);
            }
        }

        @Override
        public void handleCancel(String consumerTag) {
            cancelledAt = System.nanoTime();
        }

        @Override
        public void handleShutdownSignal(String consumerTag, ShutdownSignalException sig) {
            shutdown = sig;
        }

        /** The longest time between two deliveries, in ms. */
        long longestGap() {
            long gap = 0;
            synchronized (times) {
                for (int i = 1; i < times.size(); i++) {
                    gap = Math.max(gap, times.get(i) - times.get(i - 1));
                }
            }
            return ms(gap);
        }
    }

    /** Publishes persistent messages with confirms, and keeps what was confirmed, nacked and returned. */
    static final class Publisher implements ConfirmListener {
        final Channel channel;
        final ConcurrentSkipListMap<Long, String> pending = new ConcurrentSkipListMap<>();
        final Set<String> confirmed = ConcurrentHashMap.newKeySet();
        final Set<String> nacked = ConcurrentHashMap.newKeySet();
        final Set<String> returned = ConcurrentHashMap.newKeySet();
        final Set<String> returnCodes = ConcurrentHashMap.newKeySet();
        final Set<String> failed = ConcurrentHashMap.newKeySet();

        Publisher(Connection c) throws IOException {
            channel = c.createChannel();
            channel.confirmSelect();
            channel.addConfirmListener(this);
            channel.addReturnListener(r -> {
                returned.add(new String(r.getBody(), StandardCharsets.UTF_8));
                returnCodes.add(r.getReplyCode() + " " + r.getReplyText());
            });
        }

        void publish(String queue, String body, boolean mandatory) throws IOException {
            publishTo("", queue, body, mandatory);
        }

        synchronized void publishTo(String exchange, String key, String body, boolean mandatory) throws IOException {
            pending.put(channel.getNextPublishSeqNo(), body);
            channel.basicPublish(
                    exchange,
                    key,
                    mandatory,
                    MessageProperties.PERSISTENT_BASIC,
                    body.getBytes(StandardCharsets.UTF_8));
        }

        /** Confirmed (acked) messages published to that queue. */
        Set<String> confirmedTo(String queue) {
            Set<String> s = new LinkedHashSet<>();
            for (String b : confirmed) {
                if (b.startsWith(queue + "#")) {
                    s.add(b);
                }
            }
            return s;
        }

        @Override
        public void handleAck(long tag, boolean multiple) {
            settle(tag, multiple, confirmed);
        }

        @Override
        public void handleNack(long tag, boolean multiple) {
            settle(tag, multiple, nacked);
        }

        private void settle(long tag, boolean multiple, Set<String> into) {
            if (multiple) {
                Map<Long, String> done = pending.headMap(tag, true);
                into.addAll(done.values());
                done.clear();
            } else {
                String b = pending.remove(tag);
                if (b != null) {
                    into.add(b);
                }
            }
        }
    }
}
