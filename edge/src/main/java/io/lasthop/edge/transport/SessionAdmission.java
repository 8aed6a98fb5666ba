package io.lasthop.edge.transport;

import io.lasthop.edge.metrics.EdgeMetrics;
import io.lasthop.edge.session.FloodPenalties;
import io.lasthop.edge.session.SessionRegistry;
import io.lasthop.edge.session.TokenBucket;
import io.lasthop.protocol.ErrorCode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A node's limits on opening sessions, checked before the broker is asked for anything: a user shut
 * out after flooding ({@link FloodPenalties}), sessions per user, new sessions per second, and new
 * sessions per second from one client address. A resume declares no queue, so only new sessions
 * count against the rates; a flooding user's resumes are refused too, since coming back is what a
 * flood's penalty stops. Thread-safe.
 *
 * <p>Per user, the bound is per node: nodes share nothing, and RabbitMQ cannot cheaply count a
 * user's queues (that takes the management API). Across N nodes a user may hold N times the bound.
 */
public final class SessionAdmission {
    /** Client addresses whose rate is tracked at once; the least recently seen are forgotten. */
    static final int MAX_ADDRESSES = 65_536;

    /** Why a session was refused: the HTTP answer, with its Retry-After in seconds. */
    public record Refusal(
            HttpResponseStatus status, ErrorCode code, String message, String metric, long retryAfterSeconds) {
        Refusal(HttpResponseStatus status, ErrorCode code, String message, String metric) {
            this(status, code, message, metric, 1);
        }
    }

    private final SessionRegistry sessions;
    private final FloodPenalties floodPenalties;
    private final EdgeMetrics metrics;
    private final int maxPerUser;
    private final int perAddressRate;
    private final TokenBucket nodeRate;
    private final Map<String, TokenBucket> byAddress = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TokenBucket> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    public SessionAdmission(
            SessionRegistry sessions,
            FloodPenalties floodPenalties,
            EdgeMetrics metrics,
            int maxPerUser,
            int nodeRate,
            int perAddressRate) {
        this.sessions = sessions;
        this.floodPenalties = floodPenalties;
        this.metrics = metrics;
        this.maxPerUser = maxPerUser;
        this.perAddressRate = perAddressRate;
        this.nodeRate = new TokenBucket(nodeRate, nodeRate, System.nanoTime());
    }

    /**
     * Admits a session for {@code userId}, reserving its place among the user's sessions here: the
     * caller must {@link SessionRegistry#unreserve} it if the session does not open. Null when
     * admitted, else why not.
     *
     * @param resumeId the session id the client resumes, or null for a new session
     * @param address  the client's address
     */
    public Refusal admit(String userId, String resumeId, String address) {
        long now = System.nanoTime();
        long penalised = floodPenalties.remainingNanos(userId, now);
        if (penalised > 0) {
            long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(penalised + 999_999_999L));
            return refuse(new Refusal(
                    HttpResponseStatus.TOO_MANY_REQUESTS,
                    ErrorCode.RATE_LIMITED,
                    "a session of this user was closed for sending too many frames (4004); no session for it"
                            + " on this node for " + seconds + " s",
                    "flood_penalty",
                    seconds));
        }
        if (resumeId == null) {
            synchronized (this) {
                if (!byAddress
                        .computeIfAbsent(address, a -> new TokenBucket(perAddressRate, 2 * perAddressRate, now))
                        .tryTake(now)) {
                    return refuse(new Refusal(
                            HttpResponseStatus.TOO_MANY_REQUESTS,
                            ErrorCode.RATE_LIMITED,
                            "more than " + perAddressRate + " new sessions per second from " + address
                                    + "; retry after Retry-After",
                            "session_rate_address"));
                }
                if (!nodeRate.tryTake(now)) {
                    return refuse(new Refusal(
                            HttpResponseStatus.TOO_MANY_REQUESTS,
                            ErrorCode.RATE_LIMITED,
                            "this node opens new sessions as fast as it may; retry after Retry-After, or on another node",
                            "session_rate"));
                }
            }
        }
        // A resume takes over a session of the same id here: it may replace one at the bound.
        boolean replaces = resumeId != null && sessions.find(userId, resumeId) != null;
        if (!sessions.reserve(userId, replaces ? maxPerUser + 1 : maxPerUser)) {
            return refuse(new Refusal(
                    HttpResponseStatus.TOO_MANY_REQUESTS,
                    ErrorCode.TOO_MANY_SESSIONS,
                    "this user holds " + maxPerUser + " sessions on this node, the most it may; close one",
                    "sessions_per_user"));
        }
        return null;
    }

    private Refusal refuse(Refusal r) {
        metrics.refused(r.metric());
        metrics.clientError(r.code());
        return r;
    }
}
