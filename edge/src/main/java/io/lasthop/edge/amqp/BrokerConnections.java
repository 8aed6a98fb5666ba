package io.lasthop.edge.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed set of AMQP connections that session channels are spread over. amqp-client's automatic
 * recovery is off: it would replay every consumer at once. Instead a lost connection is reopened
 * here with jittered backoff, and the {@link Listener} re-attaches sessions at a paced rate.
 */
public final class BrokerConnections implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BrokerConnections.class);
    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 5_000;

    /** Told when the set becomes fully connected, and when it loses a connection. */
    public interface Listener {
        void brokerUp();

        void brokerDown(String why);
    }

    private final ConnectionFactory factory;
    private final Slot[] slots;
    private final ScheduledExecutorService connector;
    private final ExecutorService consumerDispatch;
    private final Topology topology;
    private final Listener listener;
    private final String nodeId;
    private final AtomicInteger next = new AtomicInteger();
    private volatile boolean closed;
    private volatile boolean ready;

    public BrokerConnections(String uri, int connections, String nodeId, Topology topology,
                             ScheduledExecutorService connector, ExecutorService consumerDispatch,
                             Listener listener) {
        this.factory = ConnectionFactories.of(uri);
        this.slots = new Slot[connections];
        for (int i = 0; i < connections; i++) {
            slots[i] = new Slot(i);
        }
        this.nodeId = nodeId;
        this.topology = topology;
        this.connector = connector;
        this.consumerDispatch = consumerDispatch;
        this.listener = listener;
    }

    public void start() {
        for (Slot slot : slots) {
            connector.execute(slot::connect);
        }
    }

    /** True while every connection is open and the topology is declared. */
    public boolean ready() {
        return ready;
    }

    /** Opens a channel on the least loaded open connection. Blocking: call it off the event loops. */
    public Channel openChannel() throws IOException {
        int n = slots.length;
        int start = Math.floorMod(next.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
            Connection c = slots[(start + i) % n].connection;
            if (c != null && c.isOpen()) {
                Channel ch = c.createChannel();
                if (ch != null) {
                    return ch;
                }
            }
        }
        throw new IOException("no open broker connection with a free channel");
    }

    @Override
    public void close() {
        closed = true;
        ready = false;
        for (Slot slot : slots) {
            Connection c = slot.connection;
            if (c != null) {
                try {
                    c.close(2_000);
                } catch (IOException | RuntimeException e) {
                    log.debug("closing broker connection {}: {}", slot.index, e.toString());
                }
            }
        }
    }

    private void updateReadiness(String why) {
        boolean all = true;
        for (Slot s : slots) {
            Connection c = s.connection;
            all &= c != null && c.isOpen();
        }
        if (all && !ready && !closed) {
            try (Channel ch = openChannel()) {
                topology.declare(ch);
            } catch (IOException | TimeoutException | RuntimeException e) {
                log.warn("declaring topology failed, retrying: {}", e.toString());
                connector.schedule(() -> updateReadiness("topology retry"), MAX_BACKOFF_MS, TimeUnit.MILLISECONDS);
                return;
            }
            ready = true;
            log.info("broker ready: {} connection(s) to {}:{}", slots.length, factory.getHost(), factory.getPort());
            listener.brokerUp();
        } else if (!all && ready) {
            ready = false;
            listener.brokerDown(why);
        }
    }

    private final class Slot {
        final int index;
        volatile Connection connection;
        long backoffMs = MIN_BACKOFF_MS;

        Slot(int index) {
            this.index = index;
        }

        void connect() {
            if (closed) {
                return;
            }
            try {
                Connection c = factory.newConnection(consumerDispatch, "lasthop-edge " + nodeId + " #" + index);
                c.addShutdownListener(cause -> onShutdown(c, cause));
                connection = c;
                backoffMs = MIN_BACKOFF_MS;
                updateReadiness("connected");
            } catch (IOException | TimeoutException e) {
                long delay = ThreadLocalRandom.current().nextLong(backoffMs / 2, backoffMs + 1);
                backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
                log.warn("broker connection #{} failed ({}); retrying in {} ms", index, e.toString(), delay);
                connector.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
            }
        }

        void onShutdown(Connection c, ShutdownSignalException cause) {
            if (closed || cause.isInitiatedByApplication()) {
                return;
            }
            log.warn("broker connection #{} lost: {}", index, cause.getMessage());
            connector.execute(() -> {
                if (connection == c) {
                    connection = null;
                }
                updateReadiness("connection #" + index + " lost");
                connector.schedule(this::connect, MIN_BACKOFF_MS, TimeUnit.MILLISECONDS);
            });
        }
    }
}
