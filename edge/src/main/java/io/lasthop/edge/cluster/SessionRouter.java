package io.lasthop.edge.cluster;

import io.lasthop.edge.amqp.BrokerEndpoint;
import io.lasthop.edge.auth.Revocations;
import io.lasthop.edge.session.Session;
import io.lasthop.edge.session.SessionAttacher;
import io.lasthop.edge.session.SessionRegistry;
import io.lasthop.protocol.AmqpNames;
import io.lasthop.protocol.ClientFrame;
import io.lasthop.protocol.CloseCode;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Routes a request to the node that holds its session. Any node can serve any request, but a
 * session is held by one node at a time (its queue's single active consumer), and client frames
 * must reach that node: acks name deliveries of the channel there. Frames for a session held
 * elsewhere are forwarded to the node the client's last hello named (or to every node when it
 * named none); a session that moves here has its old holder release it first, which requeues its
 * deliveries in order and hands the single active consumer over. Through the broker, like everything
 * else: no node-to-node sockets, no registry.
 */
public final class SessionRouter implements AutoCloseable {
    /** Where {@link #frames} sent the frames. */
    public enum Route {
        /** Applied to the session's connection here. */
        HERE,
        /** Forwarded to the node that may hold the session. */
        FORWARDED,
        /** The session is here, on another connection: the frames were dropped. */
        STALE_CONNECTION
    }

    private final SessionRegistry sessions;
    private final SessionAttacher attacher;
    private final Revocations revocations;
    private final String nodeId;
    private final ControlPlane control;

    public SessionRouter(
            SessionRegistry sessions,
            SessionAttacher attacher,
            Revocations revocations,
            String nodeId,
            BrokerEndpoint broker,
            ScheduledExecutorService scheduler) {
        this.sessions = sessions;
        this.attacher = attacher;
        this.revocations = revocations;
        this.nodeId = nodeId;
        this.control = new ControlPlane(broker, nodeId, scheduler, this::onControl);
    }

    public void start() {
        control.start();
    }

    /**
     * Client frames for a session of {@code userId}, from a request that named its connection and
     * the node of its last hello.
     */
    public Route frames(String userId, String sessionId, String connection, String node, List<ClientFrame> frames) {
        Session s = sessions.find(userId, sessionId);
        if (s == null) {
            forward(userId, sessionId, connection, node, frames);
            return Route.FORWARDED;
        }
        if (!connection.equals(s.connectionId())) {
            return Route.STALE_CONNECTION;
        }
        s.eventLoop().execute(() -> s.onClientFrames(frames));
        return Route.HERE;
    }

    /** Hands frames to the node that holds the session: the named one unless it is this one, else every node. */
    public void forward(String userId, String sessionId, String connection, String node, List<ClientFrame> frames) {
        control.send(
                otherNode(node),
                new ControlMessage.Frames(AmqpNames.sessionQueue(userId, sessionId), connection, frames, nodeId));
    }

    /**
     * A session is about to be resumed here: unless the client's last hello came from this node
     * (where the attacher takes the session over itself), ask the node that holds it (the named
     * one, or every node) to release it rather than wait for its old connection to time out.
     *
     * @param connection the connection to release; null for whichever holds the session
     */
    public void claim(String userId, String sessionId, String connection, String node) {
        if (!nodeId.equals(node)) {
            control.send(
                    otherNode(node),
                    new ControlMessage.Release(AmqpNames.sessionQueue(userId, sessionId), connection, nodeId));
        }
    }

    /** {@code node} unless it is this one or none. */
    private String otherNode(String node) {
        return node == null || node.isEmpty() || node.equals(nodeId) ? null : node;
    }

    private void onControl(ControlMessage message) {
        if (message instanceof ControlMessage.Revoke r) {
            revoke(r);
            return;
        }
        ControlMessage.ForSession m = (ControlMessage.ForSession) message;
        Session s = sessions.findByQueue(m.queue());
        if (s == null) {
            return;
        }
        s.eventLoop().execute(() -> {
            if (m.connection() != null && !m.connection().equals(s.connectionId())) {
                return;
            }
            if (m instanceof ControlMessage.Frames f) {
                s.onClientFrames(f.frames());
            } else if (m instanceof ControlMessage.Release) {
                s.close(CloseCode.SESSION_TAKEN_OVER, "the session moved to node " + m.from());
            }
        });
    }

    /**
     * A revocation reaches every node: each closes the sessions it holds, and remembers a revoked
     * user so that the user's older tokens cannot open new ones.
     */
    private void revoke(ControlMessage.Revoke r) {
        if (r.session() == null) {
            revocations.revoke(r.user());
            sessions.of(r.user()).forEach(s -> attacher.revoke(s, r.deleteQueues()));
            return;
        }
        Session s = sessions.find(r.user(), r.session());
        if (s != null) {
            attacher.revoke(s, r.deleteQueues());
        } else if (r.deleteQueues()) {
            // Held by no node, or by another that deletes it itself after closing it.
            attacher.deleteQueueIfUnused(AmqpNames.sessionQueue(r.user(), r.session()));
        }
    }

    @Override
    public void close() {
        control.close();
    }
}
