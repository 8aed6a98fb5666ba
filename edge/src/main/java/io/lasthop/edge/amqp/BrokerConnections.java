package io.lasthop.edge.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed set of AMQP connections that session channels are spread over. A lost connection comes
 * back by itself ({@link ReconnectingConnection}); the sessions it carried re-attach at a paced rate,
 * driven by the session side.
 */
public final class BrokerConnections implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BrokerConnections.class);

    private final BrokerEndpoint broker;
    private final ReconnectingConnection[] connections;
    private final ScheduledExecutorService scheduler;
    private final Topology topology;
    private final AtomicInteger next = new AtomicInteger();
    private volatile boolean closed;
    private volatile boolean ready;

    /**
     * @param dispatch  the threads amqp-client calls session consumers on
     * @param scheduler opens connections and declares the topology
     */
    public BrokerConnections(BrokerEndpoint broker, int connections, String nodeId, Topology topology,
                             ScheduledExecutorService scheduler, ExecutorService dispatch) {
        this.broker = broker;
        this.connections = new ReconnectingConnection[connections];
        for (int i = 0; i < connections; i++) {
            String name = "lasthop-edge " + nodeId + " #" + i;
            this.connections[i] = new ReconnectingConnection(broker, i, name, dispatch, scheduler,
                    new ReconnectingConnection.Listener() {
                        @Override
                        public void opened(Connection c) {
                            updateReadiness(name + " connected");
                        }

                        @Override
                        public void lost(com.rabbitmq.client.ShutdownSignalException cause) {
                            updateReadiness(name + " lost");
                        }
                    });
        }
        this.topology = topology;
        this.scheduler = scheduler;
    }

    public void start() {
        for (ReconnectingConnection c : connections) {
            c.start();
        }
    }

    /** True while every connection is open and the topology is declared. */
    public boolean ready() {
        return ready;
    }

    /** Opens a channel on the next open connection, round robin. Blocking: call it off the event loops. */
    public Channel openChannel() throws IOException {
        int n = connections.length;
        int start = Math.floorMod(next.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
            Connection c = connections[(start + i) % n].current();
            if (c != null) {
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
        for (ReconnectingConnection c : connections) {
            c.close();
        }
    }

    private void updateReadiness(String why) {
        boolean all = true;
        for (ReconnectingConnection c : connections) {
            all &= c.current() != null;
        }
        if (all && !ready && !closed) {
            try {
                topology.declare(this::openChannel);
            } catch (IOException | TimeoutException | RuntimeException e) {
                log.warn("declaring topology failed, retrying: {}", e.toString());
                scheduler.schedule(() -> updateReadiness("topology retry"), ReconnectingConnection.MAX_BACKOFF_MS,
                        TimeUnit.MILLISECONDS);
                return;
            }
            ready = true;
            log.info("broker ready: {} connection(s) to {}", connections.length, broker.describe());
        } else if (!all && ready) {
            ready = false;
            log.warn("broker unavailable ({}); new sessions get 503 until it is back", why);
        }
    }
}
