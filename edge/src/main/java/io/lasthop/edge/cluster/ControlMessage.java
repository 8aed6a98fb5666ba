package io.lasthop.edge.cluster;

import io.lasthop.protocol.ClientFrame;
import java.util.List;

/**
 * A message to edge nodes through the broker. {@link Frames} and {@link Release} go from one node
 * to another, about one session; they are hints with no ack: one lost to a broker outage only
 * means the session moves when its old connection times out, and its deliveries come again.
 * {@link Revoke} comes from a service or an operator, to every node.
 */
public sealed interface ControlMessage {

    /** A message between nodes about one session. */
    sealed interface ForSession extends ControlMessage {
        /**
         * The session's queue: derived from the verified user, so a message can only name a
         * session of the user who made the request.
         */
        String queue();

        /** The connection of the session it is meant for; null for whichever holds the session. */
        String connection();

        /** The sending node, which ignores its own broadcasts. */
        String from();
    }

    /** Client frames to apply to the session, as if its connection had sent them. */
    record Frames(String queue, String connection, List<ClientFrame> frames, String from) implements ForSession {}

    /** Close the session, so that another node can take it over without waiting for a timeout. */
    record Release(String queue, String connection, String from) implements ForSession {}

    /**
     * Cut a user off, or one session of theirs: close it with {@code 4501 revoked} on whichever
     * node holds it. Revoking a user also refuses, on every node that hears it, the tokens of that
     * user issued before.
     *
     * @param session      the session id, or null for every session of the user
     * @param deleteQueues also delete the queues of the sessions closed, dropping what they hold
     */
    record Revoke(String user, String session, boolean deleteQueues) implements ControlMessage {}
}
