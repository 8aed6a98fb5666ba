package io.lasthop.edge.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lasthop.edge.config.EdgeConfig;
import io.lasthop.edge.config.Settings;
import io.lasthop.protocol.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Reply authority without shared state: a token the edge attaches to each delivered message that
 * has a {@code reply_to}, HMAC-signed over the reply address, the correlation id, the user and an
 * expiry. Any node with the same secret ({@code reply.token.secret}, else {@code jwt.hs256.secret})
 * verifies it.
 *
 * <p>Format: {@code base64url(JSON payload) "." base64url(HMAC-SHA256(key, first part))}, with the
 * payload {@code {"u": user, "r": reply_to, "c": correlation_id, "e": expiry epoch seconds}}.
 */
public final class ReplyTokens {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final String HMAC = "HmacSHA256";
    private static final int MIN_SECRET_BYTES = 32;

    /** What a verified token grants: a publish to {@code replyTo} with {@code correlationId}. */
    public record Grant(String replyTo, String correlationId) {}

    private final SecretKeySpec key;
    private final Duration ttl;
    private final Clock clock;

    public ReplyTokens(byte[] secret, Duration ttl, Clock clock) {
        this.key = new SecretKeySpec(secret, HMAC);
        this.ttl = ttl;
        this.clock = clock;
    }

    /**
     * Reply tokens as {@code config} says: keyed by {@code reply.token.secret} when set, else by the
     * JWT secret, which must then be given.
     */
    public static ReplyTokens fromConfig(EdgeConfig config, byte[] jwtSecret) {
        return new ReplyTokens(key(config, jwtSecret), config.get(Settings.REPLY_TOKEN_TTL), Clock.systemUTC());
    }

    /**
     * The key reply tokens are signed with, derived from {@code reply.token.secret} when set, else from
     * the JWT secret: every node has the same, so any node verifies a reply token another minted.
     *
     * @param jwtSecret the HMAC secret of JWTs, or null when only public keys verify them
     * @throws IllegalArgumentException when there is neither, or {@code reply.token.secret} is too short
     */
    public static byte[] key(EdgeConfig config, byte[] jwtSecret) {
        String own = config.get(Settings.REPLY_TOKEN_SECRET);
        if (own != null && !own.isEmpty()) {
            byte[] bytes = own.getBytes(StandardCharsets.UTF_8);
            if (bytes.length < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException(
                        Settings.REPLY_TOKEN_SECRET.env() + " must be at least " + MIN_SECRET_BYTES + " bytes");
            }
            return deriveKey(bytes);
        }
        if (jwtSecret == null) {
            throw new IllegalArgumentException(Settings.REPLY_TOKEN_SECRET.env() + " is required when tokens are "
                    + "verified with public keys only (no " + Settings.JWT_HS256_SECRET.env() + "): reply tokens are "
                    + "signed with a secret every node shares. Set it to the same random string of at least "
                    + MIN_SECRET_BYTES + " bytes on every node");
        }
        return deriveKey(jwtSecret);
    }

    /**
     * A key of its own for reply tokens, derived from a secret, so a reply token can never pass as a
     * JWT signature or the reverse.
     */
    public static byte[] deriveKey(byte[] jwtSecret) {
        return hmac(new SecretKeySpec(jwtSecret, HMAC), "lasthop reply-token key v1".getBytes(StandardCharsets.UTF_8));
    }

    public String mint(String userId, String replyTo, String correlationId) {
        ObjectNode payload = JSON.createObjectNode();
        payload.put("u", userId);
        payload.put("r", replyTo);
        if (correlationId != null) {
            payload.put("c", correlationId);
        }
        payload.put("e", clock.instant().plus(ttl).getEpochSecond());
        String body = B64.encodeToString(payload.toString().getBytes(StandardCharsets.UTF_8));
        return body + "." + B64.encodeToString(hmac(key, body.getBytes(StandardCharsets.US_ASCII)));
    }

    public Grant verify(String token, String userId) throws AuthException {
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) {
            throw new AuthException(ErrorCode.REPLY_TOKEN_INVALID, "malformed reply token");
        }
        String body = token.substring(0, dot);
        byte[] mac;
        JsonNode payload;
        try {
            mac = B64D.decode(token.substring(dot + 1));
            payload = JSON.readTree(B64D.decode(body));
        } catch (IllegalArgumentException | IOException e) {
            throw new AuthException(ErrorCode.REPLY_TOKEN_INVALID, "malformed reply token");
        }
        if (!MessageDigest.isEqual(mac, hmac(key, body.getBytes(StandardCharsets.US_ASCII)))) {
            throw new AuthException(ErrorCode.REPLY_TOKEN_INVALID, "reply token signature mismatch");
        }
        if (payload == null
                || !payload.path("u").isTextual()
                || !payload.path("r").isTextual()
                || !payload.path("e").isIntegralNumber()) {
            throw new AuthException(ErrorCode.REPLY_TOKEN_INVALID, "malformed reply token");
        }
        if (!payload.get("u").textValue().equals(userId)) {
            throw new AuthException(ErrorCode.REPLY_TOKEN_INVALID, "the reply token was issued to another user");
        }
        if (clock.instant().getEpochSecond() > payload.get("e").longValue()) {
            throw new AuthException(ErrorCode.REPLY_TOKEN_EXPIRED, "the reply token expired");
        }
        JsonNode c = payload.get("c");
        return new Grant(payload.get("r").textValue(), c == null ? null : c.textValue());
    }

    /** Mac instances are not thread-safe and costly to look up: one per thread, re-keyed per use. */
    private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance(HMAC);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is in every JVM", e);
        }
    });

    private static byte[] hmac(SecretKeySpec key, byte[] data) {
        try {
            Mac mac = MACS.get();
            mac.init(key);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 key refused", e);
        }
    }
}
