package io.lasthop.edge.session;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * Users shut out of this node for a while after one of their sessions was closed with 4004
 * {@code too_many_frames}. Without it a client that floods comes straight back and floods again,
 * and each comeback (a handshake, a session resume with its AMQP channel and consumer, a second of
 * frames read before the next close) costs the event loops and the broker that every other client
 * shares. Per node, as every admission limit is. Thread-safe.
 *
 * <p>Each penalty lasts the configured length plus a random part of up to half of it. Clients that
 * flood together are closed together, and with penalties of one length they would come back
 * together, every time: a herd whose resumes, floods and channel closes all land on the node and
 * the broker in the same second. The random part spreads each herd's comebacks over half a
 * penalty; in the abuse benchmark that took the worst of the bystanders' delays away
 * (bench/README.md, "Flooders closed together come back apart").
 */
public final class FloodPenalties {
    /**
     * Users penalised at once; past it the oldest penalty is forgotten, which ends at most half a
     * penalty after the one nearest to its end.
     */
    static final int MAX_USERS = 65_536;

    private final long penaltyNanos;
    private final LongUnaryOperator extraNanos;
    // Insertion order: the eldest entry ends at most half a penalty after the one that ends first.
    private final Map<String, Long> until = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_USERS;
        }
    };

    /** @param penalty the least a user is shut out for; zero turns penalties off */
    public FloodPenalties(Duration penalty) {
        this(penalty, bound -> bound == 0 ? 0 : ThreadLocalRandom.current().nextLong(bound));
    }

    /**
     * @param extraNanos given half the penalty in nanoseconds, the random part to add to one
     *                   penalty, from 0 up to (not including) that bound
     */
    FloodPenalties(Duration penalty, LongUnaryOperator extraNanos) {
        this.penaltyNanos = penalty.toNanos();
        this.extraNanos = extraNanos;
    }

    /** Shuts {@code userId} out from {@code now} (a {@link System#nanoTime()} reading). */
    public void penalise(String userId, long now) {
        if (penaltyNanos <= 0) {
            return;
        }
        long end = now + penaltyNanos + extraNanos.applyAsLong(penaltyNanos / 2);
        synchronized (this) {
            until.remove(userId);
            until.put(userId, end);
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
