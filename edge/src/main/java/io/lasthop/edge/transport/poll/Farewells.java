package io.lasthop.edge.transport.poll;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last frame of long-poll connections that were closed while no poll was held (taken over,
 * token expired, ack deadline), kept for the next poll of that connection, which otherwise would
 * quietly resume the session instead of learning why it ended. Bounded: the oldest are forgotten.
 */
final class Farewells {
    private static final int MAX = 10_000;

    private final Map<String, byte[]> frames = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > MAX;
        }
    };

    synchronized void put(String connection, byte[] closeFrame) {
        frames.put(connection, closeFrame);
    }

    /** The close frame of that connection, once; null if there is none. */
    synchronized byte[] take(String connection) {
        return frames.remove(connection);
    }
}
