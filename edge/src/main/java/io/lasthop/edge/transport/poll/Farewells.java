package io.lasthop.edge.transport.poll;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last frame of long-poll connections that were closed while no poll was held (taken over,
 * token expired, ack deadline), kept for the next poll of that connection, which otherwise would
 * quietly resume the session instead of learning why it ended. Keyed by the session's queue, which
 * is derived from the verified user, and the connection: only the connection's own user can take
 * its farewell. Bounded: the oldest are forgotten.
 */
final class Farewells {
    private static final int MAX = 10_000;

    private final Map<String, byte[]> frames = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > MAX;
        }
    };

    synchronized void put(String queue, String connection, byte[] closeFrame) {
        frames.put(key(queue, connection), closeFrame);
    }

    /** The close frame of that connection of the session on {@code queue}, once; null if there is none. */
    synchronized byte[] take(String queue, String connection) {
        return frames.remove(key(queue, connection));
    }

    private static String key(String queue, String connection) {
        return queue + ' ' + connection;
    }
}
