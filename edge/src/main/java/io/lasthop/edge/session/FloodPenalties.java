package io.lasthop.edge.session;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Users shut out of this node for a while after one of their sessions was closed with 4004
 * {@code too_many_frames}. Without it a client that floods comes straight back and floods again,
 * and each comeback (a handshake, a session resume with its AMQP channel and consumer, a second of
 * frames read before the next close) costs the event loops and the broker that every other client
 * shares. Per node, as every admission limit is. Thread-safe.
 */
public final class FloodPenalties {
    /** Users penalised at once; past it the oldest penalty, the nearest to its end, is forgotten. */
    static final int MAX_USERS = 65_536;

    private final long penaltyNanos;
    // Insertion order: every penalty has the same length, so the eldest entry expires first.
    private final Map<String, Long> until = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_USERS;
        }
    };

    /** @param penalty how long a user is shut out; zero turns penalties off */
    public FloodPenalties(Duration penalty) {
        this.penaltyNanos = penalty.toNanos();
    }

    /** Shuts {@code userId} out from {@code now} (a {@link System#nanoTime()} reading). */
    public synchronized void penalise(String userId, long now) {
        if (penaltyNanos > 0) {
            until.remove(userId);
            until.put(userId, now + penaltyNanos);
        }
    }

    /** Nanoseconds until {@code userId} may open or resume a session here again; 0 when it may now. */
    public synchronized long remainingNanos(String userId, long now) {
        Long end = until.get(userId);
        if (end == null) {
            return 0;
        }
        long left = end - now;
        if (left <= 0) {
            until.remove(userId);
            return 0;
        }
        return left;
    }
}
