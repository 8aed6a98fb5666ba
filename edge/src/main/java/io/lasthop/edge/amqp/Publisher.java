package io.lasthop.edge.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import io.lasthop.protocol.ErrorCode;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes what browsers send, with publisher confirms, on a connection of its own: a broker that
 * blocks publishers (memory or disk alarm) then never stalls the consumers' connections.
 *
 * <p>Publishes are mandatory (but for direct reply-to, see {@link #isDirectReplyTo}), so an
 * unroutable message comes back as {@code basic.return} before its confirm; the return names the
 * publish by the {@link #PUBLISH_ID_HEADER} header.
 * Calls run on one thread of its own and never block the caller.
 */
public final class Publisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Publisher.class);
    /** Set on every message the edge publishes, to match a {@code basic.return} to its publish. */
    public static final String PUBLISH_ID_HEADER = "x-lasthop-publish-id";

    /** How a publish ended: {@code error} is null when the broker confirmed and routed it. */
    public record Outcome(ErrorCode error, String message) {
        static final Outcome OK = new Outcome(null, null);

        public boolean ok() {
            return error == null;
        }
    }

    private final ReconnectingConnection connection;
    private final ExecutorService thread;
    private final ConcurrentSkipListMap<Long, Pending> pending = new ConcurrentSkipListMap<>();
    private final Map<Long, Pending> byPublishId = new java.util.concurrent.ConcurrentHashMap<>();
    private Channel channel;
    private long nextPublishId;
    private volatile boolean closed;

    private static final class Pending {
        final long publishId;
        final CompletableFuture<Outcome> result = new CompletableFuture<>();
        volatile boolean returned;

        Pending(long publishId) {
            this.publishId = publishId;
        }
    }

    /** @param scheduler opens the connection, and reopens it when lost */
    public Publisher(BrokerEndpoint broker, String nodeId, ScheduledExecutorService scheduler) {
        // Its own connection, preferring a node after the session connections' first ones.
        this.connection = new ReconnectingConnection(
                broker, nodeId.hashCode(), "lasthop-edge " + nodeId + " publisher", null, scheduler, c -> {});
        this.thread = Executors.newSingleThreadExecutor(new DefaultThreadFactory("lasthop-publisher", true));
    }

    public void start() {
        connection.start();
    }

    /** True while the publisher's connection is open. */
    public boolean connected() {
        return connection.current() != null;
    }

    /**
     * Publishes and completes with the broker's verdict: confirmed, returned as unroutable,
     * nacked, or failed because the broker is unreachable.
     */
    public CompletableFuture<Outcome> publish(
            String exchange, String routingKey, AMQP.BasicProperties props, byte[] body) {
        return publish(exchange, routingKey, props, body, true);
    }

    /** @param mandatory false when nobody bound is not an error, as for events nobody listens to */
    public CompletableFuture<Outcome> publish(
            String exchange, String routingKey, AMQP.BasicProperties props, byte[] body, boolean mandatory) {
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        try {
            thread.execute(() -> publishNow(exchange, routingKey, props, body, mandatory, result));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            result.complete(new Outcome(ErrorCode.UNAVAILABLE, "the node is shutting down"));
        }
        return result;
    }

    private void publishNow(
            String exchange,
            String routingKey,
            AMQP.BasicProperties props,
            byte[] body,
            boolean mandatory,
            CompletableFuture<Outcome> result) {
        Pending p = new Pending(++nextPublishId);
        p.result.whenComplete((o, e) -> result.complete(o));
        try {
            Channel ch = channel();
            Map<String, Object> headers = new HashMap<>(props.getHeaders() == null ? Map.of() : props.getHeaders());
            headers.put(PUBLISH_ID_HEADER, p.publishId);
            long seq = ch.getNextPublishSeqNo();
            pending.put(seq, p);
            byPublishId.put(p.publishId, p);
            ch.basicPublish(
                    exchange,
                    routingKey,
                    mandatory && !isDirectReplyTo(exchange, routingKey),
                    props.builder().headers(headers).build(),
                    body);
        } catch (IOException | RuntimeException e) {
            fail(p, e);
            // amqp-client counts a publish that failed to serialize, which would shift every later
            // confirm onto the wrong message: start over on a fresh channel.
            resetChannel();
        }
    }

    private void resetChannel() {
        Channel ch = channel;
        channel = null;
        if (ch != null) {
            try {
                ch.abort();
            } catch (IOException | RuntimeException e) {
                log.debug("aborting publisher channel: {}", e.toString());
            }
        }
    }

    /**
     * RabbitMQ 3.x returns a mandatory publish to a direct reply-to address even when it delivers
     * it, so those go without mandatory: a reply to a requester that is gone is then dropped
     * silently by the broker, not reported as unroutable.
     */
    private static boolean isDirectReplyTo(String exchange, String routingKey) {
        return exchange.isEmpty() && routingKey.startsWith("amq.rabbitmq.reply-to.");
    }

    private Channel channel() throws IOException {
        if (closed) {
            throw new IOException("publisher closed");
        }
        if (channel != null && channel.isOpen()) {
            return channel;
        }
        Connection c = connection.current();
        if (c == null) {
            throw new IOException("no connection to the broker");
        }
        Channel ch = c.createChannel();
        if (ch == null) {
            throw new IOException("the publisher connection has no free channel");
        }
        ch.confirmSelect();
        ch.addConfirmListener(
                (tag, multiple) -> settle(tag, multiple, true), (tag, multiple) -> settle(tag, multiple, false));
        ch.addReturnListener(r -> {
            Object id = r.getProperties().getHeaders() == null
                    ? null
                    : r.getProperties().getHeaders().get(PUBLISH_ID_HEADER);
            Pending p = id instanceof Number n ? byPublishId.get(n.longValue()) : null;
            if (p != null) {
                p.returned = true;
            }
        });
        ch.addShutdownListener(cause -> thread.execute(() -> channelLost(ch, cause)));
        channel = ch;
        return ch;
    }

    private void settle(long tag, boolean multiple, boolean acked) {
        Map<Long, Pending> done = multiple ? pending.headMap(tag, true) : pending.subMap(tag, true, tag, true);
        for (Pending p : done.values()) {
            byPublishId.remove(p.publishId);
            Outcome o;
            if (!acked) {
                o = new Outcome(
                        ErrorCode.REJECTED, "the broker refused the message (a full queue, or an internal error)");
            } else if (p.returned) {
                o = new Outcome(ErrorCode.UNROUTABLE, "no queue is bound to receive the message");
            } else {
                o = Outcome.OK;
            }
            p.result.complete(o);
        }
        done.clear();
    }

    private void channelLost(Channel ch, ShutdownSignalException cause) {
        if (ch == channel) {
            channel = null;
        }
        boolean refused =
                cause.getReason() instanceof AMQP.Channel.Close close && close.getReplyCode() == AMQP.ACCESS_REFUSED;
        Outcome o = refused
                ? new Outcome(ErrorCode.FORBIDDEN, "the broker refused the edge's publish: " + cause.getMessage())
                : new Outcome(
                        ErrorCode.UNAVAILABLE,
                        "the broker connection was lost before the confirm; "
                                + "the message may or may not have been delivered");
        if (!cause.isInitiatedByApplication()) {
            log.warn("publisher channel lost: {}", cause.getMessage());
        }
        for (Pending p : pending.values()) {
            byPublishId.remove(p.publishId);
            p.result.complete(o);
        }
        pending.clear();
    }

    private void fail(Pending p, Exception e) {
        byPublishId.remove(p.publishId);
        pending.values().remove(p);
        p.result.complete(new Outcome(ErrorCode.UNAVAILABLE, "the broker is unreachable: " + e.getMessage()));
    }

    @Override
    public void close() {
        closed = true;
        thread.execute(connection::close);
        thread.shutdown();
    }
}
