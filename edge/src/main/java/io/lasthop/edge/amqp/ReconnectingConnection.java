package io.lasthop.edge.amqp;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An AMQP connection that must come back. It is opened on {@link #start()}, and whenever the
 * broker closes it, it is reopened with jittered exponential backoff (0.1 s doubling to 5 s). Every
 * connection the edge holds (session channels, the publisher, the control plane) is one of these,
 * so they all share one retry policy. amqp-client's own recovery is off (see
 * {@link BrokerEndpoint}): what to re-create on a new connection is the {@link Listener}'s
 * decision, so sessions can re-attach at a paced rate instead of all at once.
 */
public final class ReconnectingConnection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReconnectingConnection.class);
    static final long MIN_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 5_000;

    /** Told of each new connection and of each loss, on the scheduler's thread. */
    public interface Listener {
        /**
         * A new connection is open. Throwing gives it up: it is aborted and retried after backoff
         * (e.g. another node holds an exclusive queue this one needs).
         */
        void opened(Connection connection) throws IOException;

        /** The connection was lost; a new one is on its way. */
        default void lost(ShutdownSignalException cause) {}

        /** An attempt to connect failed; the next one follows after backoff. */
        default void failed(Exception cause) {}
    }

    private final BrokerEndpoint broker;
    private final int preferredNode;
    private final String name;
    private final ExecutorService dispatch;
    private final ScheduledExecutorService scheduler;
    private final Listener listener;
    private volatile Connection connection;
    private volatile boolean closed;
    private long backoffMs = MIN_BACKOFF_MS;

    /**
     * @param preferredNode the broker node to connect to first, when there are several; see
     *                      {@link BrokerEndpoint#open}
     * @param dispatch      the threads amqp-client calls consumers on; null for its own default
     * @param scheduler     runs connection attempts and the listener: never an event loop, as
     *                      opening a connection blocks
     */
    public ReconnectingConnection(
            BrokerEndpoint broker,
            int preferredNode,
            String name,
            ExecutorService dispatch,
            ScheduledExecutorService scheduler,
            Listener listener) {
        this.broker = broker;
        this.preferredNode = preferredNode;
        this.name = name;
        this.dispatch = dispatch;
        this.scheduler = scheduler;
        this.listener = listener;
    }

    public void start() {
        scheduler.execute(this::connect);
    }

    /** The open connection, or null while there is none. */
    public Connection current() {
        Connection c = connection;
        return c != null && c.isOpen() ? c : null;
    }

    public String name() {
        return name;
    }

    private void connect() {
        if (closed) {
            return;
        }
        Connection c = null;
        try {
            c = broker.open(dispatch, name, preferredNode);
            Connection opened = c;
            c.addShutdownListener(cause -> onShutdown(opened, cause));
            connection = c;
            listener.opened(c);
            backoffMs = MIN_BACKOFF_MS;
        } catch (IOException | TimeoutException | RuntimeException e) {
            if (c != null) {
                connection = null;
                c.abort(1_000);
            }
            long delay = ThreadLocalRandom.current().nextLong(backoffMs / 2, backoffMs + 1);
            backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
            log.warn("{}: connecting failed ({}); retrying in {} ms", name, e.toString(), delay);
            listener.failed(e);
            scheduler.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        }
    }

    private void onShutdown(Connection c, ShutdownSignalException cause) {
        if (closed || cause.isInitiatedByApplication()) {
            return;
        }
        log.warn("{}: connection lost: {}", name, cause.getMessage());
        scheduler.execute(() -> {
            if (connection == c) {
                connection = null;
            }
            listener.lost(cause);
            scheduler.schedule(this::connect, MIN_BACKOFF_MS, TimeUnit.MILLISECONDS);
        });
    }

    @Override
    public void close() {
        closed = true;
        Connection c = connection;
        if (c != null) {
            try {
                c.close(2_000);
            } catch (IOException | RuntimeException e) {
                log.debug("{}: closing: {}", name, e.toString());
            }
        }
    }
}
