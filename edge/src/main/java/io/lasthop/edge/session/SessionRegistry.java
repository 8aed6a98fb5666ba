package io.lasthop.edge.session;

import io.lasthop.protocol.AmqpNames;
import io.lasthop.protocol.CloseCode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The sessions connected to this node, keyed by queue name, and how many each user holds: the
 * node's only state. Everything that outlives a connection lives in the broker. Thread-safe.
 */
public final class SessionRegistry {
    private final ConcurrentHashMap<String, Session> byQueue = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> perUser = new ConcurrentHashMap<>();

    /** The session connected here with this id, if it belongs to {@code userId}; else null. */
    public Session find(String userId, String sessionId) {
        return byQueue.get(AmqpNames.sessionQueue(userId, sessionId));
    }

    /** The session connected here on this queue, or null. */
    public Session findByQueue(String queue) {
        return byQueue.get(queue);
    }

    public int size() {
        return byQueue.size();
    }

    /**
     * Counts one more session of {@code userId} here, unless it holds {@code max} already. The
     * place is the opener's to {@link #unreserve} until the session is registered, then the
     * session's, given back when it is released.
     */
    public boolean reserve(String userId, int max) {
        boolean[] reserved = {false};
        perUser.compute(userId, (u, n) -> {
            int held = n == null ? 0 : n;
            if (held >= max) {
                return n;
            }
            reserved[0] = true;
            return held + 1;
        });
        return reserved[0];
    }

    public void unreserve(String userId) {
        perUser.computeIfPresent(userId, (u, n) -> n <= 1 ? null : n - 1);
    }

    /** How many sessions {@code userId} holds here, including those still opening. */
    public int countOf(String userId) {
        return perUser.getOrDefault(userId, 0);
    }

    /** The sessions of {@code userId} connected here. Walks every session: for rare events only. */
    public List<Session> of(String userId) {
        List<Session> found = new ArrayList<>();
        for (Session s : byQueue.values()) {
            if (s.userId().equals(userId)) {
                found.add(s);
            }
        }
        return found;
    }

    void put(Session s) {
        byQueue.put(s.queue(), s);
    }

    /** A registered session was released: it leaves the registry, if still there, and gives its place back. */
    void remove(Session s) {
        if (s.queue() != null) {
            byQueue.remove(s.queue(), s);
        }
        unreserve(s.userId());
    }

    /** Closes every session here, e.g. at shutdown; their deliveries are requeued. */
    public CompletableFuture<Void> closeAll(CloseCode code, String message) {
        return closeAll(code, message, 0);
    }

    /**
     * Closes every session here, each told to reconnect after a random delay below
     * {@code spreadMillis}, so they do not all land on the other nodes at once. Completes once
     * their channels are closed and their deliveries requeued.
     */
    public CompletableFuture<Void> closeAll(CloseCode code, String message, long spreadMillis) {
        List<CompletableFuture<Void>> released = new ArrayList<>();
        for (Session s : byQueue.values()) {
            released.add(s.binding().released());
            long delay = spreadMillis <= 0 ? 0 : ThreadLocalRandom.current().nextLong(spreadMillis);
            s.eventLoop().execute(() -> s.close(code, message, delay));
        }
        return CompletableFuture.allOf(released.toArray(CompletableFuture[]::new));
    }
}
