package io.lasthop.edge.session;

import com.rabbitmq.client.Channel;
import io.lasthop.edge.amqp.BrokerConnections;
import io.lasthop.edge.amqp.SessionLink;
import io.lasthop.edge.amqp.SessionQueueSettings;
import io.lasthop.edge.auth.Principal;
import io.lasthop.protocol.AmqpNames;
import io.lasthop.protocol.CloseCode;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attaches sessions to their queues: a new session declares one, a resumed session consumes from
 * the one it had, taking it over from a connection of the same session here; and a session whose
 * channel was lost re-attaches once the broker is back, at a paced rate, so a broker restart does
 * not become a storm of consumer registrations.
 */
public final class SessionAttacher {
    private static final Logger log = LoggerFactory.getLogger(SessionAttacher.class);
    private static final long RECOVERY_TICK_MS = 100;

    private final SessionContext ctx;
    private final SessionRegistry registry;
    private final BrokerConnections broker;
    private final SessionQueueSettings queues;
    private final ConcurrentLinkedQueue<Session> toRecover = new ConcurrentLinkedQueue<>();
    private final int recoveriesPerTick;

    /** @param recoveryRate sessions re-attached per second after their channels were lost */
    public SessionAttacher(
            SessionContext ctx,
            SessionRegistry registry,
            BrokerConnections broker,
            SessionQueueSettings queues,
            ScheduledExecutorService scheduler,
            int recoveryRate) {
        this.ctx = ctx;
        this.registry = registry;
        this.broker = broker;
        this.queues = queues;
        this.recoveriesPerTick = Math.max(1, (int) (recoveryRate * RECOVERY_TICK_MS / 1000));
        scheduler.scheduleWithFixedDelay(this::recoverSome, RECOVERY_TICK_MS, RECOVERY_TICK_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * A session for {@code principal} on {@code loop}, attached to the broker: it resumes
     * {@code requestedId} if that queue still exists, else starts anew. A session of the same id
     * connected here is closed first, and its channel closed, so the queue's deliveries are requeued
     * before this one consumes: in order. Completes on an AMQP worker thread.
     */
    public CompletableFuture<Session> open(EventLoop loop, Principal principal, String requestedId) {
        Session s = new Session(ctx, this, loop, principal);
        CompletableFuture<Session> result = new CompletableFuture<>();
        CompletableFuture<Void> before = CompletableFuture.completedFuture(null);
        if (requestedId != null) {
            Session old = registry.find(s.userId(), requestedId);
            if (old != null) {
                old.eventLoop()
                        .execute(() ->
                                old.close(CloseCode.SESSION_TAKEN_OVER, "another connection resumed this session"));
                before = old.binding().released();
            }
        }
        before.whenComplete((v, e) -> s.binding().amqp().execute(() -> attach(s, requestedId, result)));
        return result;
    }

    /**
     * Cuts a session off: it is closed with {@code 4501 revoked}, and with {@code deleteQueue} its
     * queue is deleted once its channel is closed, so nothing can resume it.
     */
    public void revoke(Session s, boolean deleteQueue) {
        s.eventLoop().execute(() -> s.close(CloseCode.REVOKED, "a service or an operator revoked this session"));
        if (deleteQueue) {
            s.binding().released().thenRun(() -> s.binding().amqp().execute(() -> deleteQueue(s.queue(), false)));
        }
    }

    /**
     * Deletes a session queue; with {@code ifUnused}, only while no consumer is attached to it (the
     * node that holds the session closes it first, and deletes it itself).
     */
    public void deleteQueueIfUnused(String queue) {
        ctx.amqpPool().execute(() -> deleteQueue(queue, true));
    }

    private void deleteQueue(String queue, boolean ifUnused) {
        try (Channel ch = broker.openChannel()) {
            ch.queueDelete(queue, ifUnused, false);
        } catch (IOException | TimeoutException | RuntimeException e) {
            // In use (406 with ifUnused) or the broker is away: the queue expires with the resume window.
            log.debug("deleting {} ({}): {}", queue, ifUnused ? "if unused" : "revoked", e.toString());
        }
    }

    /** A session admitted for {@code userId} did not open: its place among the user's sessions is free again. */
    public void openFailed(String userId) {
        registry.unreserve(userId);
    }

    /** {@code s}'s channel was lost: it re-attaches, paced, once the broker is back. */
    void lost(Session s) {
        toRecover.add(s);
    }

    /** {@code s} is gone for good: its channel is closed. */
    void released(Session s) {
        registry.remove(s);
    }

    private void attach(Session s, String requestedId, CompletableFuture<Session> result) {
        try {
            if (requestedId != null) {
                String queue = AmqpNames.sessionQueue(s.userId(), requestedId);
                try {
                    s.binding().linked(link(s, queue, false), requestedId, queue, true);
                } catch (SessionLink.SessionGoneException gone) {
                    log.debug("session {} of {} expired; starting a new one", requestedId, s.userId());
                }
            }
            if (s.binding().link() == null) {
                String id = AmqpNames.newSessionId();
                String queue = AmqpNames.sessionQueue(s.userId(), id);
                s.binding().linked(link(s, queue, true), id, queue, false);
            }
            registry.put(s);
            result.complete(s);
        } catch (IOException | SessionLink.SessionGoneException | RuntimeException e) {
            result.completeExceptionally(e);
        }
    }

    private SessionLink link(Session s, String queue, boolean create)
            throws IOException, SessionLink.SessionGoneException {
        return SessionLink.attach(broker, queues, s.binding().amqp(), s.userId(), queue, create, s.binding());
    }

    private void recoverSome() {
        if (!broker.ready()) {
            return;
        }
        for (int i = 0; i < recoveriesPerTick; i++) {
            Session s = toRecover.poll();
            if (s == null) {
                return;
            }
            if (!s.isClosed()) {
                s.binding().amqp().execute(() -> reattach(s));
            }
        }
    }

    private void reattach(Session s) {
        if (s.isClosed()) {
            return;
        }
        SessionLink old = s.binding().link();
        if (old != null) {
            // A consumer the broker cancelled leaves its channel open, holding what it delivered.
            old.close();
        }
        try {
            s.binding().relinked(link(s, s.queue(), false));
            s.eventLoop().execute(ctx.metrics().sessionRecoveries::increment);
        } catch (SessionLink.SessionGoneException gone) {
            // Never a new, empty queue under the old session's name: the client starts anew, and knows.
            s.eventLoop()
                    .execute(() -> s.close(
                            gone.nodeDown() ? CloseCode.SESSION_LOST : CloseCode.SESSION_EXPIRED,
                            gone.nodeDown()
                                    ? "the broker node that holds the session's queue is down; messages may be "
                                            + "missing: start a new session and resync"
                                    : "the session's queue is gone"));
        } catch (IOException | RuntimeException e) {
            log.debug("re-attaching session {} failed, will retry: {}", s.id(), e.toString());
            toRecover.add(s);
        }
    }
}
