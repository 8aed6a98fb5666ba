package io.lasthop.edge.session;

import io.lasthop.protocol.AmqpNames;
import io.lasthop.protocol.CloseCode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The sessions connected to this node, keyed by queue name: the node's only state. Everything that
 * outlives a connection lives in the broker. Thread-safe.
 */
public final class SessionRegistry {
    private final ConcurrentHashMap<String, Session> byQueue = new ConcurrentHashMap<>();

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

    void put(Session s) {
        byQueue.put(s.queue(), s);
    }

    void remove(Session s) {
        if (s.queue() != null) {
            byQueue.remove(s.queue(), s);
        }
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
