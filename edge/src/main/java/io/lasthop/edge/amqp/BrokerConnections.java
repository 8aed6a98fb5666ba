package io.lasthop.edge.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AMQP connections that session channels are spread over, a channel per session. Sized to the
 * load: it starts with {@code min} connections and opens another when the open ones are nearly
 * full (each carries at most the broker's {@code channel_max} channels), up to enough for the
 * node's bound of sessions at the channel_max the broker grants; a connection beyond {@code min}
 * that carries no channel for two checks in a row is closed. A lost
 * connection comes back by itself ({@link ReconnectingConnection}); the sessions it carried
 * re-attach at a paced rate, driven by the session side.
 */
public final class BrokerConnections implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BrokerConnections.class);
    /** A connection counts as nearly full past this share of its channel_max. */
    static final double GROW_AT = 0.8;

    private static final long SIZE_CHECK_SECONDS = 30;
    private static final long REFUSAL_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** AMQP connections one node opens at most, whatever the bound. */
    private static final int MAX_CONNECTIONS = 256;

    private final BrokerEndpoint broker;
    private final String nodeId;
    /**
     * Session consumers only hand deliveries over to event loops, so they run on each connection's
     * reader thread: no pool, no hand-off per delivery.
     */
    private final ExecutorService dispatch = new CallerThreadExecutor();

    private final ScheduledExecutorService scheduler;
    private final Topology topology;
    private final int min;
    private final int fixedMax;
    private final int sessionBound;
    private final List<Slot> slots = new CopyOnWriteArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicLong refusals = new AtomicLong();
    private final AtomicLong connectFailures = new AtomicLong();
    private volatile long lastRefusalLog;
    private volatile boolean closed;
    private volatile boolean ready;

    /** One connection and the channels it carries. */
    private final class Slot {
        final ReconnectingConnection connection;
        final AtomicInteger channels = new AtomicInteger();
        boolean idleBefore;

        Slot(int index) {
            String name = "lasthop-edge " + nodeId + " #" + index;
            connection = new ReconnectingConnection(
                    broker, index, name, dispatch, scheduler, new ReconnectingConnection.Listener() {
                        @Override
                        public void opened(Connection c) {
                            updateReadiness(name + " connected");
                        }

                        @Override
                        public void lost(ShutdownSignalException cause) {
                            // Its channels went with it (each one's listener counts itself out).
                            updateReadiness(name + " lost");
                        }

                        @Override
                        public void failed(Exception cause) {
                            connectFailures.incrementAndGet();
                        }
                    });
        }

        /** A channel on this connection if it is open and not full; else null. */
        Channel tryOpenChannel() throws IOException {
            Connection c = connection.current();
            if (c == null || channels.get() >= channelMax(c)) {
                return null;
            }
            Channel ch = c.createChannel();
            if (ch == null) {
                return null;
            }
            channels.incrementAndGet();
            ch.addShutdownListener(cause -> channels.decrementAndGet());
            return ch;
        }

        boolean nearlyFull() {
            Connection c = connection.current();
            return c == null || channels.get() >= GROW_AT * channelMax(c);
        }
    }

    /**
     * @param min          connections held however few sessions there are
     * @param sessionBound sessions the node holds at most, which bounds the connections opened;
     *                     0 for {@code min} connections, fixed
     * @param scheduler    opens connections, declares the topology, resizes
     */
    public BrokerConnections(
            BrokerEndpoint broker,
            int min,
            int sessionBound,
            String nodeId,
            Topology topology,
            ScheduledExecutorService scheduler) {
        if (min < 1 || sessionBound < 0) {
            throw new IllegalArgumentException("connections: min " + min + ", sessions " + sessionBound);
        }
        this.broker = broker;
        this.min = min;
        this.fixedMax = sessionBound == 0 ? min : 0;
        this.sessionBound = sessionBound;
        this.nodeId = nodeId;
        this.topology = topology;
        this.scheduler = scheduler;
    }

    public void start() {
        for (int i = 0; i < min; i++) {
            grow();
        }
        if (fixedMax == 0) {
            scheduler.scheduleWithFixedDelay(this::shrink, SIZE_CHECK_SECONDS, SIZE_CHECK_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** True while the first {@code min} connections are open and the topology is declared. */
    public boolean ready() {
        return ready;
    }

    /** Open connections now, for metrics. */
    public int connections() {
        return (int) slots.stream().filter(s -> s.connection.current() != null).count();
    }

    /** Sessions turned away because every connection was full or down, since start. */
    public long refusals() {
        return refusals.get();
    }

    /** Attempts to open a session connection that failed (broker down, refused, TLS or credentials). */
    public long connectFailures() {
        return connectFailures.get();
    }

    /**
     * Opens a channel on the next connection, round robin, that has room; opens another connection
     * ahead of need when they fill up. Blocking: call it off the event loops.
     */
    public Channel openChannel() throws IOException {
        List<Slot> now = slots;
        int n = now.size();
        int start = Math.floorMod(next.getAndIncrement(), Math.max(1, n));
        for (int i = 0; i < n; i++) {
            Slot s = now.get((start + i) % n);
            Channel ch = s.tryOpenChannel();
            if (ch != null) {
                if (fixedMax == 0 && s.nearlyFull()) {
                    scheduler.execute(this::growIfFull);
                }
                return ch;
            }
        }
        scheduler.execute(this::growIfFull);
        refused();
        throw new IOException("no open broker connection with a free channel");
    }

    @Override
    public void close() {
        closed = true;
        ready = false;
        for (Slot s : slots) {
            s.connection.close();
        }
    }

    /**
     * Connections opened at most: fixed, or enough for the session bound at the channel_max the
     * broker grants (known once a connection is open), filled to {@link #GROW_AT}, plus one.
     */
    int max() {
        if (fixedMax > 0) {
            return fixedMax;
        }
        int channelMax = 2047;
        for (Slot s : slots) {
            Connection c = s.connection.current();
            if (c != null) {
                channelMax = channelMax(c);
                break;
            }
        }
        int perConnection = Math.max(1, (int) (channelMax * GROW_AT));
        return Math.max(min, Math.min(MAX_CONNECTIONS, (sessionBound + perConnection - 1) / perConnection + 1));
    }

    private static int channelMax(Connection c) {
        int channelMax = c.getChannelMax();
        return channelMax == 0 ? 65_535 : channelMax;
    }

    /** On the scheduler: another connection, unless one is already on its way or the bound is reached. */
    private void growIfFull() {
        if (closed || slots.size() >= max()) {
            return;
        }
        for (Slot s : slots) {
            if (!s.nearlyFull() || s.connection.current() == null && s.channels.get() == 0) {
                return; // room left, or a connection still opening
            }
        }
        grow();
        log.info(
                "opened AMQP connection #{} of at most {}: the others are {} % full",
                slots.size() - 1, max(), (int) (GROW_AT * 100));
    }

    private void grow() {
        Slot s = new Slot(opened.getAndIncrement());
        slots.add(s);
        s.connection.start();
    }

    /** On the scheduler: closes connections beyond {@code min} that carried nothing for two checks. */
    private void shrink() {
        for (int i = slots.size() - 1; i >= min; i--) {
            Slot s = slots.get(i);
            boolean idle = s.channels.get() == 0;
            if (idle && s.idleBefore) {
                slots.remove(s);
                s.connection.close();
                log.info("closed idle AMQP connection; {} left", slots.size());
            } else {
                s.idleBefore = idle;
            }
        }
    }

    private void refused() {
        refusals.incrementAndGet();
        long now = System.nanoTime();
        long last = lastRefusalLog;
        if (now - last > REFUSAL_LOG_INTERVAL_NANOS) {
            lastRefusalLog = now;
            log.warn(
                    "no AMQP channel free: {} session(s) refused since start ({} connection(s) of at most {})",
                    refusals.get(),
                    slots.size(),
                    max());
        }
    }

    private void updateReadiness(String why) {
        boolean all = slots.size() >= min;
        for (int i = 0; i < Math.min(min, slots.size()); i++) {
            all &= slots.get(i).connection.current() != null;
        }
        if (all && !ready && !closed) {
            try {
                topology.declare(this::openTopologyChannel);
            } catch (IOException | TimeoutException | RuntimeException e) {
                log.warn("declaring topology failed, retrying: {}", e.toString());
                scheduler.schedule(
                        () -> updateReadiness("topology retry"),
                        ReconnectingConnection.MAX_BACKOFF_MS,
                        TimeUnit.MILLISECONDS);
                return;
            }
            ready = true;
            log.info("broker ready: {} connection(s) (up to {}) to {}", slots.size(), max(), broker.describe());
        } else if (!all && ready) {
            ready = false;
            log.warn("broker unavailable ({}); new sessions get 503 until it is back", why);
        }
    }

    /** A channel for declaring the topology, outside any session's count. */
    private Channel openTopologyChannel() throws IOException {
        for (Slot s : slots) {
            Connection c = s.connection.current();
            if (c != null) {
                Channel ch = c.createChannel();
                if (ch != null) {
                    return ch;
                }
            }
        }
        throw new IOException("no open broker connection");
    }
}
