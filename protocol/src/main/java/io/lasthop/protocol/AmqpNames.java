package io.lasthop.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The AMQP names services and edges agree on. Everything a service needs to publish to a browser
 * is here, and in PROTOCOL.md.
 */
public final class AmqpNames {
    /** Direct exchange: routing key = {@link #userRoutingKey(String)} reaches every session of a user. */
    public static final String USER_EXCHANGE = "lasthop.user";
    /** Topic exchange: sessions bind to it when they subscribe to a topic. */
    public static final String TOPIC_EXCHANGE = "lasthop.topic";
    /** Topic exchange where the edge publishes what browsers send. */
    public static final String INBOUND_EXCHANGE = "lasthop.inbound";
    /** Fanout exchange: the alternate exchange of {@link #USER_EXCHANGE}, for users with no session. */
    public static final String OFFLINE_EXCHANGE = "lasthop.offline";
    /** Queue bound to {@link #OFFLINE_EXCHANGE}, for services that fall back to push or e-mail. */
    public static final String OFFLINE_QUEUE = "lasthop.offline";
    /** Topic exchange of presence events: {@code session.opened}, {@code session.closed}. */
    public static final String EVENTS_EXCHANGE = "lasthop.events";
    /** Fanout exchange that session queues dead-letter to, on overflow or rejection. */
    public static final String DEAD_EXCHANGE = "lasthop.dead";
    /** Queue bound to {@link #DEAD_EXCHANGE}. */
    public static final String DEAD_QUEUE = "lasthop.dead";
    /** Topic exchange of the messages between edge nodes; not for services. */
    public static final String CONTROL_EXCHANGE = "lasthop.control";
    /**
     * Fanout exchange where services revoke users and sessions: every edge node receives what is
     * published here, whatever its routing key (PROTOCOL.md §10).
     */
    public static final String REVOKE_EXCHANGE = "lasthop.revoke";

    /** Header on every message a browser sends: the verified user id. */
    public static final String USER_HEADER = "x-lasthop-user";
    /** Header on every message a browser sends: its session's queue, to answer that session. */
    public static final String SESSION_HEADER = "x-lasthop-session";
    /** Header on every message a browser sends: the edge node that published it. */
    public static final String NODE_HEADER = "x-lasthop-node";

    /** Prefix of every session queue's name. */
    public static final String SESSION_QUEUE_PREFIX = "lasthop.s.";

    /** AMQP short strings, so routing keys and queue names, are at most 255 bytes. */
    public static final int MAX_SHORTSTR_BYTES = 255;

    private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_-]{22}");
    /**
     * One generator per thread: a shared {@code SecureRandom} (NativePRNG) serialises every caller on
     * one lock, and session setup on the AMQP workers and connection ids on the event loops queued
     * behind it for tens of milliseconds under load (JFR, idle ramp of bench/run).
     */
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(AmqpNames::newGenerator);

    private static final int READABLE_PREFIX_CHARS = 32;
    private static final String HASHED_USER_KEY_PREFIX = "sha256:";

    private AmqpNames() {}

    /** A new random session id: 128 bits, base64url without padding (22 characters). */
    public static String newSessionId() {
        byte[] bytes = new byte[16];
        RANDOM.get().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * A new random connection id: 64 bits, base64url (11 characters). It names one connection of a
     * session, so a late POST from a connection that is gone cannot ack the next one's deliveries.
     */
    public static String newConnectionId() {
        byte[] bytes = new byte[8];
        RANDOM.get().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static SecureRandom newGenerator() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (java.security.NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }

    public static boolean isValidSessionId(String id) {
        return id != null && SESSION_ID.matcher(id).matches();
    }

    /**
     * The routing key that addresses a user on {@link #USER_EXCHANGE}. A user id whose UTF-8 form
     * exceeds 255 bytes, or that starts with {@code sha256:}, is hashed: the key is {@code sha256:}
     * followed by the lowercase hex SHA-256 of that UTF-8 form. Any other user id is its own key.
     *
     * <p>Hashing the ids that start with the prefix is what keeps users apart: a literal key never
     * starts with it and a hashed key always does, so a user who picks the {@code sub}
     * {@code sha256:<hex>} of another user's long id gets a key of their own. Ids without the prefix
     * keep the key they always had.
     */
    public static String userRoutingKey(String userId) {
        byte[] utf8 = userId.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MAX_SHORTSTR_BYTES && !userId.startsWith(HASHED_USER_KEY_PREFIX)) {
            return userId;
        }
        return HASHED_USER_KEY_PREFIX + HexFormat.of().formatHex(sha256(utf8));
    }

    /**
     * The queue of one session: derived from the verified user id and the session id, so a client
     * that names a session id can only ever reach a queue of its own user. A readable prefix of the
     * user id is kept for operators; the hash is what makes the name unique per user.
     */
    public static String sessionQueue(String userId, String sessionId) {
        if (!isValidSessionId(sessionId)) {
            throw new IllegalArgumentException("not a session id: " + sessionId);
        }
        byte[] hash = sha256(userId.getBytes(StandardCharsets.UTF_8));
        String userHash =
                Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 22);
        return SESSION_QUEUE_PREFIX + readable(userId) + "." + userHash + "." + sessionId;
    }

    private static String readable(String userId) {
        StringBuilder sb = new StringBuilder(Math.min(userId.length(), READABLE_PREFIX_CHARS));
        for (int i = 0; i < userId.length() && sb.length() < READABLE_PREFIX_CHARS; i++) {
            char c = userId.charAt(i);
            boolean plain =
                    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            sb.append(plain ? c : '_');
        }
        return sb.toString();
    }

    static byte[] sha256(byte[] input) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JVM has SHA-256", e);
        }
    }
}
