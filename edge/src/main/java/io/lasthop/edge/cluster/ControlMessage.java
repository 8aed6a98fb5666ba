package io.lasthop.edge.cluster;

import io.lasthop.protocol.ClientFrame;
import java.util.List;

/**
 * A message from one edge node to another, about one session. Messages are hints with no ack: one
 * lost to a broker outage only means the session moves when its old connection times out, and its
 * deliveries come again.
 */
public sealed interface ControlMessage {
    /**
     * The session's queue: derived from the verified user, so a message can only name a session of
     * the user who made the request.
     */
    String queue();

    /** The connection of the session it is meant for; null for whichever holds the session. */
    String connection();

    /** The sending node, which ignores its own broadcasts. */
    String from();

    /** Client frames to apply to the session, as if its connection had sent them. */
    record Frames(String queue, String connection, List<ClientFrame> frames, String from) implements ControlMessage {}

    /** Close the session, so that another node can take it over without waiting for a timeout. */
    record Release(String queue, String connection, String from) implements ControlMessage {}
}
