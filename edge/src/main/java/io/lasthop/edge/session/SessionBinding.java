package io.lasthop.edge.session;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.lasthop.edge.amqp.SerialExecutor;
import io.lasthop.edge.amqp.SessionLink;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The broker side of a session: its id and queue, the channel that consumes from the queue, and
 * the serial executor on which every blocking AMQP call of the session runs, in order. Set by the
 * {@link SessionAttacher} on that executor; read from any thread. amqp-client calls the
 * {@link SessionLink.Handler} methods on its own threads: they only hand over to the event loop.
 */
final class SessionBinding implements SessionLink.Handler {
    private final Session session;
    private final SerialExecutor amqp;
    private final CompletableFuture<Void> released = new CompletableFuture<>();
    private volatile String sessionId;
    private volatile String queue;
    private volatile boolean resumed;
    private volatile SessionLink link;

    SessionBinding(Session session, Executor amqpPool) {
        this.session = session;
        this.amqp = new SerialExecutor(amqpPool);
    }

    SerialExecutor amqp() {
        return amqp;
    }

    String sessionId() {
        return sessionId;
    }

    String queue() {
        return queue;
    }

    boolean resumed() {
        return resumed;
    }

    /** The channel, or null before the first attach; it may be lost, see {@link SessionLink#alive()}. */
    SessionLink link() {
        return link;
    }

    /** Completes once the channel is closed and its deliveries requeued. */
    CompletableFuture<Void> released() {
        return released;
    }

    void linked(SessionLink link, String sessionId, String queue, boolean resumed) {
        this.sessionId = sessionId;
        this.queue = queue;
        this.resumed = resumed;
        this.link = link;
    }

    /** A new channel on the same queue replaces one that was lost. */
    void relinked(SessionLink link) {
        this.link = link;
    }

    /**
     * Closes the channel, which requeues its unacked deliveries, then runs {@code then}. On the
     * serial executor, so it runs after an attach that may still be under way.
     */
    void release(Runnable then) {
        amqp.execute(() -> {
            SessionLink l = link;
            if (l != null) {
                l.close();
            }
            then.run();
            released.complete(null);
        });
    }

    @Override
    public void delivery(SessionLink from, long tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
        session.eventLoop().execute(() -> session.onDelivery(from, tag, envelope, props, body));
    }

    /** A cancel from the broker is a lost consumer: a re-attach finds out whether the queue is still there. */
    @Override
    public void cancelled(SessionLink from) {
        session.eventLoop().execute(() -> session.onLinkLost(from));
    }

    @Override
    public void lost(SessionLink from, ShutdownSignalException cause) {
        session.eventLoop().execute(() -> session.onLinkLost(from));
    }
}
